# shellcheck shell=sh
# tests/sim/party_lib.sh: everything install-party talks to, on loopback:
# the OpenStack simulator (each new server gets its own 127.0.100.N) and
# the OVH simulator, or (party_start_hetzner) the Hetzner Cloud simulator
# for both, a web server standing in for each server's Caddy, and our own
# sshd on those addresses (key login as the current user).  Used by the
# wrapper's tests and by `make demo`.  Needs $T (a private directory), $TOP
# and bg (start a command in the background, stopped at exit).
. "$TOP/tests/sim/stop_lib.sh"

# party_standalone NAME: for scripts outside the tests (the demo, the
# benchmarks): a private $T, and bg; all started is stopped, $T removed, at exit.
party_standalone() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	_party_pids=""
	bg() { "$@" & _party_pids="$_party_pids $!"; }
	trap party_cleanup EXIT
	# a closed terminal (HUP) too: sshd takes a HUP as "restart", not "stop"
	trap 'exit 130' INT TERM HUP
}
party_cleanup() {
	# shellcheck disable=SC2086 # pids
	stop_pids $_party_pids
	rm -rf "$T"
}

party_wait() {	# party_wait FILE WHAT
	_i=0
	while ! [ -s "$1" ]; do
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || { echo "party: $2 did not start" >&2; return 1; }
		sleep 0.05
	done
}

