#!/bin/sh
# install-party create, list, delete on Hetzner Cloud (servers and DNS on
# the one simulator, one token), with decoys that must stay untouched.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"

cp "$TOP/examples/hetzner.yaml" "$T/example.yaml"; chmod 600 "$T/example.yaml"
run ip-names -c "$T/example.yaml" alice
is "$rc:$err" "0:" "examples/hetzner.yaml loads with no warning"

IP_POLL_MS=100 party_start_hetzner hz-party
export IP_POLL_MS=100
posts() { jq -s "[.[] | select(.method==\"POST\" and .path==\"$1\")] | length" "$PARTY_HZ_LOG"; }
state() { curl -s "$PARTY_HZ_URL/_sim/state" | jq -c "$1"; }

printf '#!/bin/sh\necho "post-install ran"\n' > "$T/post.sh"
run install-party create -N 3 -s "$T/post.sh" --log-dir "$T/logs"
is "$rc" 0 "create -N 3: exit 0"
is "$(printf '%s\n' "$out" | head -1)" "All servers have been created:" "the original tool's summary"
is "$(printf '%s\n' "$out" | grep -cE '^	- [a-z]{5}\.hz-party\.example\.com$')" 3 "one line per domain"
is "$(posts /v1/servers):$(jq -s '[.[] | select(.method=="POST" and (.path|endswith("/rrsets")))] | length' "$PARTY_HZ_LOG")" "3:3" \
    "three servers, three RRsets asked for"
is "$(cat "$T"/logs/*.log | grep -c '^post-install ran$')" 3 "provisioned over SSH at the servers' public IPv4"
is "$(state '[.servers[] | select(.labels["install-party"]=="hz-party" and (.name|test("^hz-party-[a-z]{5}$")))] | length')" 3 \
    "the servers carry the namespace label"

run install-party list
is "$rc" 0 "list: exit 0"
is "$(printf '%s\n' "$out" | grep -cE '^\| [a-z]+ +\| hz-party-[a-z]+ +\| [a-z]+\.hz-party\.example\.com +\| running +\| 127\.0\.100\.[0-9]+ +\|$')" 3 \
    "list: the three servers, complete"
unlike "$out" "decoy|other|x-ml|abc|Bad_Name" "list: no decoy"

keep=$(install-party list --json | jq -r .name | head -1)
run install-party delete --all --exclude "$keep"
is "$rc:$(printf '%s\n' "$out" | grep -c '^Deleted ')" "0:2" "delete --all --exclude: two deleted"
run install-party delete -a
is "$rc" 0 "delete -a: exit 0"
i=0
while [ "$(install-party list --json | jq -s length)" != 0 ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
run install-party list --json
is "$out" "" "nothing left in the namespace"
is "$(state '[.servers[].name | select(test("decoy|other|x-ml|abc|Bad_Name|xhz"))] | length')" 6 "every decoy server is still there"
is "$(state '.violations | length')" 0 "no protected RRset was touched"
is "$(state '[.rrsets[] | select(.name|test("\\.hz-party$")) | select(.type=="A" and (.name|test("^[a-z]{5}\\.")))] | length')" 0 \
    "the namespace's RRsets are gone"
done_testing
