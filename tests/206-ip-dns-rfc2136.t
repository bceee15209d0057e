#!/bin/sh
# ip-dns, rfc2136 provider, against a real named (BIND 9) and a real knotd
# (Knot DNS): ls is exact, create and delete touch members only, conflicts
# are refused by the server's prerequisites, wrong keys get the server's own
# error, large answers fall back to TCP, and dig confirms every step.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/dns_lib.sh"

inst() {	# inst NAME IPV4 [IPV6]: an instance object
	v6=null; [ -n "${3:-}" ] && v6="\"$3\""
	printf '{"type":"instance","name":"%s","namespace":"%s","instance":"%s-%s","ipv4":"%s","ipv6":%s}\n' \
	    "$1" "$DNS_NS" "$DNS_NS" "$1" "$2" "$v6"
}
# The zone as the server has it (signed AXFR by dig), SOA aside, sorted.
zone_dump() {
	dig +nocmd +nostats +noall +answer -y "hmac-sha256:ip-key:$DNS_KEY" \
	    @127.0.0.1 -p "$DNS_PORT" "$DNS_ZONE" AXFR | awk '$4 != "SOA" { print $1, $2, $4, $5 }' | sort
}
# As from a terminal: its own process group, SIGINT not ignored (a shell
# starts background jobs with SIGINT ignored).
interactive() {
	exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}
records() {	# the name, type and target of ip-dns's record objects, sorted
	printf '%s\n' "$out" | jq -r 'select(.type == "record") | "\(.name) \(.rtype) \(.target)"' | sort
}

