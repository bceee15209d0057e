#!/bin/sh
# Benchmark: the status board of N servers (default 100), every one behind
# real Caddy, BIND and sshd on its own loopback address (tests/sim/
# matrix_lib.sh): the wall time of ip-check | ip-table --status with quick
# homeservers and with homeservers that take SLOW seconds (default 1) to
# answer, and the requests made.
# usage: bench/status.sh [N] [SLOW]
set -eu
TOP=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
PATH=$TOP/build/bin:/usr/bin:/bin:$PATH
export PATH
n=${1:-100} slow=${2:-1}
[ "$n" -le 250 ] || { echo "at most 250 servers (127.0.100.1-250)" >&2; exit 2; }
. "$TOP/tests/sim/party_lib.sh"
. "$TOP/tests/sim/matrix_lib.sh"
party_standalone install-party-bench
matrix_start bench "$n"

elapsed() {	# elapsed: the board of every server; prints its wall time in seconds
	: > "$MX_SIM_LOG"
	s=$(date +%s.%N)
	# shellcheck disable=SC2086 # MX_CHECK_ARGS: split on purpose
	ip-check $MX_CHECK_ARGS -j "$n" --timeout 30 "$MX/servers" | ip-table --status > "$T/board" || :
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.2f", $2 - $1 }'
}
quick=$(elapsed)
summary=$(grep federate "$T/board")
hs=$(wc -l < "$MX_SIM_LOG")
knobs=$(i=1; while [ "$i" -le "$n" ]; do printf '"s%d.bench.example.com":["slow:%s"],' "$i" "$slow"; i=$((i + 1)); done)
matrix_knobs "{${knobs%,}}"
slowt=$(elapsed)
echo "$n servers: ${quick}s ($summary)"
echo "$n servers whose homeserver takes ${slow}s: ${slowt}s"
echo "requests: $((n * 7)) HTTPS ($hs reached the homeserver simulator through Caddy), $n DNS queries, $n SSH key exchanges"
