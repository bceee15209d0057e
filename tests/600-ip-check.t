#!/bin/sh
# ip-check and ip-table --status against 30 simulated attendees' servers:
# real Caddy (internal CA) in front of the Matrix simulator, real BIND, real
# sshd, each server on its own loopback address; every way a server can be
# broken shows as its mark and stage; the checks run concurrently, bounded
# by -j; a hung homeserver does not hold the board past --timeout.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
. "$TOP/tests/sim/matrix_lib.sh"

command -v caddy >/dev/null && [ -x /usr/sbin/named ] && [ -x /usr/sbin/sshd ] ||
	skip_all "needs caddy, bind9 and openssh-server (make deps)"

run ip-check --help
ok "$rc" "--help exits 0"
like "$out" "--timeout S" "--help lists --timeout"
run ip-check -j 0 --known-hosts /dev/null
is "$rc" 2 "-j 0 is a usage error"
run ip-check --nameserver ::1 --known-hosts /dev/null
is "$rc" 2 "--nameserver takes an IPv4 address"
like "$err" "ip-check: --nameserver: expected an IPv4 address" "and says so"
run ip-check --known-hosts /dev/null --ca-file "$T/nope" </dev/null
is "$rc" 2 "a missing --ca-file is fatal"

matrix_start np 30 2:absent 3:notls 4:nodns 5:wrongdns 6:nossh 7:badkey 8:badelement ||
	{ fail "matrix_start"; done_testing; exit 1; }
d() { echo "s$1.np.example.com"; }
matrix_knobs "{\"$(d 9)\":[\"fed502\"],\"$(d 10)\":[\"wrong_name\"],\"$(d 11)\":[\"expired\"],
  \"$(d 12)\":[\"nocors\"],\"$(d 13)\":[\"badsig\"],\"$(d 14)\":[\"hs:Dendrite/0.13.5\"]}"

# shellcheck disable=SC2086 # MX_CHECK_ARGS: split on purpose
run ip-check $MX_CHECK_ARGS --timeout 30 "$MX/servers"
is "$rc" 1 "exit 1: not every server federates"
printf '%s\n' "$out" > "$T/checked"
is "$(jq -s length "$T/checked")" 30 "one object per server"
# marks in check order: dns ssh https element client_api well_known federation keys
jq -r '[.name, (.check | [.dns, .ssh, .https, .element, .client_api, .well_known,
    .federation, .keys] | map(if .ok == true then "+" elif .ok == false then "x"
    else "." end) | join("")), .check.stage] | @tsv' "$T/checked" | sort -V > "$T/marks"
{
	printf 's1\t++++++++\tfederation\n'
	printf 's2\t++++.+..\telement\n'		# no homeserver: Caddy's 502
	printf 's3\t++x.....\tssh\n'			# no site in Caddy
	printf 's4\tx+++++++\thomeserver\n'		# no DNS record
	printf 's5\tx+++++++\thomeserver\n'		# DNS points elsewhere
	printf 's6\t+x++++++\tfederation\n'		# no SSH
	printf 's7\t+x++++++\tfederation\n'		# another host key
	printf 's8\t+++x++++\tfederation\n'		# config.json names another server
	printf 's9\t++++++xx\thomeserver\n'		# federation listener answers 502
	printf 's10\t+++++++x\thomeserver\n'		# wrong server_name
	printf 's11\t+++++++x\thomeserver\n'		# expired keys
	printf 's12\t+++++x++\thomeserver\n'		# no CORS header
	printf 's13\t+++++++x\thomeserver\n'		# bad signature
	i=14
	while [ "$i" -le 30 ]; do printf 's%d\t++++++++\tfederation\n' "$i"; i=$((i + 1)); done
} > "$T/expected"
same_file "$T/marks" "$T/expected" "every failure has its mark and stage"

