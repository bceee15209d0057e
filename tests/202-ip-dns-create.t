#!/bin/sh
# ip-dns create: server objects, one refresh for records arriving together,
# nothing emitted before its refresh, conflicts, id 0, AAAA, pass-through.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/ovh_env.sh"

for ns in my-super-event party; do
	ovh_start $ns
	i=0; : >"$T/in"
	while [ $i -lt 30 ]; do ovh_instance "n$i" "203.0.113.$((i + 1))" >>"$T/in"; i=$((i + 1)); done
	run sh -c "ip-dns -c '$OVH_CFG' create <'$T/in'"
	is "$rc" 0 "$ns: 30 creations exit 0"
	is "$(printf '%s\n' "$out" | jq -r 'select(.type == "server" and .state == "complete") | .name' | sort | tr '\n' ' ')" \
	    "$(i=0; while [ $i -lt 30 ]; do echo n$i; i=$((i + 1)); done | sort | tr '\n' ' ')" "$ns: 30 server objects"
	is "$(ovh_state .refreshes)" 1 "$ns: one refresh for 30 records"
	is "$(ovh_state '[.records[] | select(.pending)] | length')" 0 "$ns: every record live (refreshed)"
	is "$(printf '%s\n' "$out" | jq -c 'select(.name == "n0") | [.domain, .record.target, .record.ttl, .instance.id, (.records|length), .record.rtype]')" \
	    "[\"n0.$ns.example.com\",\"203.0.113.1\",60,\"i-n0\",1,\"A\"]" "$ns: server object shape"
	is "$(ovh_count '.method == "POST" and (.path|endswith("/record"))')" 30 "$ns: one POST per record"
done

# Records are not emitted before their refresh: a failing refresh means
# error objects only.
ovh_start my-super-event --fail-next 10 --fail-status 500 --fail-path /refresh
{ ovh_instance alice 203.0.113.5; ovh_instance bob 203.0.113.6; } >"$T/in2"
run sh -c "ip-dns -c '$OVH_CFG' create <'$T/in2'"
is "$rc" 1 "failed refresh exits 1"
is "$(printf '%s\n' "$out" | jq -r '.type' | sort | uniq -c | tr -s ' ')" " 2 error" "no server emitted without its refresh"
like "$out" '"stage":"dns-create"' "errors come from dns-create"
is "$(ovh_state '[.records[] | select(.pending and (.subDomain | startswith("alice") or startswith("bob.")))] | length')" 2 \
    "the simulator shows the unrefreshed records"

# Idempotent: the same record again is reused, another target is an error.
ovh_start my-super-event --record "alice.my-super-event:A:203.0.113.5" --record "carol.my-super-event:A:198.51.100.9"
{ ovh_instance alice 203.0.113.5; ovh_instance carol 203.0.113.7;
  echo '{"type":"error","name":"x","stage":"instances-create","message":"boom"}'; } >"$T/in3"
run sh -c "ip-dns -c '$OVH_CFG' create <'$T/in3'"
is "$rc" 1 "a conflicting record exits 1"
like "$out" '"type":"error","name":"carol","stage":"dns-create","message":"carol.my-super-event already has an A record pointing to 198.51.100.9' "conflict reported as an error object"
like "$out" '"stage":"instances-create","message":"boom"' "other objects pass through"
like "$out" '"type":"server","name":"alice"' "an existing identical record is reused"
is "$(ovh_count '.method == "POST" and (.path|endswith("/record"))')" 0 "nothing created"
unlike "$(ovh_state '.records[] | select(.subDomain == "a.b.my-super-event") | .id')" '^$' "the like filter's extra matches are left alone"

# The known "id: 0" answer; -6 adds AAAA.
ovh_start my-super-event --id-zero 2
ovh_instance dave 203.0.113.8 2001:db8::8 >"$T/in4"
run sh -c "ip-dns -c '$OVH_CFG' create -6 <'$T/in4'"
is "$rc" 0 "id 0 answers handled"
is "$(printf '%s\n' "$out" | jq -r '[.records[] | .rtype + " " + .target + " " + (.id != "0" | tostring)] | sort | join(",")')" \
    "A 203.0.113.8 true,AAAA 2001:db8::8 true" "real ids found for A and AAAA"
is "$(printf '%s\n' "$out" | jq -r '.records[].id' | sort | tr '\n' ' ')" \
    "$(ovh_state '.records[] | select(.subDomain == "dave.my-super-event") | .id' | tr -d '"' | sort | tr '\n' ' ')" "ids match the zone"

# Bad instances: no address, other namespace.
ovh_start my-super-event
{ echo '{"type":"instance","name":"eve","namespace":"my-super-event","ipv4":null}';
  echo '{"type":"instance","name":"fay","namespace":"other","ipv4":"203.0.113.9"}';
  ovh_instance gus 203.0.113.10; ovh_instance gus 203.0.113.11; } >"$T/in5"
run sh -c "ip-dns -c '$OVH_CFG' create <'$T/in5'"
is "$rc" 1 "bad instances exit 1"
is "$(printf '%s\n' "$out" | jq -r '.type + " " + .name' | sort | tr '\n' ,)" "error eve,error fay,error gus,server gus," "each becomes an error object"
is "$(ovh_count '.method == "POST" and (.path|endswith("/record"))')" 1 "only the first gus is created"
is "$(printf '%s\n' "$out" | jq -r 'select(.type == "server") | .record.target')" 203.0.113.10 "with the first address"

done_testing
