# shellcheck shell=sh
# tests/sim/stop_lib.sh: stop_pids PID...: what the tests and the demo
# started is stopped this way, on exit and on INT, TERM and HUP alike.
# TERM first; what is still there after 2 s gets KILL (an sshd that was
# restarting on a hang-up's HUP when the TERM came has lost it).
# Only pids that are still this shell's children are signalled: a server
# that ended long ago may have left its pid to another test's process
# (pid_max is 32768 here and a suite run forks far more than that).
_stop_ours() {	# the pids of "$@" whose parent is this shell, zombies aside
	for _sp in "$@"; do
		_sppid=$(awk '{ sub(/^.*\) /, ""); if ($1 != "Z") print $2 }' "/proc/$_sp/stat" 2>/dev/null) || continue
		[ "$_sppid" = "$$" ] && printf '%s ' "$_sp"
	done
}
stop_pids() {
	_sours=$(_stop_ours "$@")
	for _sp in $_sours; do kill "$_sp" 2>/dev/null || :; done
	_si=0
	while [ "$_si" -lt 40 ]; do
		_salive=""
		for _sp in $(_stop_ours $_sours); do _salive="$_salive $_sp"; done
		[ -n "$_salive" ] || break
		sleep 0.05
		_si=$((_si + 1))
	done
	for _sp in $_salive; do kill -KILL "$_sp" 2>/dev/null || :; done
	for _sp in "$@"; do wait "$_sp" 2>/dev/null || :; done
}
