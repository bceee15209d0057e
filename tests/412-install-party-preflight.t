#!/bin/sh
# install-party create's pre-flight (refusals create nothing; --check writes
# nothing), create --expires-in, delete --expired, list -v's Expires column.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"

# RegionOne holds 10 servers before the tests (none of namespace ip14)
party_start ip14 --quota 14
os_writes() { jq -s '[.[] | select(.service=="compute" and .method!="GET")] | length' "$PARTY_OS_LOG"; }
ovh_writes() { jq -s '[.[] | select(.method!="GET")] | length' "$PARTY_OVH_LOG"; }
records() { curl -s "$PARTY_OVH_URL/_sim/state" | jq -r '.records[] | select(.subDomain|endswith(".ip14")) | .subDomain' | sort | tr '\n' ' '; }
seed() {	# seed NAME METADATA-JSON
	curl -s -o /dev/null -X POST -d "{\"name\":\"$1\",\"created_ago\":3600,\"metadata\":$2}" "$PARTY_OS_URL/_sim/seed"
}

run install-party create -N 5
is "$rc" 2 "create -N 5 over the quota: exit 2"
like "$err" "ip-instances: the project has room for 4 more instances \(quota 14, used 10\); asked for 5" \
    "the refusal names the numbers"
like "$err" "the pre-flight check failed \(above\): nothing was created" "nothing was created, said"
is "$(os_writes):$(ovh_writes)" "0:0" "nothing was sent that writes"

run install-party create -N 3 --check
is "$rc" 0 "create --check: exit 0"
is "$(printf '%s\n' "$out" | head -1)" "The check passed; 3 servers would be created:" "says what would happen"
is "$(printf '%s\n' "$out" | grep -cE '^	- [a-z]{5}\.ip14\.example\.com$')" 3 "the three domains"
is "$(printf '%s\n' "$out" | tail -1)" "Nothing was created (--check)." "and that nothing was made"
run install-party create -N 3 --check --json
is "$(printf '%s\n' "$out" | jq -c '[.type, .ok, .asked, .limits.instances]')" '["check",true,3,{"max":14,"used":10}]' \
    "--check --json: the check object"
is "$(os_writes):$(ovh_writes)" "0:0" "--check: no write to either API (the simulators' request logs)"
is "$(jq -s '[.[] | select(.service=="compute" and (.path|test("/limits$|/flavors/|/images/")))] | length' "$PARTY_OS_LOG")" 9 \
    "each pre-flight asked for the limits, the flavor and the image (three runs)"

run install-party create -N 3 --check --expires-in 8h
like "$(printf '%s\n' "$out" | head -1)" "^The check passed; 3 servers would be created, ending at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z:$" \
    "--check --expires-in: when they would end"
run install-party create -N 2 --expires-in 8x
is "$rc" 2 "--expires-in 8x: a usage error"
like "$err" "--expires-in takes a duration such as 8h or 3d" "said"

# two servers that end in 1 s, one in 8 h, one without an end
run install-party create -N 2 --expires-in 1s
is "$rc" 0 "create --expires-in 1s"
run install-party create -n keeper --expires-in 8h
is "$rc" 0 "create --expires-in 8h"
run install-party create -n forever
is "$rc" 0 "create without an end time"
is "$(curl -s "$PARTY_OS_URL/_sim/servers" | jq -r '[.servers[] | select(.name|startswith("ip14-")) | .metadata["install-party-expires"] // "none" | sub("[0-9T:-]+Z$"; "time")] | sort | join(" ")')" \
    "none time time time" "the end time is in three servers' metadata"
# decoys: another namespace's expired server, one of ours tagged for
# another namespace, and our own with an end time that is not a time
seed other-old '{"install-party":"other","install-party-expires":"2020-01-01T00:00:00Z"}'
seed ip14-x-old '{"install-party":"ip14-x","install-party-expires":"2020-01-01T00:00:00Z"}'
seed ip14-bogus '{"install-party":"ip14","install-party-expires":"next week"}'
sleep 1.2

run install-party list
unlike "$out" "Expires" "list: the original's table, no Expires column"
run install-party -v list
like "$out" "^\| keeper +\| ip14-keeper +\| keeper\.ip14\.example\.com +\| ACTIVE +\| [0-9.]+ +\| [0-9T:-]+Z \|$" \
    "list -v: keeper's end time"
run install-party list --json
is "$(printf '%s\n' "$out" | jq -r 'select(.instance.expires != null) | .name' | sort | wc -l)" 3 "list --json: the instances carry expires"

expired=$(printf '%s\n' "$out" | jq -r 'select(.instance.expires != null and .name != "keeper") | .name' | sort | tr '\n' ' ')
before=$(records)
: >"$PARTY_OS_LOG"
: >"$PARTY_OVH_LOG"
run install-party delete --expired -d
is "$rc" 0 "delete --expired -d: exit 0"
is "$(printf '%s\n' "$out" | sed -n 's/^Would delete \([a-z]*\): .*/\1/p' | sort | tr '\n' ' ')" "$expired" "the dry run names the two expired servers"
is "$(os_writes):$(ovh_writes)" "0:0" "a dry run deletes nothing"

run install-party delete --expired
is "$rc" 0 "delete --expired: exit 0"
is "$(printf '%s\n' "$out" | sed -n 's/^Deleted \([a-z]*\): instance .*, record .*/\1/p' | sort | tr '\n' ' ')" "$expired" \
    "the two expired servers, instance and record"
party_settle 3
is "$(curl -s "$PARTY_OS_URL/_sim/servers" | jq -r '[.servers[] | select(.name|test("^(ip14|other)-")) | .name] | sort | join(" ")')" \
    "ip14-bogus ip14-forever ip14-keeper ip14-x-old other-old" "every decoy and unexpired server is intact"
want=$before
for x in $expired; do want=$(printf '%s' "$want" | sed "s/\(^\| \)$x\.ip14 /\1/"); done
like "$before" "a.b.ip14 .*forever.ip14 .*keeper.ip14 .*mx.ip14" "(the records before, the simulator's decoys among them: $before)"
is "$(records)" "$want" "only the expired servers' records are gone; the decoy records stay"

run install-party delete --expired -a
is "$rc" 2 "--expired with -a: a usage error"
run install-party delete --expired
is "$rc:$out" "0:Nothing to delete." "nothing left to expire"
done_testing
