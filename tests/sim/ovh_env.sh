# shellcheck shell=sh
# tests/sim/ovh_env.sh: start the OVH simulator and write a config for it
# (sourced by tests/2NN-ip-dns-*.t after tests/lib.sh).

# ovh_start NAMESPACE [SIM-OPTIONS...]: sets OVH_PORT, OVH_LOG, OVH_CFG, OVH_URL
ovh_n=0
ovh_start() {
	ovh_ns=$1; shift
	ovh_n=$((ovh_n + 1))
	OVH_LOG=$T/ovh$ovh_n.log
	: >"$OVH_LOG"
	bg python3 "$TOP/tests/sim/ovh_sim.py" --port-file "$T/ovh$ovh_n.port" \
	    --log "$OVH_LOG" --namespace "$ovh_ns" "$@"
	i=0
	while [ ! -s "$T/ovh$ovh_n.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	OVH_PORT=$(cat "$T/ovh$ovh_n.port")
	OVH_URL=http://127.0.0.1:$OVH_PORT
	OVH_CFG=$T/ovh$ovh_n.yaml
	ovh_config "$OVH_CFG" "$ovh_ns" "$OVH_URL/1.0" sim-ak sim-as sim-ck
}

# ovh_config FILE NAMESPACE ENDPOINT AK AS CK
ovh_config() {
	write_config "$1" "$2"
	sed -i '/^    endpoint:/d' "$1"
	cat >>"$1" <<EOF
    endpoint: $3
    application_key: $4
    application_secret: $5
    consumer_key: $6
EOF
}

# ovh_count [JQ-FILTER]: requests in the log matching the filter (default all)
ovh_count() {
	jq -s "[.[] | select(${1:-true})] | length" "$OVH_LOG"
}

ovh_state() {	# ovh_state JQ-FILTER: applied to /_sim/state
	curl -s "$OVH_URL/_sim/state" | jq -c "$1"
}

ovh_instance() {	# ovh_instance NAME IPV4 [IPV6]
	if [ -n "${3:-}" ]; then v6="\"$3\""; else v6=null; fi
	printf '{"type":"instance","name":"%s","namespace":"%s","instance":"%s-%s","id":"i-%s","status":"ACTIVE","ipv4":"%s","ipv6":%s,"provider":"openstack"}\n' \
	    "$1" "$ovh_ns" "$ovh_ns" "$1" "$1" "$2" "$v6"
}
