#!/bin/sh
# ip-instances against a real Keystone (Debian's package) whose catalog points
# compute at the simulator; skipped when keystone cannot run here.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"
. "$TOP/tests/sim/keystone_lib.sh"

ks_usable || skip_all "keystone is not installed (apt-get install keystone)"
ks_start || skip_all "keystone could not be started here (see the diagnostics above)"

os_start --project-id "$KS_PROJECT_ID" --keystone-url "$KS_URL" --keystone-admin-token "$KS_ADMIN_TOKEN" \
    --regions RegionOne --build-delay 0.3
ks_compute "$OS_URL/nova/RegionOne/v2.1/$KS_PROJECT_ID" || skip_all "could not register the compute endpoint"

C=$T/c.yaml
names() { printf '%s\n' "$1" | jq -r "select(.type==\"${2:-instance}\") | .name" | sort | tr '\n' ' '; }
ks_config() {	# ks_config AUTH-URL-PATH
	OS_URL=$KS_URL os_config "$C" party "$1"
	sed -i "s/password: s3cret-pass/password: $KS_DEMO_PASSWORD/" "$C"
}

ks_config /v3
run ip-instances -c "$C" ls
is "$rc" 0 "real keystone v3, project by name: exit 0"
is "$(names "$out")" "alpha beta delta gamma " "real keystone: the catalog's compute endpoint was used"
is "$(os_count '.service=="compute" and .auth==true')" "$(os_count '.service=="compute"')" "the simulator accepted keystone's token on every call"

ks_config ""
sed -i "s/tenant_name: demo-project/tenant_id: $KS_PROJECT_ID/" "$C"
run ip-instances -c "$C" ls
is "$(names "$out")" "alpha beta delta gamma " "real keystone: discovery on the bare URL, project by id"

ip-names -c "$C" k1 k2 >"$T/names"
run ip-instances -c "$C" create "$T/names"
is "$rc" 0 "real keystone: create two"
is "$(names "$out")" "k1 k2 " "real keystone: two instances"
printf '%s\n' "$out" >"$T/made"
run ip-instances -c "$C" delete "$T/made"
is "$rc" 0 "real keystone: delete them"

ks_config /v3
sed -i "s/password: $KS_DEMO_PASSWORD/password: not-the-password/" "$C"
run ip-instances -c "$C" ls
is "$rc" 2 "real keystone, wrong password: exit 2"
like "$err" "keystone POST /v3/auth/tokens: HTTP 401: .*check instances.args.username and password" \
    "real keystone, wrong password: one line naming the settings"

ks_config /v2.0
run ip-instances -c "$C" ls
is "$rc" 2 "real keystone has no v2.0: exit 2"
like "$err" "HTTP 404.*ending in /v3" "no v2.0: says to use /v3"

done_testing
