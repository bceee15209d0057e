#!/bin/sh
# ip-instances delete: idempotence, dry run, --wait, safety checks, server objects.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

os_start --delete-delay 0.5
C=$T/c.yaml
os_config "$C" party /v3
names() { printf '%s\n' "$1" | jq -r "select(.type==\"${2:-instance}\") | .name" | sort | tr '\n' ' '; }

ip-instances -c "$C" ls >"$T/ls"
is "$(names "$(cat "$T/ls")")" "alpha beta gamma " "three instances to start with"

: >"$OS_LOG"
run ip-instances -c "$C" delete -n "$T/ls"
is "$rc" 0 "dry run: exit 0"
is "$(wc -l <"$OS_LOG" | tr -d ' ')" 0 "dry run: not a single request (no DELETE, not even a token)"
is "$(printf '%s\n' "$out" | jq -r 'select(.dry_run==true and .deleted.instance==true) | .name' | sort | tr '\n' ' ')" \
    "alpha beta gamma " "dry run: each object marked dry_run and deleted.instance"
like "$err" "alpha: would delete instance party-alpha" "dry run: says what it would delete"

# forged objects: another namespace by name, by tag, an id that is someone else's
alpha_id=$(jq -r 'select(.name=="alpha") | .id' "$T/ls")
eml_id=$(os_servers | jq -r '.servers[] | select(.name=="party-e-ml") | .id')
{
	echo '{"type":"instance","name":"abc","namespace":"partyx","instance":"partyx-abc","id":"x"}'
	echo '{"type":"instance","name":"db","instance":"my-party-db","id":"x"}'
	echo "{\"type\":\"instance\",\"name\":\"e-ml\",\"instance\":\"party-e-ml\",\"id\":\"$eml_id\"}"
	echo "{\"type\":\"instance\",\"name\":\"zzz\",\"instance\":\"party-zzz\",\"id\":\"$alpha_id\"}"
	echo '{"type":"instance","name":"noid","instance":"party-noid"}'
} >"$T/forged"
: >"$OS_LOG"
run ip-instances -c "$C" delete "$T/forged"
is "$rc" 1 "forged objects: exit 1"
is "$(names "$out" error)" "abc db e-ml noid zzz " "forged objects: all refused with error objects"
like "$out" "belongs to namespace party-e: not deleted" "tagged for another namespace: refused"
like "$out" "is named party-alpha, not party-zzz: not deleted" "an id of another server: refused"
is "$(os_count '.method=="DELETE"')" 0 "forged objects: no DELETE sent"

# server objects (ip-join) and pass-through
jq -c 'select(.name=="beta") | {type:"server",name,namespace,state:"complete",instance:.,record:null,records:[],deleted:{records:1}}' "$T/ls" >"$T/srv"
echo '{"type":"server","name":"ghost","namespace":"party","state":"orphan-record","instance":null,"record":{},"records":[]}' >>"$T/srv"
echo '{"type":"error","name":"x","stage":"dns-delete","message":"m"}' >>"$T/srv"
jq -c 'select(.name!="beta")' "$T/ls" >>"$T/srv"
: >"$OS_LOG"
run ip-instances -c "$C" delete -w "$T/srv"
is "$rc" 0 "delete -w: exit 0"
is "$(printf '%s\n' "$out" | jq -r 'select(.type=="server" and .name=="beta") | [.deleted.records, .deleted.instance] | @tsv')" "1	true" \
    "server object: deleted.instance merged, deleted.records kept"
like "$out" '"name":"ghost"' "server without an instance passes through"
like "$out" '"stage":"dns-delete"' "error objects pass through"
is "$(names "$out")" "alpha gamma " "instance objects marked deleted"
is "$(os_count '.method=="DELETE" and .status==204')" 3 "three DELETEs"
last_del=$(jq -s '[.[] | select(.method=="DELETE") | .t] | max' "$OS_LOG")
is "$(jq -s --argjson t "$last_del" '[.[] | select(.method=="GET" and .t > $t and .status==404)] | length' "$OS_LOG")" 3 \
    "--wait: polled until each server was gone (404)"
run ip-instances -c "$C" ls
is "$out" "" "nothing left in the namespace"
is "$(os_servers | jq -r '[.servers[] | select(.name=="partyx-abc" or .name=="my-party-db" or .name=="party-e-ml" or .name=="xparty-foo")] | length')" 4 \
    "other namespaces' servers untouched"

# idempotence: deleting again is fine
run ip-instances -c "$C" delete "$T/ls"
is "$rc" 0 "delete again: exit 0"
is "$(printf '%s\n' "$out" | jq -r 'select(.deleted.instance==true) | .name' | sort | tr '\n' ' ')" "alpha beta gamma " \
    "delete again: still reported deleted"
like "$err" "alpha: instance already gone" "delete again: says already gone"

# nova deletes asynchronously: until it is gone, a deleted server is DELETING
os_knobs '{"delete_delay": 30}'
ip-names -c "$C" going | ip-instances -c "$C" create >"$T/going" 2>/dev/null
ip-instances -c "$C" delete "$T/going" >/dev/null 2>&1
is "$(os_servers | jq -r '.servers[] | select(.name=="party-going") | ."OS-EXT-STS:task_state"')" deleting \
    "a deleted server is still in nova, task state deleting"
is "$(ip-instances -c "$C" ls | jq -r 'select(.name=="going") | .status')" DELETING \
    "ls: its status is DELETING, not ACTIVE"
os_knobs '{"delete_delay": 0.5}'

# nova failing: error object, exit 1
ip-names -c "$C" doomed | ip-instances -c "$C" create >"$T/doomed" 2>/dev/null
: >"$OS_LOG"
os_knobs '{"error_rate": 1.0, "chaos_method": "DELETE"}'
run ip-instances -c "$C" delete "$T/doomed"
is "$rc" 1 "DELETE failing: exit 1"
like "$(printf '%s\n' "$out" | jq -r 'select(.type=="error") | .stage + ": " + .message')" \
    '^instances-delete: nova DELETE /nova/RegionOne/v2.1/[0-9a-f]+/servers/[0-9a-f-]+: HTTP 500: ' \
    "DELETE failing: an error object with the status"
is "$(os_count '.method=="DELETE"')" 5 "DELETE is retried (idempotent): 5 attempts"
os_knobs '{"error_rate": 0, "chaos_method": null}'

done_testing