for srv in bind knot; do
	if ! dns_start "$srv"; then
		skip "$srv: $DNS_WHY"
		continue
	fi
	zone_dump >"$T/before"
	is "$(grep -c . "$T/before")" 1551 "$srv: the zone is served and signed transfers work (dig)"

	# ls: exactly the members' A and AAAA records, in several AXFR messages
	run ip-dns -c "$DNS_CFG" ls
	is "$rc" 0 "$srv: ls exits 0"
	{ echo "alice A 198.51.100.1"; echo "alice AAAA 2001:db8::1"
	  i=1; while [ $i -le 40 ]; do echo "big A 10.0.0.$i"; i=$((i + 1)); done; } | sort >"$T/want"
	records >"$T/got"
	same_file "$T/got" "$T/want" "$srv: ls lists the members only (not the apex, www, TXT, CNAME, other namespace, deeper name)"
	is "$(printf '%s\n' "$out" | jq -r 'select(.name == "alice" and .rtype == "A") | [.id, .subdomain, .domain, .ttl, .provider] | join(" ")')" \
	    "alice.party/A alice.party alice.party.example.com 300 rfc2136" "$srv: record object shape"

	# examples/rfc2136.yaml, pointed at this server, works as it is
	sed -e "s/^  namespace: .*/  namespace: $DNS_NS/" -e "s/server: .*/server: 127.0.0.1/" \
	    -e "s/port: 53/port: $DNS_PORT/" -e "s/key_name: .*/key_name: ip-key/" \
	    -e "s|key_secret: .*|key_secret: $DNS_KEY|" "$TOP/examples/rfc2136.yaml" >"$T/example.yaml"
	chmod 600 "$T/example.yaml"
	run ip-dns -c "$T/example.yaml" ls
	is "$rc:$err:$(records | wc -l | tr -d ' ')" "0::42" "$srv: examples/rfc2136.yaml loads without a warning and lists"

	# create: new, same address (reused), another address (refused), a
	# CNAME in the way (the server's prerequisite), -6
	{ inst carol 203.0.113.3; inst alice 198.51.100.1; inst big 10.0.0.99
	  inst alias 203.0.113.4; inst dan 203.0.113.5 2001:db8::5; } >"$T/in"
	run sh -c "ip-dns -c '$DNS_CFG' -j 3 create -6 <'$T/in'"
	is "$rc" 1 "$srv: create exits 1 when some item failed"
	is "$(printf '%s\n' "$out" | jq -r 'select(.type == "server") | .name' | sort | tr '\n' ' ')" \
	    "alice carol dan " "$srv: server objects for the new and the identical records"
	like "$out" '"name":"big","stage":"dns-create","message":"big.party already has an A record pointing to 10\.0\.0\.[0-9]+ \(id big.party/A\), not to 10.0.0.99"' \
	    "$srv: a different address is refused (its 40 records came over TCP)"
	like "$(dig +notcp +ignore +noedns @127.0.0.1 -p "$DNS_PORT" big.party.example.com A)" 'flags: qr aa tc' \
	    "$srv: that answer is truncated over UDP (dig)"
	like "$out" '"name":"alias","stage":"dns-create","message":"UPDATE add alias.party.example.com. A: 127.0.0.1 port [0-9]+: the server answered YXRRSET: .*nothing was replaced"' \
	    "$srv: a CNAME in the way fails the update's prerequisite"
	is "$(dns_dig carol.party.example.com A)" 203.0.113.3 "$srv: carol's A record is served (dig)"
	is "$(dig +noall +answer +tcp @127.0.0.1 -p "$DNS_PORT" carol.party.example.com A | awk '{ print $2 }')" 120 \
	    "$srv: with dns.ttl (dig)"
	is "$(dns_dig dan.party.example.com AAAA)" 2001:db8::5 "$srv: dan's AAAA record is served (dig)"
	is "$(dns_dig alias.party.example.com CNAME)" www.example.com. "$srv: the CNAME is untouched (dig)"
	zone_dump >"$T/after"
	is "$(diff "$T/before" "$T/after" | grep '^[<>]' | awk '{ print $1, $2, $4, $5 }' | tr '\n' ' ')" \
	    "> carol.party.example.com. A 203.0.113.3 > dan.party.example.com. A 203.0.113.5 > dan.party.example.com. AAAA 2001:db8::5 " \
	    "$srv: the zone changed by exactly the three new records (dig AXFR)"

	# many at once, bounded by -j
	i=0; : >"$T/many"
	while [ $i -lt 20 ]; do inst "m$i" "203.0.113.$((100 + i))" >>"$T/many"; i=$((i + 1)); done
	run sh -c "ip-dns -c '$DNS_CFG' -j 8 create <'$T/many'"
	is "$rc" 0 "$srv: 20 creations at -j 8 exit 0"
	is "$(dns_dig m19.party.example.com A)" 203.0.113.119 "$srv: the last one is served (dig)"

	# delete: members only, exactly the listed RRsets
	run sh -c "ip-dns -c '$DNS_CFG' ls | jq -c 'select(.name | test(\"^(carol|dan|m[0-9]+)\$\"))' | ip-dns -c '$DNS_CFG' -j 4 delete"
	is "$rc" 0 "$srv: delete exits 0"
	is "$(printf '%s\n' "$out" | jq -r 'select(.deleted) | .name' | sort -u | wc -l | tr -d ' ')" 22 "$srv: 22 servers' records deleted"
	is "$(dns_dig carol.party.example.com A)$(dns_dig dan.party.example.com ANY)" "" "$srv: carol and dan are gone (dig)"
	zone_dump >"$T/after"
	same_file "$T/after" "$T/before" "$srv: the zone is as it was (dig AXFR)"
	run sh -c "ip-dns -c '$DNS_CFG' ls | jq -c 'select(.name == \"carol\")' | ip-dns -c '$DNS_CFG' delete"
	is "$rc" 0 "$srv: nothing left to delete exits 0"

	# forged records: an id naming another name, records outside the namespace,
	# a member-shaped name's TXT RRset (not among the zone's A and AAAA
	# records: nothing is sent for it, the object passes unchanged)
	run sh -c "printf '%s\n' '{\"type\":\"record\",\"name\":\"carol\",\"subdomain\":\"carol.party\",\"zone\":\"example.com\",\"id\":\"www/A\",\"rtype\":\"A\"}' \
	    '{\"type\":\"record\",\"name\":\"www\",\"subdomain\":\"www\",\"zone\":\"example.com\",\"id\":\"www/A\",\"rtype\":\"A\"}' \
	    '{\"type\":\"record\",\"name\":\"c\",\"subdomain\":\"deep.carol.party\",\"id\":\"deep.carol.party/A\",\"rtype\":\"A\"}' \
	    '{\"type\":\"record\",\"name\":\"note\",\"subdomain\":\"note.party\",\"id\":\"note.party/TXT\",\"rtype\":\"A\"}' \
	    | ip-dns -c '$DNS_CFG' delete"
	is "$rc" 1 "$srv: forged records exit 1"
	is "$(printf '%s\n' "$out" | jq -r '.message' | tr '\n' '|')" \
	    "the zone's record with this id is outside the namespace: nothing deleted|a record outside the namespace: nothing deleted|a record outside the namespace: nothing deleted|null|" \
	    "$srv: each is refused"
	zone_dump >"$T/after"
	same_file "$T/after" "$T/before" "$srv: nothing was deleted (dig AXFR)"

	# wrong keys: the server's own error, exit 2, nothing changed
	dns_write_config "$T/badsig.yaml" "$DNS_OTHER_KEY"
	run sh -c "printf '%s\n' '$(inst eve 203.0.113.9)' | ip-dns -c '$T/badsig.yaml' create"
	is "$rc" 2 "$srv: a wrong secret exits 2"
	like "$err" "SOA example.com.: 127.0.0.1 port $DNS_PORT: the server answered NOTAUTH \(TSIG error BADSIG\): .*key_secret" \
	    "$srv: ... with the server's NOTAUTH/BADSIG"
	unlike "$err" "$DNS_OTHER_KEY" "$srv: the secret is not in the message"
	dns_write_config "$T/badkey.yaml" "$DNS_KEY" no-such-key
	run ip-dns -c "$T/badkey.yaml" ls
	is "$rc" 2 "$srv: an unknown key exits 2"
	like "$err" "the server answered NOTAUTH \(TSIG error BADKEY\): the server does not know this key" \
	    "$srv: ... with the server's NOTAUTH/BADKEY"
	is "$out" "" "$srv: ... and lists nothing"
	# a clock an hour off (the plain build: faketime and ASan do not mix)
	if command -v faketime >/dev/null; then
		run env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f -1h "$IP_PLAIN_BINDIR/ip-dns" -c "$DNS_CFG" ls
		is "$rc:$out" 2: "$srv: a clock an hour off exits 2"
		like "$err" "the server answered NOTAUTH \(TSIG error BADTIME\): our clock and the server's differ" \
		    "$srv: ... with the server's NOTAUTH/BADTIME"
	else
		skip "$srv: faketime is not installed (BADTIME)"
	fi
	# a key that is valid for another zone only
	dns_write_config "$T/other.yaml" "$DNS_OTHER_KEY" other-key
	run sh -c "printf '%s\n' '$(inst eve 203.0.113.9)' | ip-dns -c '$T/other.yaml' create"
	ok "$([ "$rc" != 0 ] && echo 0)" "$srv: another zone's key cannot update this zone"
	like "$err" "the server answered (REFUSED|NOTAUTH \(TSIG error BADKEY\))" "$srv: ... the server says so"
	is "$(dns_dig eve.party.example.com A)" "" "$srv: ... and nothing was added (dig)"

	# threads, sockets and ldns under valgrind (the plain build)
	if [ "$srv" = bind ] && command -v valgrind >/dev/null; then
		vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
		run sh -c "printf '%s\n' '$(inst vg 203.0.113.77 2001:db8::77)' '$(inst alias 203.0.113.78)' |
		    $vg '$IP_PLAIN_BINDIR/ip-dns' -c '$DNS_CFG' -6 create"
		is "$rc" 1 "$srv: valgrind: create (one item fails) exits 1"
		unlike "$err" "==[0-9]+==" "$srv: valgrind: create: no report"
		run sh -c "$vg '$IP_PLAIN_BINDIR/ip-dns' -c '$DNS_CFG' ls | grep '\"vg\"' |
		    $vg '$IP_PLAIN_BINDIR/ip-dns' -c '$DNS_CFG' delete"
		is "$rc:$(printf '%s\n' "$out" | grep -c deleted)" 0:2 "$srv: valgrind: ls and delete"
		unlike "$err" "==[0-9]+==" "$srv: valgrind: ls, delete: no report"
		is "$(dns_dig vg.party.example.com A)" "" "$srv: valgrind run left nothing (dig)"
	fi

	# Ctrl-C: no more input is read, the work in flight ends, exit 1
	mkfifo "$T/fifo"
	interactive ip-dns -c "$DNS_CFG" create <"$T/fifo" >"$T/int.out" 2>"$T/int.err" &
	pid=$!
	exec 7>"$T/fifo"
	inst int1 203.0.113.61 >&7
	n=0; while [ $n -lt 50 ] && [ -z "$(dns_dig int1.party.example.com A)" ]; do sleep 0.1; n=$((n + 1)); done
	kill -INT "-$pid"	# a terminal's Ctrl-C
	n=0; while [ $n -lt 50 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
	kill -0 $pid 2>/dev/null && { fail "$srv: Ctrl-C ends create"; kill $pid; } || pass "$srv: Ctrl-C ends create within 5 s"
	wait $pid; irc=$?
	exec 7>&-
	rm -f "$T/fifo"
	is "$irc" 1 "$srv: ... with exit 1"
	like "$(cat "$T/int.err")" "interrupted: no new servers; finishing" "$srv: ... and says so"
	like "$(cat "$T/int.out")" '"type":"server","name":"int1"' "$srv: ... the record made before is reported"
	dns_dig int1.party.example.com A >/dev/null
	printf '%s\n' "{\"type\":\"record\",\"name\":\"int1\",\"subdomain\":\"int1.party\",\"id\":\"int1.party/A\",\"rtype\":\"A\"}" |
	    ip-dns -q -c "$DNS_CFG" delete >/dev/null
	zone_dump >"$T/after"
	same_file "$T/after" "$T/before" "$srv: the zone is as it was at the end (dig AXFR)"
done

# No server there, or one that never answers: clear messages, exit 2.
DNS_PORT=$(free_port)
dns_write_config "$T/none.yaml" "$DNS_KEY"
run ip-dns -c "$T/none.yaml" ls
is "$rc" 2 "no server: exit 2"
like "$err" "SOA example.com.: 127.0.0.1 port $DNS_PORT: connection refused" "no server: connection refused"
bg python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
t = socket.socket(); t.bind(("127.0.0.1", int(sys.argv[1]))); t.listen(8)
print("up", flush=True); time.sleep(60)' "$DNS_PORT" >"$T/mute.out"
n=0; while [ $n -lt 50 ] && ! grep -q up "$T/mute.out"; do sleep 0.1; n=$((n + 1)); done
sed 's/timeout: 5/timeout: 1/' "$T/none.yaml" >"$T/mute.yaml"; chmod 600 "$T/mute.yaml"
start=$(date +%s)
run ip-dns -c "$T/mute.yaml" ls
is "$rc" 2 "a server that never answers: exit 2"
like "$err" "SOA example.com.: 127.0.0.1 port $DNS_PORT: no answer within 1 s \(dns.args.timeout\)" "... no answer within the timeout"
ok "$([ $(($(date +%s) - start)) -le 3 ] && echo 0)" "... bounded by dns.args.timeout"

# Configuration errors name the key, never the secret.
sed 's/key_secret: .*/key_secret: "not base64!"/' "$T/none.yaml" >"$T/b64.yaml"; chmod 600 "$T/b64.yaml"
run ip-dns -c "$T/b64.yaml" ls
is "$rc" 2 "a secret that is not base64: exit 2"
like "$err" "b64.yaml:[0-9]+:[0-9]+: dns.args.key_secret: expected the key's secret in base64" "... located"
unlike "$err" "not base64!" "... not echoed"
sed 's/key_algorithm: .*/key_algorithm: hmac-sha384/' "$T/none.yaml" >"$T/alg.yaml"; chmod 600 "$T/alg.yaml"
run ip-dns -c "$T/alg.yaml" ls
like "$err" "dns.args.key_algorithm: unsupported: use hmac-sha256" "an algorithm ldns cannot compute is refused"
done_testing
