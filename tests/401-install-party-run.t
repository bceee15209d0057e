#!/bin/sh
# install-party create, list, delete against the simulators: the README's
# examples, the summaries, dry runs, dashed namespaces, failures.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"

party_start party-e
os_posts() { jq -s '[.[] | select(.method=="POST" and (.path|test("/servers$")))] | length' "$PARTY_OS_LOG"; }
os_deletes() { jq -s '[.[] | select(.method=="DELETE")] | length' "$PARTY_OS_LOG"; }
ovh_deletes() { jq -s '[.[] | select(.method=="DELETE")] | length' "$PARTY_OVH_LOG"; }

printf '#!/bin/sh\necho "post-install ran"\n' > "$T/post.sh"
run install-party create -N 3 -s "$T/post.sh" --log-dir "$T/party-logs"
is "$rc" 0 "create -N 3: exit 0"
is "$(printf '%s\n' "$out" | head -1)" "All servers have been created:" "the original tool's summary"
is "$(printf '%s\n' "$out" | grep -cE '^	- [a-z]{5}\.party-e\.example\.com$')" 3 "one tab-dash line per domain"
is "$(os_posts)" 3 "three servers requested"
is "$(cat "$T"/party-logs/*.log | grep -c '^post-install ran$')" 3 "the post-install script ran on each"
like "$err" "ip-provision: [a-z]{5}: web server answers" "progress on stderr"

# The web client's SHA-256 is computed here once and pinned in user data.
want=$(printf 'stand-in tarball /element-v1.11.85.tar.gz\n' | sha256sum | cut -d' ' -f1)
got=$(curl -s "$PARTY_OS_URL/_sim/servers" | jq -r '.servers[] | select(.name|startswith("party-e-")) | .user_data // empty' |
	sed -n "s/^ELEMENT_SHA256='\([0-9a-f]*\)'$/\1/p" | sort -u)
is "$got" "$want" "every server's user data pins the SHA-256 of the release, fetched once"

run install-party create --name alice -s "$T/post.sh" --log-dir "$T/mylogs"
is "$rc:$(printf '%s\n' "$out" | tail -1)" "0:	- alice.party-e.example.com" "create --name"
is "$(grep -c '^post-install ran$' "$T/mylogs/alice.log")" 1 "create --log-dir: the script's output, per server"
n=$(os_posts)
run install-party create -n alice
is "$rc" 2 "a name in use: exit 2"
like "$err" "alice: already exists in namespace party-e" "a name in use: said"
is "$(os_posts)" "$n" "a name in use: nothing requested"

run install-party list
is "$rc" 0 "list: exit 0"
is "$(printf '%s\n' "$out" | grep -cE '^\| [a-z]+ +\| party-e-[a-z]+ +\| [a-z]+\.party-e\.example\.com +\| ACTIVE +\| 127\.0\.100\.[0-9]+ +\|$')" 4 "list: the four servers, complete"
like "$out" "ORPHANED INSTANCES" "list: the simulator's own party-e-ml has no record: an orphan"
unlike "$out" "party-alpha|my-party-db|partyx|party-beta" "list: other namespaces never show"
run install-party list -H
unlike "$out" "ORPHANED" "list -H hides the orphans"
run install-party list --json
is "$(printf '%s\n' "$out" | jq -r .type | sort -u)" server "list --json: server objects"

run install-party delete --dry-run --all
is "$rc" 0 "delete -d -a: exit 0"
is "$(printf '%s\n' "$out" | grep -c '^Would delete ')" 5 "dry run: one line per server"
is "$(os_deletes):$(ovh_deletes)" "0:0" "dry run: no DELETE sent anywhere"

run install-party delete -s alice -s nobody
is "$rc" 1 "an unknown -s: exit 1"
like "$err" "nobody: no such server" "an unknown -s is named"
is "$(os_deletes):$(ovh_deletes)" "0:0" "an unknown -s: nothing deleted"

keep=$(install-party list --json | jq -r 'select(.state=="complete" and .name!="alice") | .name' | head -1)
run install-party delete --all --exclude alice --exclude "$keep"
is "$rc" 0 "delete --all --exclude: exit 0"
is "$(printf '%s\n' "$out" | grep -c '^Deleted ')" 3 "three servers deleted (two of ours, the orphan ml)"
party_settle 2
run install-party list --json
is "$(printf '%s\n' "$out" | jq -r .name | sort | tr '\n' ' ')" "$(printf '%s\n' alice "$keep" | sort | tr '\n' ' ')" "the excluded servers remain"
run install-party delete --server alice
is "$rc:$out" "0:Deleted alice: instance party-e-alice, record alice.party-e.example.com" "delete --server"
party_settle 1
run install-party delete -a
is "$rc" 0 "delete -a: exit 0"
party_settle 0
run install-party list --json
is "$out" "" "nothing left in the namespace"
servers=$(curl -s "$PARTY_OS_URL/_sim/servers" | jq -r '.servers[].name' | sort | tr '\n' ' ')
like "$servers" "party-alpha .*party-beta .*party-gamma" "namespace party's servers are untouched"
like "$servers" "my-party-db .*partyx-abc" "look-alike names are untouched"
is "$(curl -s "$PARTY_OVH_URL/_sim/state" | jq '.violations | length')" 0 "no protected record was touched"

done_testing
