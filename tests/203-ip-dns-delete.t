#!/bin/sh
# ip-dns delete: record and server objects, untouchable records stay,
# idempotent, one refresh at the end, dry run sends nothing.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/ovh_env.sh"

for ns in my-super-event party; do
	ovh_start $ns --record "alice.$ns:A:203.0.113.5" --record "alice.$ns:AAAA:2001:db8::5" \
	    --record "bob.$ns:A:203.0.113.6"
	before=$(ovh_state '[.records[] | select(.protected)] | length')
	run sh -c "ip-dns -c '$OVH_CFG' ls >'$T/ls'"
	n0=$(ovh_count)
	run sh -c "ip-dns -c '$OVH_CFG' -n delete <'$T/ls'"
	is "$rc" 0 "$ns: dry run exits 0"
	is "$(ovh_count)" "$n0" "$ns: dry run sends nothing"
	is "$(printf '%s\n' "$out" | jq -c 'select(.dry_run) | .deleted' | sort -u)" '{"records":1}' "$ns: dry run says what it would delete"
	is "$(ovh_state '.records | length')" "$(ovh_state '.records | length')" "$ns: (zone read)"
	run sh -c "ip-dns -c '$OVH_CFG' delete <'$T/ls'"
	is "$rc" 0 "$ns: delete exits 0"
	is "$(printf '%s\n' "$out" | jq -r 'select(.deleted.records == 1) | .subdomain + " " + .rtype' | sort | tr '\n' ,)" \
	    "alice.$ns A,alice.$ns AAAA,bob.$ns A," "$ns: each record object comes back with deleted.records"
	is "$(ovh_state "[.records[] | select(.subDomain == \"alice.$ns\" or .subDomain == \"bob.$ns\")] | length")" 0 "$ns: records gone"
	is "$(ovh_state '[.records[] | select(.protected)] | length')" "$before" "$ns: untouchable records stay"
	is "$(ovh_state '.violations | length')" 0 "$ns: no untouchable record was deleted"
	is "$(ovh_state .refreshes)" 1 "$ns: one refresh at the end"
	is "$(ovh_state '.pending_deletes | length')" 0 "$ns: deletions live"
	# again: the zone no longer has them, so nothing is sent
	nd=$(ovh_count '.method == "DELETE"')
	run sh -c "ip-dns -c '$OVH_CFG' delete <'$T/ls'"
	is "$rc" 0 "$ns: deleting again exits 0 (idempotent)"
	is "$(ovh_count '.method == "DELETE"')" "$nd" "$ns: records no longer in the zone: no DELETE sent"
done

# Server objects (as ip-join emits them): all their records; orphans pass.
ovh_start my-super-event --record "carol.my-super-event:A:203.0.113.7" --record "carol.my-super-event:AAAA:2001:db8::7"
ids=$(ovh_state '[.records[] | select(.subDomain == "carol.my-super-event")] | map({type:"record", name:"carol", subdomain:.subDomain, zone:.zone, id:.id, rtype:.fieldType, target:.target})')
printf '{"type":"server","name":"carol","state":"complete","instance":{"type":"instance","name":"carol"},"record":null,"records":%s}\n' "$ids" >"$T/srv"
echo '{"type":"server","name":"dan","state":"orphan-instance","instance":{"type":"instance","name":"dan"},"record":null,"records":[]}' >>"$T/srv"
echo '{"type":"error","name":"x","stage":"dns-create","message":"m"}' >>"$T/srv"
run sh -c "ip-dns -c '$OVH_CFG' delete <'$T/srv'"
is "$rc" 0 "server delete exits 0"
is "$(printf '%s\n' "$out" | jq -c '[.name, .deleted]' | sort | tr '\n' ' ')" '["carol",{"records":2}] ["dan",null] ["x",null] ' \
    "server gets deleted.records; others pass through"
is "$(ovh_state '[.records[] | select(.subDomain == "carol.my-super-event")] | length')" 0 "both records deleted"

# Records outside the namespace are refused before anything is sent.
id=$(ovh_state '.records[] | select(.subDomain == "a.b.my-super-event") | .id')
for sub in a.b.my-super-event www bob.my-super-eventx my-super-event; do
	printf '{"type":"record","name":"b","subdomain":"%s","zone":"example.com","id":%s}\n' "$sub" "$id"
done >"$T/bad"
n0=$(ovh_count '.method == "DELETE"')
run sh -c "ip-dns -c '$OVH_CFG' delete <'$T/bad'"
is "$rc" 1 "foreign records exit 1"
is "$(printf '%s\n' "$out" | jq -r .type | sort | uniq -c | tr -s ' ')" " 4 error" "each is an error object"
is "$(ovh_count '.method == "DELETE"')" "$n0" "no DELETE sent"

# A failed deletion of a server: an error object instead (instance kept).
ovh_start my-super-event --record "erin.my-super-event:A:203.0.113.8" --fail-next 10 --fail-status 500 --fail-path /record/ --fail-method DELETE
ids=$(ovh_state '[.records[] | select(.subDomain == "erin.my-super-event")] | map({type:"record", name:"erin", subdomain:.subDomain, id:.id})')
printf '{"type":"server","name":"erin","state":"complete","records":%s}\n' "$ids" >"$T/srv2"
run sh -c "ip-dns -c '$OVH_CFG' delete <'$T/srv2'"
is "$rc" 1 "failed deletion exits 1"
like "$out" '^\{"type":"error","name":"erin","stage":"dns-delete","message":".*HTTP 500' "error object instead of the server"

done_testing
