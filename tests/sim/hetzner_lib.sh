# shellcheck shell=sh disable=SC2034 # variables for the tests that source this
# tests/sim/hetzner_lib.sh: start the Hetzner Cloud simulator and write a
# config for it (sourced after tests/lib.sh).

IP_POLL_MS=${IP_POLL_MS:-100}
export IP_POLL_MS
HZ_TOKEN=sim-hcloud-token

# hz_start [SIM-ARGS...]: sets HZ_URL, HZ_LOG; stopped at exit.
hz_start() {
	HZ_LOG=$T/hz-${_hz_n:=0}.log
	_hz_n=$((_hz_n + 1))
	: >"$HZ_LOG"
	rm -f "$T/hz.port"
	bg python3 "$TOP/tests/sim/hetzner_sim.py" --port-file "$T/hz.port" --log "$HZ_LOG" "$@"
	_i=0
	while [ ! -s "$T/hz.port" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	HZ_URL=http://127.0.0.1:$(cat "$T/hz.port")
}

# hz_config FILE NAMESPACE [YAML-LINES-UNDER-instances.args] [DNS-ARGS-LINES]:
# both sections on the simulator, the token given once (instances.args).
hz_config() {
	cat >"$1" <<EOF2
general:
  namespace: $2
  riot_version: v1.4.2
  connectivity_check_timeout: 300
instances:
  user: superevent
  password: superevent2019
  provider: hetzner
  args:
    token: $HZ_TOKEN
    endpoint: $HZ_URL/v1
    server_type: cx22
    image: debian-12
    location: fsn1
${3:-}
dns:
  zone: example.com
  provider: hetzner
  args: {${4:-}}
EOF2
	chmod 600 "$1"
}

# hz_count JQ-FILTER: logged requests matching (e.g. '.method=="POST"').
hz_count() {
	jq -s "[.[] | select($1)] | length" "$HZ_LOG"
}

hz_state() {	# hz_state JQ-FILTER: applied to /_sim/state
	curl -s "$HZ_URL/_sim/state" | jq -c "$1"
}

hz_fail() {	# hz_fail JSON: a fault on the next matching request(s)
	curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$1" "$HZ_URL/_sim/fail"
}

hz_knobs() {
	curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$1" "$HZ_URL/_sim/knobs"
}
