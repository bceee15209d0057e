#!/bin/sh
# Every helper that starts servers stops them on HUP, INT and TERM as on a
# normal exit: `make demo` in a terminal closed mid-run leaves no sshd, no
# simulator and no temporary directory; so do the tests' own helpers.
. "$(dirname "$0")/lib.sh"
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
command -v setsid > /dev/null || skip_all "no setsid"

alive() {	# the pids of $@ still running, space-separated
	_a=""
	for _p in "$@"; do kill -0 "$_p" 2>/dev/null && _a="$_a $_p"; done
	echo "${_a# }"
}
settle() {	# settle PID...: until all are gone, at most 5 s
	_i=0
	while [ -n "$(alive "$@")" ] && [ "$_i" -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
}

# The demo, its terminal closed (HUP to its process group) while it runs.
for sig in HUP TERM; do
	D=$T/demo-$sig
	mkdir -p "$D"
	TMPDIR=$D setsid sh "$TOP/examples/demo.sh" > "$D/out" 2> "$D/err" &
	demo=$!
	_i=0
	until ls "$D"/install-party-demo.*/party-sshd.2.pid > /dev/null 2>&1 &&
	    grep -q '^\$ install-party create' "$D/out"; do
		_i=$((_i + 1)); [ $_i -lt 400 ] || break; sleep 0.05
	done
	pids=$(cat "$D"/install-party-demo.*/party-sshd.*.pid 2>/dev/null | tr '\n' ' ')
	sims=$(cat "$D"/install-party-demo.*/party-*.port 2>/dev/null | tr '\n' ' ')
	is "$(echo $pids | wc -w)" 3 "demo, $sig: its three sshd run"
	_tap_pids="$_tap_pids $pids"	# should this test fail, they are stopped anyway
	kill "-$sig" "-$demo"
	wait "$demo"
	settle $pids
	is "$(alive $pids)" "" "demo, $sig: no sshd is left"
	left=""
	for port in $sims; do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5)' "$port" \
		    2>/dev/null && left="$left $port"
	done
	is "$left" "" "demo, $sig: no simulator answers any more"
	is "$(cd "$D" && echo install-party-demo.*)" "install-party-demo.*" "demo, $sig: its temporary directory is gone"
done

# The tests' own helper (tests/lib.sh): bg servers are stopped on HUP too.
# (lib.sh finds the tree from $0: a tree whose tests/sim is ours)
mkdir -p "$T/tree/tests"
ln -s "$TOP/tests/sim" "$T/tree/tests/sim"
cat > "$T/tree/tests/hup.t" <<'EOF'
. "$1/tests/lib.sh"
bg sh -c 'trap "" HUP; exec sleep 300'	# as sshd, it outlives a HUP
echo "$!" > "$2/sleep.pid"
echo "$T" > "$2/t.dir"
sleep 300
EOF
setsid sh "$T/tree/tests/hup.t" "$TOP" "$T" > /dev/null 2> "$T/hup.err" &
t=$!
_i=0
until [ -s "$T/t.dir" ]; do _i=$((_i + 1)); [ $_i -lt 100 ] || break; sleep 0.05; done
sp=$(cat "$T/sleep.pid")
is "$(alive "$sp")" "$sp" "tests/lib.sh: a server started with bg runs"
kill -HUP "-$t"
wait "$t"
settle "$sp"
is "$(alive "$sp")" "" "tests/lib.sh: a HUP stops what bg started"
is "$(ls -d "$(cat "$T/t.dir")" 2>/dev/null)" "" "tests/lib.sh: a HUP removes \$T"
done_testing
