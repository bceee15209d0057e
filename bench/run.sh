#!/bin/sh
# Every benchmark, one table (`make bench`): each figure beside its bound
# (bench/README.md says where the bounds come from).  Against the
# simulators on loopback with ${BENCH_LATENCY_MS:-20} ms a request and a
# boot of ${BENCH_BOOT:-2} s: list at 10/100/1000 servers; create at 1, 10
# and 30 through install-party (SSH and the web check included), at 100
# and 200 through the tools without ip-provision (the simulators' servers
# need no SSH); requests, client CPU and peak memory per tool from
# /usr/bin/time; start-up time; delete of 100.
# usage: bench/run.sh [--smoke]   (--smoke: create -N 2 only, a few seconds)
set -eu
TOP=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
PATH=$TOP/build/bin:/usr/bin:/bin:$PATH
export PATH
smoke=""
[ "${1:-}" = --smoke ] && smoke=1
lat=${BENCH_LATENCY_MS:-20} boot=${BENCH_BOOT:-2}
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (the time package)" >&2; exit 2; }
. "$TOP/tests/sim/party_lib.sh"
party_standalone install-party-bench
mkdir -m 700 "$T/run"
XDG_RUNTIME_DIR=$T/run	# the token and boot-time cache of these runs only
export XDG_RUNTIME_DIR

# Each tool through /usr/bin/time: "TOOL peak-KiB user sys" per process.
mkdir "$T/shim"
for t in "$TOP"/build/bin/ip-*; do
	printf '#!/bin/sh\nexec /usr/bin/time -a -o "$BENCH_TOOLS" -f "%s %%M %%U %%S" %s "$@"\n' \
	    "${t##*/}" "$t" > "$T/shim/${t##*/}"
	chmod +x "$T/shim/${t##*/}"
done
# the wrapper runs the tools beside it
sed "s|@DATADIR@|$TOP/share|" "$TOP/install-party" > "$T/shim/install-party"
chmod +x "$T/shim/install-party"
BENCH_TOOLS=$T/tools
export BENCH_TOOLS
: > "$BENCH_TOOLS"

printf '%-40s %12s  %-22s %s\n' figure measured bound ok
line() {	# line FIGURE MEASURED BOUND OK-EXPRESSION (awk; m is the measured)
	v=$(awk -v m="$2" "BEGIN { print (($4) ? \"yes\" : \"NO\") }")
	printf '%-40s %12s  %-22s %s\n' "$1" "$2" "$3" "$v"
}
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", e - s }'; }
now() { date +%s.%N; }
reqs() { cat "$@" 2>/dev/null | wc -l; }
cpu_of() { awk '{ u += $3; s += $4 } END { printf "%.3f", u + s }' "$1"; }
rtt=$(awk -v l="$lat" 'BEGIN { print l / 1000 }')

# ---------------------------------------------------------------- create
PARTY_OVH_ARGS="--latency-ms $lat" PARTY_BUILD_DELAY=$boot party_start bench-party \
    --latency "$rtt" --page-size 1000
# the simulator's OVH has no rate limit: the rows show the tools, not
# OVH's default budget of 60/min (bench/README.md)
echo "    rate_limit: 1000/s" >> "$T/party.yaml"

create() {	# create N: install-party create -N N; sets wall, req, cpu
	: > "$PARTY_OS_LOG"
	: > "$PARTY_OVH_LOG"
	: > "$BENCH_TOOLS"
	_s=$(now)
	"$T/shim/install-party" create -N "$1" > "$T/out" 2> "$T/err" ||
	    { cat "$T/out" "$T/err" >&2; echo "bench: create -N $1 failed" >&2; exit 1; }
	_e=$(now)
	req=$(reqs "$PARTY_OS_LOG" "$PARTY_OVH_LOG")
	cpu=$(cpu_of "$BENCH_TOOLS")
	cat "$BENCH_TOOLS" >> "$T/tools.all"
	wall=$(secs "$_s" "$_e")
	"$T/shim/install-party" delete -a > /dev/null 2>&1
	party_settle 0
}
: > "$T/tools.all"
# the bound of one server: the boot, and about ten round trips in a row
# (login, list, post, poll, record, refresh, SSH, web) at $lat ms
bound1=$(awk -v b="$boot" -v r="$rtt" 'BEGIN { printf "%.2f", b + 10 * r }')
if [ -n "$smoke" ]; then
	create 2; w=$wall
	line "create -N 2 (smoke)" "${w}s" "< 30 s" 'm + 0 < 30'
	line "requests per server, -N 2" "$(awk -v r="$req" 'BEGIN { printf "%.1f", r / 2 }')" \
	    "(printed only)" 1
	exit 0
