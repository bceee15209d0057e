# shellcheck shell=sh
# tests/sim/stop_lib.sh: stop_pids PID...: what the tests and the demo
# started is stopped this way, on exit and on INT, TERM and HUP alike.
# TERM first; what is still there after 2 s gets KILL (an sshd that was
# restarting on a hang-up's HUP when the TERM came has lost it).
stop_pids() {
	for _sp in "$@"; do kill "$_sp" 2>/dev/null || :; done
	_si=0
	while [ "$_si" -lt 40 ]; do
		_salive=""
		for _sp in "$@"; do kill -0 "$_sp" 2>/dev/null && _salive="$_salive $_sp"; done
		[ -n "$_salive" ] || break
		sleep 0.05
		_si=$((_si + 1))
	done
	for _sp in $_salive; do kill -KILL "$_sp" 2>/dev/null || :; done
	for _sp in "$@"; do wait "$_sp" 2>/dev/null || :; done
}
