#!/bin/sh
# The servers as JSON, for jq: here a tab-separated name, domain, address
# and state per server, e.g. to print the attendees' slips.
set -eu
install-party list --json |
	jq -r '[.name, .domain, (.instance.ipv4 // "-"), .state] | @tsv'
