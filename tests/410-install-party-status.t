#!/bin/sh
# install-party status: ip-join <(ip-instances ls) <(ip-dns ls) | ip-check |
# ip-table --status, through the OpenStack and OVH simulators, with the
# servers behind real Caddy, BIND and sshd (tests/sim/matrix_lib.sh).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
. "$TOP/tests/sim/matrix_lib.sh"
PATH=$TOP/build/bin:$PATH

command -v caddy >/dev/null && [ -x /usr/sbin/named ] && [ -x /usr/sbin/sshd ] ||
	skip_all "needs caddy, bind9 and openssh-server (make deps)"

run install-party status -h
ok "$rc" "status -h exits 0"
like "$out" "--watch \\[S\\]" "and shows --watch"
run install-party status --bogus
is "$rc" 2 "an unknown option is a usage error"
run install-party status -s 'Bad Name'
is "$rc" 2 "a bad server name is a usage error"
run install-party status --json --html "$T/x.html"
is "$rc" 2 "--json and --html together are a usage error"
INSTALL_PARTY_CONFIG=$T/missing.yaml run install-party status
is "$rc" 2 "a missing configuration: exit 2"

party_start st-party
# Three servers named s1..s3, made one at a time so that sN gets 127.0.100.N.
ip-names s1 s2 s3 | ip-instances create -j 1 -u "$TOP/share/setup.sh.in" 2>/dev/null |
	ip-dns create > "$T/made" 2>/dev/null
is "$(jq -r 'select(.type == "server") | "\(.name) \(.instance.ipv4)"' "$T/made" | sort | tr '\n' ' ')" \
	"s1 127.0.100.1 s2 127.0.100.2 s3 127.0.100.3 " "three servers with their addresses"
matrix_start st-party 3 2:absent || { fail "matrix_start"; done_testing; exit 1; }
INSTALL_PARTY_CHECK_ARGS="$MX_CHECK_ARGS --timeout 5"
export INSTALL_PARTY_CHECK_ARGS

run install-party status
is "$rc" 1 "exit 1: s2 has no homeserver yet"
like "$out" "^2/3 federate, 2/3 have a homeserver, 3/3 serve Element$" "the summary line"
like "$out" "^\\| s2 +\\| s2\\.st-party\\.example\\.com +\\| ok +\\| ok +\\| ok +\\| ok +\\| - +\\| ok +\\| - +\\| - +\\| +\\| element +\\|$" \
	"s2's row: Element, no homeserver"
like "$out" "^\\| s1 .*\\| Synapse 1\\.98\\.0 \\| federation \\|$" "s1's row: federates"

run install-party status -s s1 -s s3
is "$rc" 0 "exit 0 when every selected server federates"
is "$(printf '%s\n' "$out" | grep -c '^| s[0-9]')" 2 "-s: only the selected servers"

run install-party status --json -s s3
is "$rc" 0 "--json: exit 0"
is "$(printf '%s\n' "$out" | jq -r '[.type, .name, .check.stage, (.check | keys | join(","))] | @tsv')" \
	"$(printf 'server\ts3\tfederation\tclient_api,dns,element,federation,https,keys,ssh,stage,well_known')" \
	"--json: the checked server object, every check and the stage"

run install-party status -s s2 --html "$T/board.html"
is "$rc" 1 "--html: the board's exit status"
grep -q 'class="sum">0/1 federate' "$T/board.html"
ok "$?" "--html: the page has the summary"

# --watch without a terminal: plain boards, one after another; Ctrl-C ends it with 0.
timeout --preserve-status -s INT 3 install-party status -s s1 --watch 1 > "$T/watch.out" 2> "$T/watch.err"
is "$?" 0 "--watch: Ctrl-C ends it with exit 0"
n=$(grep -c '^1/1 federate' "$T/watch.out")
ok "$([ "$n" -ge 2 ]; echo $?)" "--watch: a board every second ($n boards)"
grep -q "$(printf '\033')" "$T/watch.out"
is "$?" 1 "--watch without a terminal: no escape sequences"

# Ctrl-C while a round waits for a hung server (60 s, checks limited to
# 10 s) ends the watch at once, with 0, not after the check's timeout.
matrix_knobs '{"s1.st-party.example.com":["slow:60"]}'
t0=$(date +%s%N)
INSTALL_PARTY_CHECK_ARGS="$MX_CHECK_ARGS --timeout 10" \
	timeout --preserve-status -s INT 4 install-party status -s s1 --watch 1 > /dev/null 2> "$T/hung.err"
st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$st" 0 "--watch, a hung server: Ctrl-C ends it with exit 0"
ok "$([ "$ms" -lt 7000 ]; echo $?)" "at once, not after the 10 s check (${ms} ms)"
like "$(cat "$T/hung.err")" "interrupted: stopped at once, 1 in flight" "ip-check was the one stopped"
matrix_knobs '{}'

# Under script(1), a terminal: redrawn in place.  s3's federation breaks
# while the board watches, and the next round shows it.
if command -v script >/dev/null; then
	( sleep 2; matrix_knobs '{"s3.st-party.example.com":["fed502"]}' ) &
	TERM=xterm script -qfec "timeout --preserve-status -s INT 4 install-party status --watch 1; echo rc=\$?" \
	    "$T/typescript" > /dev/null 2>&1
	tr -d '\r' < "$T/typescript" > "$T/screen"
	like "$(cat "$T/screen")" "rc=0" "--watch under script(1): Ctrl-C ends it with exit 0"
	n=$(grep -c 'checked at [0-9:]*; again every 1 s' "$T/screen")
	ok "$([ "$n" -ge 2 ]; echo $?)" "--watch on a terminal: redrawn ($n times)"
	is "$(grep -c "$(printf '\033')\\[H$(printf '\033')\\[2J" "$T/screen")" 1 "the screen is cleared once"
	ok "$([ "$(grep -o "$(printf '\033')\\[H" "$T/screen" | wc -l)" -ge 3 ]; echo $?)" \
		"then each board is drawn over the last (cursor home)"
	like "$(cat "$T/screen")" "2/3 federate, 2/3 have a homeserver" "the board on the terminal"
	like "$(cat "$T/screen")" "1/3 federate, 2/3 have a homeserver" "and s3's trouble in a later round"
	like "$(cat "$T/screen")" "s3 federation: HTTP 502" "named"
else
	skip "script(1) is not installed (bsdutils)"
fi

done_testing
