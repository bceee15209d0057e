# shellcheck shell=sh disable=SC2034 # variables for the tests that source this
# tests/sim/openstack_lib.sh: start the OpenStack simulator and write a
# config for it (sourced after tests/lib.sh).

OS_PROJECT_ID=0f3c7d2e9b8a4f61a5c4e3d2b1a09876
OS_IMAGE=8f1c5e7a-3b2d-4c6e-9a1f-0d2e4b6c8a10
# Polls start at 100 ms in tests (2 s by default).
IP_POLL_MS=${IP_POLL_MS:-100}
export IP_POLL_MS

# os_start [SIM-ARGS...]: sets OS_PORT, OS_URL, OS_LOG; stopped at exit.
os_start() {
	OS_LOG=$T/os-$$-${_os_n:=0}.log
	_os_n=$((_os_n + 1))
	: >"$OS_LOG"
	rm -f "$T/os.port"
	bg python3 "$TOP/tests/sim/openstack_sim.py" --port-file "$T/os.port" --log "$OS_LOG" "$@"
	_i=0
	while [ ! -s "$T/os.port" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	OS_PORT=$(cat "$T/os.port")
	OS_URL=http://127.0.0.1:$OS_PORT
}

# os_config FILE NAMESPACE AUTH-PATH [YAML-LINES]: a config for the simulator
# (tenant by name, region RegionOne) plus extra lines under instances.args.
os_config() {
	cat >"$1" <<EOF
general:
  namespace: $2
  riot_version: v1.4.2
  connectivity_check_timeout: 300
instances:
  user: superevent
  password: superevent2019
  provider: openstack
  args:
    api_version: 2
    auth_url: $OS_URL$3
    tenant_name: demo-project
    region_name: RegionOne
    username: demo
    password: s3cret-pass
    image_id: $OS_IMAGE
    flavor_id: d2-2
${4:-}
dns:
  zone: example.com
  provider: ovh
  args:
    endpoint: ovh-eu
EOF
	chmod 600 "$1"
}

# os_count JQ-FILTER: how many logged requests match (e.g. '.method=="POST"').
os_count() {
	jq -s "[.[] | select($1)] | length" "$OS_LOG"
}

# os_servers: the simulator's servers (all regions, with user_data).
os_servers() {
	curl -s "$OS_URL/_sim/servers"
}

# os_knobs JSON: change knobs at run time.
os_knobs() {
	curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$1" "$OS_URL/_sim/knobs"
}
