#!/bin/sh
# ip-dns ls: exact namespace membership (dashed and plain namespaces),
# batch reads, the fallback to one GET per id, request counts.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/ovh_env.sh"

for ns in my-super-event party; do
	ovh_start $ns --record "alice.$ns:A:203.0.113.5" --record "alice.$ns:AAAA:2001:db8::5" \
	    --record "Bob.$ns:A:203.0.113.6" --record "b_b.$ns:A:203.0.113.7"
	run ip-dns -c "$OVH_CFG" ls
	is "$rc" 0 "$ns: ls exits 0"
	# DNS names are case-insensitive: Bob.NS is member bob's record
	is "$(printf '%s\n' "$out" | jq -r '[.name, .subdomain, .rtype, .target] | join(" ")' | LC_ALL=C sort | tr '\n' ,)" \
	    "alice alice.$ns A 203.0.113.5,alice alice.$ns AAAA 2001:db8::5,bob Bob.$ns A 203.0.113.6," "$ns: only the namespace's records, exactly (without case)"
	is "$(printf '%s\n' "$out" | jq -r 'select(.rtype == "A" and .name == "alice") | [.type, .name, .namespace, .domain, .zone, .provider, (.id|type), (.ttl|type)] | join(" ")')" \
	    "record alice $ns alice.$ns.example.com example.com ovh string number" "$ns: record object shape"
	# the id is exact although it is above 2^53
	is "$(printf '%s\n' "$out" | jq -r 'select(.rtype == "A" and .name == "alice") | .id')" \
	    "$(ovh_state ".records[] | select(.subDomain == \"alice.$ns\" and .fieldType == \"A\") | .id" | tr -d '"')" \
	    "$ns: large id kept exact"
done

# 200 records (+ 8 other A records in the zone): 1 time + 1 zone check
# + 2 lists (A, AAAA) + 5 batch reads of at most 50 ids.
ovh_start my-super-event --populate 200
run ip-dns -c "$OVH_CFG" ls
is "$(printf '%s\n' "$out" | grep -c '"type":"record"')" 200 "200 records listed"
is "$(ovh_count)" 9 "9 requests for 200 records (batch reads of 50)"
is "$(ovh_count '.batch == ","')" 5 "5 of them batch reads"
is "$(ovh_count '.status != 200')" 0 "no request refused"

# Without batch reads: one GET per id, at most -j at once.
ovh_start my-super-event --populate 40 --no-batch --latency-ms 20
run ip-dns -c "$OVH_CFG" -j 3 ls
is "$rc" 0 "ls without batch exits 0"
is "$(printf '%s\n' "$out" | grep -c '"type":"record"')" 40 "40 records listed one by one"
like "$err" "refused a batch read" "the fallback is reported"
n=$(ovh_count)
[ "$n" -ge 46 ] && [ "$n" -le 60 ]; ok $? "about one GET per id ($n requests)"
max=$(jq -s '[.[] | select(.path | test("/record/[0-9]+$")) | .t] as $t |
    [range(0; $t|length) as $i | [$t[] | select(. >= $t[$i] and . < $t[$i] + 0.015)] | length] | max' "$OVH_LOG")
[ "$max" -le 4 ]; ok $? "requests bounded by -j (at most $max started within 15 ms)"

# A failed listing emits nothing (a partial list would make orphans).
ovh_start my-super-event --populate 60 --fail-next 20 --fail-status 500 --fail-path /record/
run ip-dns -c "$OVH_CFG" ls
is "$rc" 1 "failed listing exits 1"
is "$out" "" "and emits nothing"
like "$err" "HTTP 500" "the failure is reported"

done_testing
