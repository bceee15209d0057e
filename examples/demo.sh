#!/bin/sh
# make demo: install-party's main job against the bundled simulators, on
# this machine only.  The OpenStack simulator gives each new server a
# loopback address (127.0.100.N); there, an sshd of ours (key login as the
# current user) and a web server stand in for the real server's sshd and
# Caddy, so ip-provision really logs in, runs the post-install script and
# checks the web server.  Needs no root once the packages are installed.
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
PATH=$top/build/bin:/usr/bin:/bin:$PATH
export PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/install-party-demo.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	for p in $pids; do wait "$p" 2>/dev/null || :; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n$ %s\n' "$*"; }
wait_file() {
	i=0
	while ! [ -s "$1" ]; do
		i=$((i + 1)); [ "$i" -lt 100 ] || { echo "demo: $2 did not start" >&2; exit 1; }
		sleep 0.1
	done
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

echo "demo: starting the OpenStack and OVH simulators, sshd and the web server (loopback only)"
python3 "$top/tests/sim/openstack_sim.py" --port-file "$work/os.port" --loopback-servers \
	--build-delay 2 --log "$work/openstack.log" &
pids="$pids $!"
python3 "$top/tests/sim/ovh_sim.py" --port-file "$work/ovh.port" --namespace demo-party \
	--log "$work/ovh.log" &
pids="$pids $!"
python3 "$top/tests/sim/web_sim.py" --port-file "$work/web.port" --addresses 127.0.100.1-48 &
pids="$pids $!"

ssh-keygen -q -t ed25519 -N '' -f "$work/host_key" -C demo-host
ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519" -C demo
cp "$work/id_ed25519.pub" "$work/authorized_keys"
sshport=$(free_port)
if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; fi
# sshd listens on at most 16 addresses: one sshd per 16 servers' addresses.
for group in 0 1 2; do
	{
		echo "Port $sshport"
		n=1
		while [ "$n" -le 16 ]; do echo "ListenAddress 127.0.100.$((group * 16 + n))"; n=$((n + 1)); done
		echo "HostKey $work/host_key"
		echo "PidFile $work/sshd.$group.pid"
		echo "AuthorizedKeysFile $work/authorized_keys"
		echo "UsePAM no"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "StrictModes no"
		echo "LogLevel ERROR"
	} > "$work/sshd_config.$group"
	/usr/sbin/sshd -D -e -f "$work/sshd_config.$group" 2> "$work/sshd.$group.log" &
	pids="$pids $!"
done

wait_file "$work/os.port" "the OpenStack simulator"
wait_file "$work/ovh.port" "the OVH simulator"
wait_file "$work/web.port" "the web server"
osport=$(cat "$work/os.port") ovhport=$(cat "$work/ovh.port") webport=$(cat "$work/web.port")

# The first-boot setup's completion marker, where ip-provision looks for it.
mkdir "$work/setup"
date > "$work/setup/done"
cat > "$work/post-install.sh" <<'POST'
#!/bin/sh
# The organiser's post-install script (-s): here it only says hello.
echo "post-install: hello from $(id -un) on $(uname -n)"
POST

cat > "$work/config.yaml" <<CONFIG
general:
  namespace: demo-party
  riot_version: v1.4.2
  element_version: v1.11.85
  connectivity_check_timeout: 30
instances:
  user: attendee
  password: demo-password-2026
  provider: openstack
  args:
    api_version: 2
    auth_url: http://127.0.0.1:$osport/v3
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
    endpoint: http://127.0.0.1:$ovhport/1.0
    application_key: sim-ak
    application_secret: sim-as
    consumer_key: sim-ck
CONFIG
chmod 600 "$work/config.yaml"
INSTALL_PARTY_CONFIG=$work/config.yaml
IP_KNOWN_HOSTS=$work/known_hosts
INSTALL_PARTY_PROVISION_ARGS="-u $(id -un) -i $work/id_ed25519 --ssh-port $sshport --setup-dir $work/setup --no-sudo --web-scheme http --web-port $webport --log-dir $work/logs"
export INSTALL_PARTY_CONFIG IP_KNOWN_HOSTS INSTALL_PARTY_PROVISION_ARGS

step install-party create -N 3 -s post-install.sh
install-party create -N 3 -s "$work/post-install.sh"
step install-party list
install-party list
keep=$(install-party list --json | jq -r 'select(.state=="complete") | .name' | head -n 1)
step install-party delete --all --exclude "$keep"
install-party delete --all --exclude "$keep"
step install-party list
install-party list
step install-party delete --all
install-party delete --all
step install-party list
install-party list
echo
echo "demo: done; the simulators are stopped and $work is removed"
