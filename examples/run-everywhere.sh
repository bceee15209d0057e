#!/bin/sh
# Run one command on every complete server of the namespace (a fix for the
# whole room in one line); output per server in ./logs/NAME.log.
# usage: run-everywhere.sh 'COMMAND'
set -eu
[ "$#" = 1 ] || { echo "usage: $0 'COMMAND'" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ip-instances ls > "$tmp/instances"
ip-dns ls > "$tmp/records"
ip-join "$tmp/instances" "$tmp/records" | jq -c 'select(.state == "complete")' |
	ip-provision ${INSTALL_PARTY_PROVISION_ARGS:-} -C "$1" --log-dir logs
