#!/bin/sh
# ip-instances: Keystone v3, v2.0, version discovery, regions, re-auth, bad credentials.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

os_start --page-size 2 --token-uses 2
C=$T/c.yaml

names() { printf '%s\n' "$1" | jq -r .instance | sort | tr '\n' ' '; }
want='party-alpha party-beta party-gamma '

os_config "$C" party /v3
run ip-instances -c "$C" ls
is "$rc" 0 "v3 by project name: exit 0"
is "$(names "$out")" "$want" "v3 by project name: the namespace's instances"
is "$(os_count '.path=="/v3/auth/tokens"')" 2 "v3: re-authenticated once when the token died (401)"
is "$(os_count '.status==401 and .service=="compute"')" 1 "v3: one 401 seen"

: >"$OS_LOG"
os_config "$C" party /v3/ "    user_domain_name: Default
    project_domain_name: Default"
sed -i 's/tenant_name: demo-project/tenant_id: '$OS_PROJECT_ID'/' "$C"
run ip-instances -c "$C" ls
is "$(names "$out")" "$want" "v3 by project id (auth_url with a trailing slash)"

: >"$OS_LOG"
os_config "$C" party /v2.0
run ip-instances -c "$C" ls
is "$rc" 0 "v2.0: exit 0"
is "$(names "$out")" "$want" "v2.0: the namespace's instances"
is "$(os_count '.path=="/v2.0/tokens" and .status==200')" 2 "v2.0: tokens from /v2.0/tokens (and one re-auth)"

: >"$OS_LOG"
os_config "$C" party ""
run ip-instances -c "$C" ls
is "$(names "$out")" "$want" "bare auth_url: version discovery"
is "$(os_count '.path=="/" and .method=="GET"')" 1 "discovery asked the root once"
is "$(os_count '.path=="/v3/auth/tokens"')" 2 "discovery chose v3"

os_config "$C" party /v3
sed -i 's/region_name: RegionOne/region_name: RegionTwo/' "$C"
run ip-instances -c "$C" ls
is "$(names "$out")" "party-delta " "region_name picks the catalog's endpoint for that region"

sed -i 's/region_name: RegionTwo/region_name: Mars1/' "$C"
run ip-instances -c "$C" ls
is "$rc" 2 "unknown region: exit 2"
like "$err" "no public compute endpoint in region Mars1 .*RegionOne, RegionTwo.*region_name" "unknown region: the catalog's regions and the setting"

sed -i '/region_name:/d' "$C"
run ip-instances -c "$C" ls
is "$rc" 2 "no region with two in the catalog: exit 2"
like "$err" "several regions .*set instances.args.region_name" "no region: says to set region_name"

os_config "$C" party /v3
sed -i 's/password: s3cret-pass/password: wrong-pass/' "$C"
run ip-instances -c "$C" -v ls
is "$rc" 2 "bad password: exit 2"
like "$err" "HTTP 401.*check instances.args.username and password" "bad password: which settings to check"
unlike "$err" "wrong-pass" "the password is never printed"
is "$out" "" "bad password: nothing on stdout"

os_config "$C" party /v3
sed -i 's/tenant_name: demo-project/tenant_name: nope/' "$C"
run ip-instances -c "$C" ls
is "$rc" 2 "bad project: exit 2"
like "$err" "tenant_id or tenant_name" "bad project: names the project settings"

os_config "$C" party /v3
run ip-instances -c "$C" -v ls
unlike "$err" "s3cret-pass|gAAAA" "-v never prints the password or the token"

os_config "$C" party /v3
sed -i 's|auth_url: .*|auth_url: http://auth.example.com/v3|' "$C"
run ip-instances -c "$C" ls
is "$rc" 2 "plain http to a remote host: exit 2"
like "$err" "c.yaml:[0-9]+:[0-9]+: instances.args.auth_url: http:// is only allowed" "plain http: located config error"

os_start --no-v2
os_config "$C" party /v2.0
run ip-instances -c "$C" ls
is "$rc" 2 "no v2.0 on this keystone: exit 2"
like "$err" "HTTP 404.*try an auth_url ending in /v3" "no v2.0: says to use /v3"
os_config "$C" party ""
run ip-instances -c "$C" ls
is "$(names "$out")" "$want" "discovery without v2.0 still finds v3"

# tokens dying while 8 servers are in flight: one new token at a time,
# every request retried once with it
os_start --token-uses 20 --build-delay 0.3
os_config "$C" party /v3
run sh -c "ip-names -c '$C' -N 12 | ip-instances -c '$C' -j 8 create"
is "$rc" 0 "create while tokens keep dying: exit 0"
[ "$rc" = 0 ] || diag "$(printf '%s\n' "$err" | grep -v 'building\|ACTIVE at')"
is "$(printf '%s\n' "$out" | grep -c '"type":"instance"')" 12 "create while tokens keep dying: 12 instances"
auths=$(os_count '.path=="/v3/auth/tokens"')
[ "$auths" -ge 2 ] && [ "$auths" -le 6 ]; ok $? "re-authenticated a few times ($auths), not once per 401 ($(os_count '.status==401'))"

done_testing
