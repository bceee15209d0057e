#!/bin/sh
# Benchmark: creating N servers takes about as long as creating one, since
# they are all in flight at once.  Against the simulators, with a boot time
# of BUILD seconds per server (default 3): prints the wall time of
# `install-party create` for 1 and for N (default 30) servers.
# usage: bench/create-concurrency.sh [N] [BUILD]
set -eu
TOP=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
PATH=$TOP/build/bin:/usr/bin:/bin:$PATH
export PATH
n=${1:-30} build=${2:-3}
. "$TOP/tests/sim/party_lib.sh"
party_standalone install-party-bench
PARTY_BUILD_DELAY=$build party_start bench-party

elapsed() {	# elapsed CMD...: run it, print its wall time in seconds
	s=$(date +%s.%N)
	"$@" > "$T/out" 2> "$T/err" || { cat "$T/out" "$T/err" >&2; exit 1; }
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.1f", $2 - $1 }'
}
one=$(elapsed install-party create -N 1)
install-party delete -a > /dev/null 2>&1
many=$(elapsed install-party create -N "$n")
created=$(grep -c '^	- ' "$T/out")
install-party delete -a > /dev/null 2>&1
echo "boot time ${build}s: 1 server in ${one}s; $n servers ($created created) in ${many}s"