detail() { jq -r --arg n "$1" "select(.name == \$n) | .check.$2.detail" "$T/checked"; }
like "$(detail s2 client_api)" "no homeserver.*HTTP 502" "absent: Caddy's 502, not yet"
like "$(detail s3 https)" "connect" "notls: the TLS check says why"
is "$(detail s3 element)" "no HTTPS" "and the web checks wait for it"
like "$(detail s4 dns)" "NXDOMAIN" "nodns: NXDOMAIN from the name server"
is "$(detail s5 dns)" "resolves to 127.0.99.5, not 127.0.100.5" "wrongdns: where it points"
like "$(detail s6 ssh)" "refused" "nossh: connection refused"
like "$(detail s7 ssh)" "^host key changed: ssh-ed25519 SHA256:" "badkey: the key changed"
like "$(detail s1 ssh)" "^SSH-2.0-OpenSSH.*as recorded$" "the banner and the recorded key"
head -2 "$MX/servers" > "$T/two"
like "$(detail s8 element)" "base_url is https://other.np.example.com" "badelement: base_url"
is "$(detail s9 federation)" "HTTP 502" "fed502: the federation check"
like "$(detail s10 keys)" "server_name is wrong.example.net" "wrong_name: the keys check"
like "$(detail s11 keys)" "^expired" "expired keys"
like "$(detail s12 well_known)" "Access-Control-Allow-Origin" "nocors: the header named"
like "$(detail s13 keys)" "does not verify" "badsig: the ed25519 signature is checked"
like "$(detail s1 keys)" "^ed25519:auto signed, valid 7.0 more days" "good keys: signed and valid"
is "$(jq -r 'select(.name == "s14") | .check.federation.server | "\(.name) \(.version)"' "$T/checked")" \
	"Dendrite 0.13.5" "the homeserver's name and version"
is "$(jq -r 'select(.name == "s1") | .check.https.issuer' "$T/checked")" \
	"Caddy Local Authority - ECC Intermediate" "the certificate's issuer"
is "$(jq -r 'select(.name == "s1") | .check.https.days_left | . > 0 and . < 1' "$T/checked")" \
	true "days left: Caddy's internal certificates last 12 hours"
is "$(jq -s '[.[].check | to_entries[] | select(.key != "stage") | .value |
    select((.ok | type) as $t | ($t == "boolean" or $t == "null") and (.detail | type) == "string"
    and (.ms | type) == "number")] | length' "$T/checked")" 240 \
	"--json: every check has ok, detail and ms"
is "$(jq -s '[.[] | select(.type == "server" and .instance.ipv4 != null and .record != null)] | length' "$T/checked")" \
	30 "the server objects are passed on with their fields"
# The web checks went to each server's own address with its domain (Host).
is "$(jq -r 'select(.path == "/_matrix/key/v2/server") | .host' "$MX_SIM_LOG" | sort -u | wc -l)" \
	28 "the homeservers were asked through Caddy by domain (all but absent and notls)"
# shellcheck disable=SC2086
run ip-check $MX_CHECK_ARGS --known-hosts "$T/no-such-file" "$T/two"
like "$(printf '%s\n' "$out" | jq -r 'select(.name == "s1") | "\(.check.ssh.ok) \(.check.ssh.detail)"')" \
	"^true SSH-2.0-.*\(no key recorded to compare\)$" "no key recorded: the banner is enough, and it says so"

run ip-table --status "$T/checked"
is "$rc" 1 "ip-table --status: exit 1 when some server does not federate"
like "$out" "^21/30 federate, 28/30 have a homeserver, 28/30 serve Element$" "the summary line"
like "$out" "^\\| s2 +\\| s2\\.np\\.example\\.com +\\| ok +\\| ok +\\| ok +\\| ok +\\| - +\\| ok +\\| - +\\| - +\\| +\\| element +\\|$" \
	"a row: marks, no homeserver, stage"
like "$out" "\\| s14  .*\\| Dendrite 0\\.13\\.5 \\| federation \\|$" "a row with its homeserver"
like "$out" "^  s13 keys: the signature by ed25519:auto does not verify$" "the failing checks, named"
is "$(printf '%s\n' "$out" | grep -c '^| s[0-9]')" 30 "a row per server"
is "$(printf '%s\n' "$out" | grep '^| s[0-9]' | head -3 | cut -d' ' -f2 | tr '\n' ' ')" "s1 s2 s3 " \
	"rows sorted by name"
run ip-table --status --html "$T/board.html" "$T/checked"
grep -q '<meta http-equiv="refresh" content="10">' "$T/board.html"
ok "$?" "--html: a page that reloads itself"
grep -qi -e '<script' -e 'src=' -e 'href=' "$T/board.html"
is "$?" 1 "--html: no script, nothing from outside"
grep -q '<p class="sum">21/30 federate' "$T/board.html"
ok "$?" "--html: the summary"
run ip-table --html "$T/x.html" "$T/checked"
is "$rc" 2 "--html without --status is a usage error"
# The list tables do not change (tests/005-ip-table.t has the bytes).
ip-table "$MX/servers" > "$T/list1"
jq -c -s 'sort_by(.name | ltrimstr("s") | tonumber)[]' "$T/checked" | ip-table > "$T/list2"
same_file "$T/list2" "$T/list1" "ip-table without --status ignores the check field"

