#!/bin/sh
# ip-dns on Hetzner Cloud DNS: RRsets listed over pages with decoys, created,
# found again after a lost answer, deleted; nothing else is ever touched;
# the instances token serves both sections.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/hetzner_lib.sh"

hz_start --namespace party --populate-dns 60 --build-delay 0.1
C=$T/c.yaml
hz_config "$C" party
inst() { printf '{"type":"instance","name":"%s","namespace":"party","instance":"party-%s","id":"1","ipv4":"%s"%s}\n' "$1" "$1" "$2" "${3:+,\"ipv6\":\"$3\"}"; }

run ip-dns -c "$C" ls
is "$rc" 0 "ls: exit 0 (dns.args empty: the instances token and endpoint serve)"
is "$(printf '%s\n' "$out" | jq -r .name | grep -c '^h00[0-5][0-9]$')" 60 "ls: the namespace's 60 records, over pages"
is "$(printf '%s\n' "$out" | jq -r .subdomain | grep -vc '^h00[0-5][0-9]\.party$')" 0 "ls: no decoy (apex, www, a.b.party, bob.partyx, bob.other-party, bob-party, party, TXT, CNAME)"
is "$(hz_count '(.path|test("^/v1/zones/[0-9]+/rrsets$")) and (.query|test("type=A&.*per_page=50"))')" 2 "ls: A RRsets, 50 a page, two pages"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="h0000") | .id')" "h0000.party/A" "ls: a record's id is its RRset"

{ inst alice 203.0.113.5 2001:db8::1; inst bob 203.0.113.6; } >"$T/ab"
run ip-dns -c "$C" -6 create <"$T/ab"
is "$rc" 0 "create: exit 0"
is "$(printf '%s\n' "$out" | jq -r 'select(.type=="server") | .name' | sort | tr '\n' ' ')" "alice bob " "create: server objects"
is "$(hz_state '[.rrsets[] | select(.name=="alice.party" or .name=="bob.party") | "\(.name)/\(.type)=\(.records[0].value)/\(.ttl)"] | sort | join(" ")')" \
    '"alice.party/A=203.0.113.5/60 alice.party/AAAA=2001:db8::1/60 bob.party/A=203.0.113.6/60"' "create: the RRsets, with dns.ttl"

hz_fail '{"method":"POST","path":"/rrsets","drop":"after"}'
inst carol 203.0.113.7 >"$T/carol"
run ip-dns -c "$C" create <"$T/carol"
is "$rc:$(printf '%s\n' "$out" | jq -r .type)" "0:server" "an answer lost after the write: the RRset is found, exactly ours"
is "$(hz_state '[.rrsets[] | select(.name=="carol.party")] | length')" 1 "one RRset"
inst carol 203.0.113.99 >"$T/carol2"
run ip-dns -c "$C" create <"$T/carol2"
is "$rc" 1 "a name already pointing elsewhere: exit 1"
like "$err" "carol.party already has an A record pointing to 203.0.113.7" "and why"

run ip-dns -c "$C" ls
printf '%s\n' "$out" | jq -c 'select(.name=="alice" or .name=="carol")' >"$T/del"
run ip-dns -c "$C" delete <"$T/del"
is "$rc" 0 "delete: exit 0"
is "$(hz_state '[.rrsets[] | select(.name=="alice.party" or .name=="carol.party")] | length')" 0 "delete: alice's A and AAAA, carol's A are gone"
printf '{"type":"record","name":"zed","namespace":"party","subdomain":"zed.party","zone":"example.com","id":"www/A"}\n' >"$T/forged"
printf '{"type":"record","name":"zed","namespace":"party","subdomain":"zed.party","zone":"example.com","id":"zed.party/TXT"}\n' >>"$T/forged"
run ip-dns -c "$C" delete <"$T/forged"
is "$rc" 1 "a record whose id names another RRset: exit 1"
like "$err" "zed: the zone's record with this id is outside the namespace: nothing deleted" "refused, with why"
is "$(hz_state '.violations | length')" 0 "nothing protected was touched (apex, www, TXT, CNAME, other namespaces)"
is "$(hz_state '[.rrsets[] | select(.name=="bob.party")] | length')" 1 "bob's record is still there"

hz_config "$T/own.yaml" party "" " token: wrong-dns-token-9, endpoint: \"$HZ_URL/v1\" "
run ip-dns -c "$T/own.yaml" ls
is "$rc" 2 "dns.args.token of its own, wrong: exit 2"
like "$err" "hetzner GET /zones: HTTP 401: unauthorized: unable to authenticate; check the token" "Hetzner's error and what to check"
unlike "$err" "wrong-dns-token-9" "the token is never printed"
sed 's/zone: example.com/zone: example.org/' "$C" >"$T/nozone.yaml"
chmod 600 "$T/nozone.yaml"
run ip-dns -c "$T/nozone.yaml" ls
is "$rc" 2 "a zone not in the project: exit 2"
like "$err" "zone example.org: not in this Hetzner Cloud project" "said"
if command -v valgrind >/dev/null; then
	vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@"; }
	inst vg1 203.0.113.9 >"$T/vg"
	run vg "$IP_PLAIN_BINDIR/ip-dns" -c "$C" create <"$T/vg"
	is "$rc" 0 "valgrind: create clean"
	printf '%s\n' "$out" >"$T/vg.srv"
	run vg "$IP_PLAIN_BINDIR/ip-dns" -c "$C" delete <"$T/vg.srv"
	is "$rc:$(hz_state '[.rrsets[] | select(.name=="vg1.party")] | length')" "0:0" "valgrind: delete clean"
else
	skip "valgrind is not installed"
	skip "valgrind is not installed"
fi
done_testing