# party_settle N: nova deletes asynchronously (a deleted server is listed a
# moment longer): wait up to 3 s for the namespace to hold N servers.
party_settle() {
	_i=0
	while _n=$(install-party list --json | jq -s length) && [ "$_n" != "$1" ] && [ "$_i" -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

party_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# party_start NAMESPACE [OPENSTACK-SIM-ARGS...]: starts everything, writes
# $T/party.yaml and exports INSTALL_PARTY_CONFIG, IP_KNOWN_HOSTS and
# INSTALL_PARTY_PROVISION_ARGS; sets PARTY_OS_URL, PARTY_OS_LOG,
# PARTY_OVH_URL, PARTY_OVH_LOG.  $PARTY_OVH_ARGS: more OVH simulator args.
party_start() {
	_ns=$1
	shift
	PARTY_OS_LOG=$T/party-openstack.log PARTY_OVH_LOG=$T/party-ovh.log
	: > "$PARTY_OS_LOG"
	: > "$PARTY_OVH_LOG"
	bg python3 "$TOP/tests/sim/openstack_sim.py" --port-file "$T/party-os.port" \
	    --loopback-servers --build-delay "${PARTY_BUILD_DELAY:-0.3}" --log "$PARTY_OS_LOG" "$@"
	# shellcheck disable=SC2086 # PARTY_OVH_ARGS: split on purpose
	bg python3 "$TOP/tests/sim/ovh_sim.py" --port-file "$T/party-ovh.port" \
	    --namespace "$_ns" --log "$PARTY_OVH_LOG" ${PARTY_OVH_ARGS:-}
	party_hosts || return 1
	party_wait "$T/party-os.port" "the OpenStack simulator" || return 1
	party_wait "$T/party-ovh.port" "the OVH simulator" || return 1
	PARTY_OS_URL=http://127.0.0.1:$(cat "$T/party-os.port")
	PARTY_OVH_URL=http://127.0.0.1:$(cat "$T/party-ovh.port")
	party_general "$_ns" > "$T/party.yaml"
	cat >> "$T/party.yaml" <<CONFIG
instances:
  user: attendee
  password: party-password-2026
  provider: openstack
  args:
    api_version: 2
    auth_url: $PARTY_OS_URL/v3
    tenant_name: demo-project
    region_name: RegionOne
    username: demo
    password: s3cret-pass
    image_id: 8f1c5e7a-3b2d-4c6e-9a1f-0d2e4b6c8a10
    flavor_id: d2-2
dns:
  zone: example.com
  provider: ovh
  args:
    endpoint: $PARTY_OVH_URL/1.0
    application_key: sim-ak
    application_secret: sim-as
    consumer_key: sim-ck
CONFIG
	party_export
}

# party_start_hetzner NAMESPACE [HETZNER-SIM-ARGS...]: the same with the
# Hetzner Cloud simulator for both sections (one token, given once); sets
# PARTY_HZ_URL, PARTY_HZ_LOG.
party_start_hetzner() {
	_ns=$1
	shift
	PARTY_HZ_LOG=$T/party-hetzner.log
	: > "$PARTY_HZ_LOG"
	bg python3 "$TOP/tests/sim/hetzner_sim.py" --port-file "$T/party-hz.port" \
	    --loopback-servers --namespace "$_ns" --build-delay "${PARTY_BUILD_DELAY:-0.3}" \
	    --log "$PARTY_HZ_LOG" "$@"
	party_hosts || return 1
	party_wait "$T/party-hz.port" "the Hetzner simulator" || return 1
	PARTY_HZ_URL=http://127.0.0.1:$(cat "$T/party-hz.port")
	party_general "$_ns" > "$T/party.yaml"
	cat >> "$T/party.yaml" <<CONFIG
instances:
  user: attendee
  password: party-password-2026
  provider: hetzner
  args:
    token: sim-hcloud-token
    endpoint: $PARTY_HZ_URL/v1
    server_type: cx22
    image: debian-12
    location: fsn1
dns:
  zone: example.com
  provider: hetzner
  args: {}
CONFIG
	party_export
}

# The servers' stand-ins: a web server and sshds on 127.0.100.1-48.
party_hosts() {
	bg python3 "$TOP/tests/sim/web_sim.py" --port-file "$T/party-web.port" \
	    --addresses 127.0.100.1-48 --log "$T/party-web.log"

	ssh-keygen -q -t ed25519 -N '' -f "$T/party-host" -C party-host
	ssh-keygen -q -t ed25519 -N '' -f "$T/party-id" -C party
	cp "$T/party-id.pub" "$T/party-authorized_keys"
	_sshport=$(party_port)
	if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; fi
	# sshd listens on 16 addresses at most: one sshd per 16 servers.
	for _g in 0 1 2; do
		{
			echo "Port $_sshport"
			_n=1
			while [ "$_n" -le 16 ]; do
				echo "ListenAddress 127.0.100.$((_g * 16 + _n))"
				_n=$((_n + 1))
			done
			echo "HostKey $T/party-host"
			echo "PidFile $T/party-sshd.$_g.pid"
			echo "AuthorizedKeysFile $T/party-authorized_keys"
			echo "UsePAM no"
			echo "PasswordAuthentication no"
			echo "KbdInteractiveAuthentication no"
			echo "StrictModes no"
			echo "LogLevel ERROR"
		} > "$T/party-sshd.$_g.conf"
		bg /usr/sbin/sshd -D -e -f "$T/party-sshd.$_g.conf" 2> "$T/party-sshd.$_g.log"
	done

	party_wait "$T/party-web.port" "the web server" || return 1
	# The first-boot setup's completion marker, where ip-provision looks.
	mkdir -p "$T/party-setup"
	date > "$T/party-setup/done"
}

party_general() {	# party_general NAMESPACE: the config's general section
	# The web client's release, from the stand-in web server.
	_element_url="http://127.0.100.1:$(cat "$T/party-web.port")/element-{version}.tar.gz"
	cat <<CONFIG
general:
  namespace: $1
  riot_version: v1.4.2
  element_version: ${PARTY_ELEMENT_VERSION:-v1.11.85}
  element_url: $_element_url
  connectivity_check_timeout: ${PARTY_TIMEOUT:-30}
CONFIG
}

party_export() {
	chmod 600 "$T/party.yaml"
	INSTALL_PARTY_CONFIG=$T/party.yaml
	IP_KNOWN_HOSTS=$T/party-known_hosts
	INSTALL_PARTY_PROVISION_ARGS="-u $(id -un) -i $T/party-id --ssh-port $_sshport --setup-dir $T/party-setup --no-sudo --web-scheme http --web-port $(cat "$T/party-web.port")"
	export INSTALL_PARTY_CONFIG IP_KNOWN_HOSTS INSTALL_PARTY_PROVISION_ARGS
}