# Concurrency: every homeserver answers after 8 s (slack for a loaded
# machine: 30 TLS handshakes under ASan); all 30 are asked at
# once (every request starts before the first answer); then, answering
# after 1 s, -j 5 keeps at most 5 servers in flight.
slow_all() {
	knobs=$(i=1; while [ "$i" -le 30 ]; do printf '"%s":["slow:%s"],' "$(d "$i")" "$1"; i=$((i + 1)); done)
	matrix_knobs "{${knobs%,}}"
}
slow_all 8
: > "$MX_SIM_LOG"
# shellcheck disable=SC2086
run ip-check $MX_CHECK_ARGS --timeout 20 "$MX/servers"
is "$(printf '%s\n' "$out" | jq -s length)" 30 "30 slow servers checked"
is "$(jq -s '(map(.start) | max) < (map(.end) | min)' "$MX_SIM_LOG")" true \
	"every request was in flight before the first answer came"
is "$(jq -s '[.[].host] | unique | length' "$MX_SIM_LOG")" 29 "requests for every server behind Caddy (all but notls)"
slow_all 1
: > "$MX_SIM_LOG"
# shellcheck disable=SC2086
run ip-check $MX_CHECK_ARGS --timeout 20 -j 5 "$MX/servers"
# servers in flight at the instant each request started
overlap=$(jq -s '. as $all | [ $all[] | .start as $t | [ $all[] | select(.start <= $t and .end > $t) | .host ] | unique | length ] | max' "$MX_SIM_LOG")
ok "$([ "$overlap" -le 5 ] && [ "$overlap" -ge 2 ]; echo $?)" "-j 5: at most 5 servers at once, several (saw $overlap)"

# A hung homeserver: the board is out once --timeout has passed.
matrix_knobs "{\"$(d 1)\":[\"slow:60\"]}"
t0=$(date +%s%N)
# shellcheck disable=SC2086
run ip-check $MX_CHECK_ARGS --timeout 2 "$T/two"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
ok "$([ "$ms" -lt 6000 ]; echo $?)" "a hung server is given up after --timeout 2 (took ${ms} ms)"
like "$(printf '%s\n' "$out" | jq -r 'select(.name == "s1") | .check.client_api.detail')" \
	"[Tt]imed? ?out" "and its check says it timed out"
is "$(printf '%s\n' "$out" | jq -r 'select(.name == "s1") | .check.stage')" element \
	"its stage is where it got to"

# An interrupt ends it at once, by the signal, even with a hung server in
# flight (SIGTERM: a background job of sh ignores SIGINT; 410 sends SIGINT).
# shellcheck disable=SC2086
ip-check $MX_CHECK_ARGS --timeout 30 "$T/two" > /dev/null 2> "$T/int.err" &
pid=$!
sleep 1
t0=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$st" 143 "interrupted: killed by the signal (SIGTERM)"
ok "$([ "$ms" -lt 3000 ]; echo $?)" "at once, not after the hung check (${ms} ms)"
like "$(cat "$T/int.err")" "interrupted: stopped at once, 1 in flight left unfinished" "and says what was left"

# Other objects pass on; a bad line is named; a server without address.
printf '%s\n' '{"type":"error","name":"zz","stage":"dns","message":"boom"}' 'not json' \
	'{"type":"server","name":"q","state":"orphan-instance","instance":null,"record":null}' > "$T/mixed"
# shellcheck disable=SC2086
run ip-check $MX_CHECK_ARGS "$T/mixed"
is "$rc" 1 "exit 1 on a bad line"
like "$err" "mixed:2" "the bad line is named"
like "$out" '"type":"error","name":"zz"' "error objects pass on"
is "$(printf '%s\n' "$out" | jq -r 'select(.name == "q") | [.check.dns.ok, .check.dns.detail, .check.stage] | @tsv')" \
	"$(printf '\tno domain\tnone')" "a server with no domain: not applicable, stage none"

# The plain build under valgrind, on good and broken servers alike.
if command -v valgrind >/dev/null; then
	matrix_knobs "{\"$(d 4)\":[\"badsig\"]}"
	head -4 "$MX/servers" > "$T/four"
	# shellcheck disable=SC2086
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    "$IP_PLAIN_BINDIR/ip-check" $MX_CHECK_ARGS --timeout 10 "$T/four"
	is "$rc" 1 "ip-check under valgrind: clean"
	printf '%s\n' "$out" > "$T/four.checked"
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    "$IP_PLAIN_BINDIR/ip-table" --status --html "$T/four.html" "$T/four.checked" "$T/mixed"
	is "$rc" 1 "ip-table --status under valgrind: clean"
else
	skip "valgrind is not installed"
fi

done_testing
