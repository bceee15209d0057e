#!/bin/sh
# install-party create with failures injected: a quota refusal, a DNS
# failure, a server in ERROR: the README's partial summary, exit 1, and
# what was made is left in place for list.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"

PARTY_BUILD_DELAY=1.5 party_start fail-party
knob() { curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$1" "$PARTY_OS_URL/_sim/knobs"; }
used=$(curl -s "$PARTY_OS_URL/_sim/servers" | jq '[.servers[] | select(.region=="RegionOne" and .tenant_id=="0f3c7d2e9b8a4f61a5c4e3d2b1a09876")] | length')

# Room for three servers at the pre-flight, for two once someone else makes
# one while the run starts; and once they build, OVH refuses one call.
knob "{\"quota\": $((used + 3)), \"squat_on_create\": 1}"
install-party create -N 3 > "$T/out" 2> "$T/err" &
wrapper=$!
i=0
until [ "$(jq -s '[.[] | select(.method=="POST" and (.path|test("/servers$")) and .status==202)] | length' "$PARTY_OS_LOG")" = 2 ]; do
	i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.05
done
curl -s -o /dev/null -X POST -d '{"count":1,"status":403,"path":"/record"}' "$PARTY_OVH_URL/_sim/fail"
wait "$wrapper"
rc=$?
out=$(cat "$T/out") err=$(cat "$T/err")
is "$rc" 1 "a partial create: exit 1"
is "$(printf '%s\n' "$out" | head -1)" "1 servers over 3 have been created:" "the README's partial summary"
is "$(printf '%s\n' "$out" | grep -c '^	- [a-z]*\.fail-party\.example\.com$')" 1 "the created server's domain"
like "$out" "\\(instances-create\\): .*(Quota exceeded|quota)" "the quota failure and its reason"
like "$out" "\\(dns-create\\): " "the DNS failure"
like "$out" "left in place" "the summary says failures are left in place"
run install-party list
like "$out" "ORPHANED INSTANCES" "the instance whose DNS failed is listed as an orphan"

# Every server of the run in ERROR.
knob '{"quota": null, "fail_pattern": "doomed"}'
run install-party create -n doomed
is "$rc" 1 "an ERROR server: exit 1"
like "$out" "^All servers have failed to create." "all failed: the README's words"
like "$out" "doomed \\(instances-create\\): " "all failed: why"

# A provider that cannot be reached: nothing is created at all.
posts=$(jq -s '[.[] | select(.method=="POST" and (.path|test("/servers$")))] | length' "$PARTY_OS_LOG")
sed 's|application_secret: sim-as|application_secret: wrong|' "$T/party.yaml" > "$T/bad.yaml"; chmod 600 "$T/bad.yaml"
run install-party -c "$T/bad.yaml" create -N 2
is "$rc" 2 "bad DNS credentials: exit 2"
like "$err" "nothing was created" "bad DNS credentials: said"
is "$(jq -s '[.[] | select(.method=="POST" and (.path|test("/servers$")))] | length' "$PARTY_OS_LOG")" "$posts" \
    "bad DNS credentials: no server requested"

run install-party -c "$T/bad.yaml" list
is "$rc" 2 "list with bad DNS credentials: exit 2"
like "$err" "could not list the DNS records" "list: says which listing failed"
unlike "$out" "ORPHANED" "list: no half table (every instance would look orphaned)"
deletes=$(jq -s '[.[] | select(.method=="DELETE")] | length' "$PARTY_OS_LOG")
run install-party -c "$T/bad.yaml" delete -a
is "$rc" 2 "delete with bad DNS credentials: exit 2"
like "$err" "nothing was deleted" "delete: says nothing was deleted"
is "$(jq -s '[.[] | select(.method=="DELETE")] | length' "$PARTY_OS_LOG")" "$deletes" "delete: no instance deleted"

# A deletion that fails for one server keeps going with the others: nova
# answers 500 to the first five DELETEs (one server's try and four retries).
before=$(install-party list --json | jq -s length)
knob '{"fail_pattern": null, "error_first": 5, "chaos_method": "DELETE"}'
curl -s -o /dev/null -X POST "$PARTY_OS_URL/_sim/reset-counters"
run install-party delete -a -j 1
is "$rc" 1 "a deletion failing for one server: exit 1"
is "$(printf '%s\n' "$out" | grep -c '^Deleted ')" "$((before - 1))" "the other servers are deleted"
like "$out" "Failed:
	- [a-z]+ \(instances-delete\): .*500" "the failure is said, with nova's status"
party_settle 1
is "$(install-party list --json | jq -s length)" 1 "only the failed server is left, for a later run"
knob '{"error_first": 0, "chaos_method": null}'
run install-party delete -a
party_settle 0
is "$rc:$(install-party list --json | jq -s length)" "0:0" "a second run finishes the job"
done_testing
