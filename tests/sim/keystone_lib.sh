# shellcheck shell=sh
# tests/sim/keystone_lib.sh: a real Keystone (Debian's package) on
# 127.0.0.1 with sqlite and fernet tokens, in $T/ks (sourced after lib.sh).
# See /work/shared/research/keystone.md for why each step is there.

KS_ADMIN_PASSWORD=admin-pass-$$
KS_DEMO_PASSWORD=demo-pass-$$

# ks_usable: 0 when keystone can be run here.
ks_usable() {
	command -v keystone-manage >/dev/null 2>&1 &&
	    command -v keystone-wsgi-public >/dev/null 2>&1 &&
	    command -v sqlite3 >/dev/null 2>&1 && command -v jq >/dev/null 2>&1 &&
	    command -v curl >/dev/null 2>&1
}

# ks_start: set up and serve Keystone; sets KS_URL.  Returns non-zero (and
# says why with diag) when it cannot.
ks_start() {
	KS=$T/ks
	mkdir -p "$KS"
	KS_PORT=$(free_port)
	KS_URL=http://127.0.0.1:$KS_PORT
	cat >"$KS/keystone.conf" <<EOF
[DEFAULT]
log_file = $KS/keystone.log
[database]
connection = sqlite:///$KS/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = $KS/fernet-keys
[fernet_receipts]
key_repository = $KS/fernet-receipts
[credential]
key_repository = $KS/credential-keys
[cache]
enabled = false
EOF
	km() { keystone-manage --config-file "$KS/keystone.conf" "$@" >>"$KS/manage.log" 2>&1; }
	km db_sync || { diag "keystone-manage db_sync failed"; return 1; }
	# without WAL a write after a 404 fails with "database is locked"
	sqlite3 "$KS/keystone.db" 'PRAGMA journal_mode=WAL;' >/dev/null || return 1
	km fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" || return 1
	km credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" || return 1
	km bootstrap --bootstrap-password "$KS_ADMIN_PASSWORD" \
	    --bootstrap-region-id RegionOne \
	    --bootstrap-public-url "$KS_URL/v3/" --bootstrap-internal-url "$KS_URL/v3/" \
	    --bootstrap-admin-url "$KS_URL/v3/" || { diag "keystone-manage bootstrap failed"; return 1; }
	export OS_KEYSTONE_CONFIG_DIR="$KS"
	bg keystone-wsgi-public --host 127.0.0.1 --port "$KS_PORT" \
	    >>"$KS/wsgi.log" 2>&1
	wait_port "$KS_PORT" 30 || { diag "keystone did not listen"; return 1; }
	KS_ADMIN_TOKEN=$(ks_token admin "$KS_ADMIN_PASSWORD" admin) || return 1
	[ -n "$KS_ADMIN_TOKEN" ] || { diag "no admin token"; return 1; }
	KS_PROJECT_ID=$(ks_api POST /v3/projects \
	    '{"project":{"name":"demo-project","domain_id":"default"}}' | jq -r .project.id)
	KS_USER_ID=$(ks_api POST /v3/users \
	    "{\"user\":{\"name\":\"demo\",\"domain_id\":\"default\",\"password\":\"$KS_DEMO_PASSWORD\"}}" |
	    jq -r .user.id)
	role=$(ks_api GET "/v3/roles?name=member" "" | jq -r '.roles[0].id')
	ks_api PUT "/v3/projects/$KS_PROJECT_ID/users/$KS_USER_ID/roles/$role" "" >/dev/null
	[ -n "$KS_PROJECT_ID" ] && [ "$KS_PROJECT_ID" != null ] && [ "$role" != null ] ||
	    { diag "keystone: project/user/role set-up failed"; return 1; }
}

# ks_token USER PASSWORD PROJECT: a project-scoped token.
ks_token() {
	curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "{\"auth\":{
	    \"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$1\",
	    \"domain\":{\"id\":\"default\"},\"password\":\"$2\"}}},
	    \"scope\":{\"project\":{\"name\":\"$3\",\"domain\":{\"id\":\"default\"}}}}}" \
	    "$KS_URL/v3/auth/tokens" | tr -d '\r' | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: //p'
}

# ks_api METHOD PATH BODY: an admin call, JSON out.
ks_api() {
	if [ -n "$3" ]; then
		curl -s -X "$1" -H "X-Auth-Token: $KS_ADMIN_TOKEN" -H 'Content-Type: application/json' \
		    -d "$3" "$KS_URL$2"
	else
		curl -s -X "$1" -H "X-Auth-Token: $KS_ADMIN_TOKEN" "$KS_URL$2"
	fi
}

# ks_compute URL: register the compute service with public/internal/admin
# endpoints in RegionOne at URL.
ks_compute() {
	svc=$(ks_api POST /v3/services '{"service":{"type":"compute","name":"nova"}}' | jq -r .service.id)
	for itf in public internal admin; do
		ks_api POST /v3/endpoints "{\"endpoint\":{\"service_id\":\"$svc\",\"interface\":\"$itf\",
		    \"region_id\":\"RegionOne\",\"url\":\"$1\"}}" >/dev/null
	done
	[ -n "$svc" ] && [ "$svc" != null ]
}
