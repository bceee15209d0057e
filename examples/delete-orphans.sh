#!/bin/sh
# Delete what is half made: instances without a DNS record (older than
# MINUTES, so servers being created right now are spared) and records
# without an instance.  For cron; -n for a dry run.
# usage: delete-orphans.sh [-n] [MINUTES]   (default 60)
set -eu
dry=""
[ "${1:-}" = -n ] && { dry=-n; shift; }
minutes=${1:-60}
case $minutes in ''|*[!0-9]*) echo "usage: $0 [-n] [MINUTES]" >&2; exit 2 ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Both listings must succeed: a half view would make every server an orphan.
ip-instances ls > "$tmp/instances"
ip-dns ls > "$tmp/records"
ip-join "$tmp/instances" "$tmp/records" |
	jq -c --argjson min "$minutes" 'select(.state == "orphan-record" or
	    (.state == "orphan-instance" and
	     (.instance.created | sub("\\.[0-9]+"; "") | fromdateiso8601) <= now - $min * 60))' \
	> "$tmp/orphans"
[ -s "$tmp/orphans" ] || exit 0
ip-dns delete ${dry:+"$dry"} < "$tmp/orphans" | ip-instances delete ${dry:+"$dry"} | ip-table -S delete
