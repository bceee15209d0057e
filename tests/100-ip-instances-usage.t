#!/bin/sh
# ip-instances: usage, help, config errors before any request.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

run ip-instances -h
is "$rc" 0 "-h: exit 0"
like "$out" "usage: ip-instances .* ls" "-h: usage on stdout"
run ip-instances
is "$rc" 2 "no command: exit 2"
run ip-instances frobnicate
is "$rc" 2 "unknown command: exit 2"
like "$err" "unknown command" "unknown command: says so"
run ip-instances create -n
is "$rc" 2 "create -n: exit 2 (dry run is for delete)"
run ip-instances delete -u /dev/null
is "$rc" 2 "delete -u: exit 2"
run ip-instances -j 0 delete
is "$rc" 2 "-j 0: exit 2"

OS_URL=http://127.0.0.1:9
os_config "$T/c.yaml" party /v3
sed -i '/auth_url:/d' "$T/c.yaml"
run ip-instances -c "$T/c.yaml" ls
is "$rc" 2 "no auth_url: exit 2"
like "$err" "c.yaml:[0-9]+:[0-9]+: instances.args: missing key 'auth_url'" "no auth_url: located message"
os_config "$T/c.yaml" party /v3
sed -i '/tenant_name:/d' "$T/c.yaml"
run ip-instances -c "$T/c.yaml" ls
is "$rc" 2 "no project: exit 2"
like "$err" "tenant_id or tenant_name" "no project: names the settings"
os_config "$T/c.yaml" party /v3
sed -i "s/api_version: 2/api_version: 1/" "$T/c.yaml"
run ip-instances -c "$T/c.yaml" ls
is "$rc" 2 "api_version 1: exit 2"
like "$err" "instances.args.api_version: expected 2 or a compute microversion" "api_version 1: says what it takes"
run ip-instances -c "$T/c.yaml" delete -n /dev/null
is "$rc" 0 "delete -n on nothing: exit 0 without contacting anyone"
os_config "$T/c.yaml" party /v3
run ip-instances -c "$T/c.yaml" ls
is "$rc" 2 "keystone unreachable: exit 2"
like "$err" "keystone POST /v3/auth/tokens: .*(refused|connect)" "keystone unreachable: one line"

done_testing