fi
create 1; w1=$wall
line "create -N 1" "${w1}s" "bound $bound1 + 0.3 s" "m + 0 <= $bound1 + 0.3"
create 10; w10=$wall
line "create -N 10" "${w10}s" "1.5 x -N 1 = $(awk -v a="$w1" 'BEGIN { printf "%.2f", 1.5 * a }')" "m + 0 <= 1.5 * $w1"
create 30; w30=$wall
line "create -N 30" "${w30}s" "1.5 x -N 1 = $(awk -v a="$w1" 'BEGIN { printf "%.2f", 1.5 * a }')" "m + 0 <= 1.5 * $w1"
line "requests per server, -N 30" "$(awk -v r="$req" 'BEGIN { printf "%.2f", r / 30 }')" "<= 4" 'm + 0 <= 4'
line "client CPU per server, -N 30" "$(awk -v c="$cpu" 'BEGIN { printf "%.0fms", c * 1000 / 30 }')" \
    "<= 100 ms" 'm + 0 <= 100'

# --------------------------------------- create 100, 200 without SSH; delete
# A second cloud whose servers are not on loopback (no SSH, no web check).
os2log=$T/os2.log
: > "$os2log"
bg python3 "$TOP/tests/sim/openstack_sim.py" --port-file "$T/os2.port" --log "$os2log" \
    --build-delay "$boot" --latency "$rtt" --page-size 1000
party_wait "$T/os2.port" "the second OpenStack simulator"
sed "s|$PARTY_OS_URL|http://127.0.0.1:$(cat "$T/os2.port")|" "$T/party.yaml" > "$T/big.yaml"
chmod 600 "$T/big.yaml"
pipeline() {	# pipeline N: ip-names | ip-instances create | ip-dns create; sets wall, req, cpu
	: > "$os2log"
	: > "$PARTY_OVH_LOG"
	: > "$BENCH_TOOLS"
	_s=$(now)
	"$T/shim/ip-names" -c "$T/big.yaml" -N "$1" |
	    "$T/shim/ip-instances" -c "$T/big.yaml" create -j "$1" -u "$TOP/share/setup.sh.in" 2> "$T/big.err" |
	    "$T/shim/ip-dns" -c "$T/big.yaml" create > "$T/big.out" 2>> "$T/big.err"
	_e=$(now)
	n=$(jq -s '[.[] | select(.type == "server")] | length' "$T/big.out")
	[ "$n" = "$1" ] || { cat "$T/big.err" >&2; echo "bench: $n of $1 made" >&2; exit 1; }
	req=$(reqs "$os2log" "$PARTY_OVH_LOG")
	cpu=$(cpu_of "$BENCH_TOOLS")
	cat "$BENCH_TOOLS" >> "$T/tools.all"
	wall=$(secs "$_s" "$_e")
}
pipeline 1; p1=$wall
INSTALL_PARTY_CONFIG=$T/big.yaml "$T/shim/install-party" delete -a > /dev/null 2>&1
bound=$(awk -v a="$p1" 'BEGIN { printf "%.2f", 1.5 * a }')
line "create -N 1, no SSH" "${p1}s" "bound $(awk -v b="$boot" -v r="$rtt" 'BEGIN { printf "%.2f", b + 7 * r }') + 0.3 s" \
    "m + 0 <= $boot + 7 * $rtt + 0.3"
for n in 100 200; do
	pipeline $n; w=$wall
	line "create -N $n, no SSH" "${w}s" "1.5 x -N 1 = $bound" "m + 0 <= $bound"
	line "requests per server, -N $n" "$(awk -v r="$req" -v n=$n 'BEGIN { printf "%.2f", r / n }')" "<= 4" 'm + 0 <= 4'
	line "client CPU per server, -N $n" "$(awk -v c="$cpu" -v n=$n 'BEGIN { printf "%.0fms", c * 1000 / n }')" \
	    "<= 100 ms" 'm + 0 <= 100'
	if [ $n = 100 ]; then
		# delete the 100: one listing each, the deletes, one zone refresh
		: > "$os2log"
		: > "$PARTY_OVH_LOG"
		_s=$(now)
		INSTALL_PARTY_CONFIG=$T/big.yaml "$T/shim/install-party" delete -a > /dev/null 2> "$T/del.err"
		_e=$(now)
		lists=$(jq -s '[.[] | select(.method == "GET" and (.path | endswith("/servers/detail")))] | length' "$os2log")
		dels=$(jq -s '[.[] | select(.method == "DELETE")] | length' "$os2log")
		refr=$(jq -s '[.[] | select(.path | endswith("/refresh"))] | length' "$PARTY_OVH_LOG")
		line "delete 100: wall" "$(secs "$_s" "$_e")s" "2 x RTT x 100/8 + 1 s" \
		    "m + 0 <= 2 * $rtt * 100 / 8 + 1"
		line "delete 100: listings / deletes / refreshes" "$lists/$dels/$refr" "1/100/1" \
		    "\"$lists/$dels/$refr\" == \"1/100/1\""
		party_settle 0 2> /dev/null || :
	fi
