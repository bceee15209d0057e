#!/bin/sh
# ip-instances ls: pagination, exact namespace membership, address choice, retries.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

os_start --page-size 2 --seed party:5 --seed partyx:2 --seed my-party:3
C=$T/c.yaml
names() { printf '%s\n' "$1" | jq -r .instance | sort | tr '\n' ' '; }
field() { printf '%s\n' "$out" | jq -r --arg i "$1" "select(.instance==\$i) | .$2"; }

os_config "$C" party /v3
run ip-instances -c "$C" ls
is "$rc" 0 "ls: exit 0"
is "$(names "$out")" "party-alpha party-beta party-gamma party-s000 party-s001 party-s002 party-s003 party-s004 " \
    "ls: exactly the namespace's instances (not my-party-db, partyx-*, xparty-foo, party, party-Bad_Name, party-e-ml)"
pages=$(os_count '.method=="GET" and (.path|endswith("/servers/detail"))')
[ "$pages" -ge 3 ]; ok $? "ls followed servers_links over $pages pages (page size 2)"
is "$(os_count '(.path|endswith("/servers/detail")) and (.query|test("^name=party-(&|$)")|not)')" 0 \
    "every page asked with the plain name filter"
is "$(printf '%s\n' "$out" | jq -c 'select(.name=="alpha") | [.type,.name,.namespace,.instance,.subdomain,.domain,.zone,.provider,.status,(.id|type)]')" \
    '["instance","alpha","party","party-alpha","alpha.party","alpha.party.example.com","example.com","openstack","ACTIVE","string"]' \
    "instance object: name fields, provider, status, string id"
like "$(field party-alpha created)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T' "created is an ISO time"
# alpha: Ext-Net + v6-only; beta: private (fixed + floating) + Ext-Net; gamma: private only
like "$(field party-alpha ipv4)" '^198\.51\.' "ipv4: the public address of Ext-Net"
like "$(field party-beta ipv4)" '^203\.0\.' "ipv4: a floating address wins over Ext-Net and 10.x"
like "$(field party-gamma ipv4)" '^203\.0\.' "ipv4: the floating address, not the first (private) one"
like "$(field party-alpha ipv6)" '^2001:db8:' "ipv6: a global address"
is "$(field party-gamma ipv6)" "null" "ipv6: null when there is none"

os_config "$C" party /v3 "    network: Ext-Net"
run ip-instances -c "$C" ls
like "$(field party-beta ipv4)" '^198\.51\.' "network pins the network: Ext-Net's address"
is "$(field party-gamma ipv4)" "null" "network pinned: null when the server is not on it"

os_config "$C" my-party /v3
run ip-instances -c "$C" ls
is "$(names "$out")" "my-party-db my-party-s000 my-party-s001 my-party-s002 " "dashed namespace: its own instances only"
os_config "$C" my /v3
run ip-instances -c "$C" ls
is "$(names "$out")" "" "namespace my: my-party-db is tagged for my-party, not listed"
os_config "$C" partyx /v3
run ip-instances -c "$C" ls
is "$(names "$out")" "partyx-abc partyx-s000 partyx-s001 " "namespace partyx: not party's"

os_config "$C" party /v3
: >"$OS_LOG"
os_knobs '{"error_first": 2}'
curl -s -o /dev/null -X POST "$OS_URL/_sim/reset-counters"
run ip-instances -c "$C" ls
is "$rc" 0 "500 twice: retried, exit 0"
is "$(printf '%s\n' "$out" | grep -c instance)" 8 "500 twice: full listing"
like "$err" "HTTP 500, retrying" "500: says it retries"

: >"$OS_LOG"
os_knobs '{"error_first": 0, "throttle_first": 1, "retry_after": 1}'
curl -s -o /dev/null -X POST "$OS_URL/_sim/reset-counters"
start=$(date +%s.%N)
run ip-instances -c "$C" ls
end=$(date +%s.%N)
is "$rc" 0 "429: retried, exit 0"
is "$(os_count '.status==429')" 1 "429: one throttled answer"
[ "$(python3 -c "print(int($end - $start >= 1))")" = 1 ]
ok $? "429: waited for Retry-After (1 s)"

: >"$OS_LOG"
os_knobs '{"throttle_first": 0, "drop_first": 1}'
curl -s -o /dev/null -X POST "$OS_URL/_sim/reset-counters"
run ip-instances -c "$C" ls
is "$rc" 0 "dropped connection on a GET: retried, exit 0"
is "$(printf '%s\n' "$out" | grep -c instance)" 8 "dropped connection: full listing"

os_knobs '{"drop_first": 0, "error_rate": 1.0}'
run ip-instances -c "$C" ls
is "$rc" 1 "nova failing for good: exit 1"
like "$err" "GET /nova/RegionOne/v2.1/$OS_PROJECT_ID/servers/detail: HTTP 500: Unexpected API Error" "nova failing: one readable line with the status"
os_knobs '{"error_rate": 0}'

done_testing
