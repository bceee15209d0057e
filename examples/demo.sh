#!/bin/sh
# make demo: install-party's main job against the bundled simulators, on
# this machine only (see tests/sim/party_lib.sh): the OpenStack simulator
# gives each new server a loopback address, where our own sshd and a web
# server stand in for the server's sshd and Caddy, so ip-provision really
# logs in, runs the post-install script and checks the web server.
# Needs no root once the packages are installed.
set -eu
TOP=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
PATH=$TOP/build/bin:/usr/bin:/bin:$PATH
export PATH
. "$TOP/tests/sim/party_lib.sh"
party_standalone install-party-demo
step() { printf '\n$ %s\n' "$*"; }

echo "demo: starting the OpenStack and OVH simulators, sshd and a web server (loopback only)"
PARTY_BUILD_DELAY=2 party_start demo-party
cat > "$T/post-install.sh" <<'POST'
#!/bin/sh
# The organiser's post-install script (-s): here it only says hello.
echo "post-install: hello from $(id -un) on $(uname -n)"
POST

step install-party create -N 3 -s post-install.sh
install-party create -N 3 -s "$T/post-install.sh"
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
echo "demo: done; everything it started is stopped"