done
INSTALL_PARTY_CONFIG=$T/big.yaml "$T/shim/install-party" delete -a > /dev/null 2>&1 || :

# A boot that does not fall on a poll: $boot + 0.5 s.  Twice on one cloud,
# so the second run knows the boot time.
bg python3 "$TOP/tests/sim/openstack_sim.py" --port-file "$T/os3.port" --log "$T/os3.log" \
    --build-delay "$(awk -v b="$boot" 'BEGIN { print b + 0.5 }')" --latency "$rtt" --page-size 1000
party_wait "$T/os3.port" "the third OpenStack simulator"
sed "s|http://127.0.0.1:$(cat "$T/os2.port")|http://127.0.0.1:$(cat "$T/os3.port")|" "$T/big.yaml" > "$T/big3.yaml"
chmod 600 "$T/big3.yaml"
cp "$T/big3.yaml" "$T/big.yaml"
os2log=$T/os3.log
b3=$(awk -v b="$boot" -v r="$rtt" 'BEGIN { printf "%.2f", b + 0.5 + 7 * r }')
for k in first second; do
	pipeline 1
	line "create -N 1, boot $boot + 0.5 s, $k run" "${wall}s" "bound $b3 + 0.3 s" "m + 0 <= $b3 + 0.3"
	polls=$(jq -s '[.[] | select(.method == "GET" and (.path | test("/servers/[0-9a-f-]+$")))] | length' "$os2log")
	line "  its polls" "$polls" "<= 2" "m + 0 <= 2"
done

# ------------------------------------------------------------------ list
for n in 10 100 1000; do
	lport=$T/list$n.port
	bg python3 "$TOP/tests/sim/openstack_sim.py" --port-file "$lport" --latency "$rtt" \
	    --page-size 1000 --seed "bench-list:$n"
	bg python3 "$TOP/tests/sim/ovh_sim.py" --port-file "$T/list$n.ovh" --namespace bench-list \
	    --latency-ms "$lat" --populate "$n"
	party_wait "$lport" "the OpenStack simulator"
	party_wait "$T/list$n.ovh" "the OVH simulator"
	sed -e "s|$PARTY_OS_URL|http://127.0.0.1:$(cat "$lport")|" \
	    -e "s|$PARTY_OVH_URL|http://127.0.0.1:$(cat "$T/list$n.ovh")|" \
	    -e "s|namespace: bench-party|namespace: bench-list|" "$T/party.yaml" > "$T/list.yaml"
	chmod 600 "$T/list.yaml"
	: > "$BENCH_TOOLS"
	INSTALL_PARTY_CONFIG=$T/list.yaml "$T/shim/install-party" list > /dev/null 2>&1	# logs in
	_s=$(now)
	INSTALL_PARTY_CONFIG=$T/list.yaml "$T/shim/install-party" list > "$T/list.out" 2>&1
	_e=$(now)
	b=$(awk -v n=$n 'BEGIN { printf "%.2f", 0.3 + n / 1000 }')
	line "list, $n servers" "$(secs "$_s" "$_e")s" "0.3 s + 1 ms/server = $b" "m + 0 <= $b"
	cat "$BENCH_TOOLS" >> "$T/tools.all"
done

# ------------------------------------------------- memory, start-up time
for t in ip-names ip-instances ip-dns ip-provision ip-join ip-table ip-cards; do
	m=$(awk -v t="$t" '$1 == t && $2 > m { m = $2 } END { printf "%.1f", m / 1024 }' "$T/tools.all")
	[ "$m" = 0.0 ] && continue
	line "peak memory, $t" "${m}MiB" "<= 32 MiB" 'm + 0 <= 32'
done
for t in ip-names ip-instances ip-dns ip-provision ip-join ip-table; do
	_s=$(now)
	i=0
	while [ $i -lt 20 ]; do "$TOP/build/bin/$t" --help > /dev/null; i=$((i + 1)); done
	_e=$(now)
	line "start-up, $t --help" "$(awk -v s="$_s" -v e="$_e" 'BEGIN { printf "%.1fms", (e - s) * 1000 / 20 }')" \
	    "<= 20 ms" 'm + 0 <= 20'
done
