# shellcheck shell=sh disable=SC2034 # run() sets out and err for the tests
# tests/lib.sh: a tiny TAP helper for the shell tests (sourced).
# Tests run the built tools: $IP_BINDIR (make check: the ASan/UBSan build).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
IP_BINDIR=${IP_BINDIR:-$TOP/build/bin}
IP_PLAIN_BINDIR=${IP_PLAIN_BINDIR:-$TOP/build/bin}
# Debian's python3 (the simulators and python3-tabulate), not a local one.
PATH=$IP_BINDIR:/usr/bin:$PATH
export PATH IP_BINDIR
# Sanitizers: fail loudly, report leaks, keep going quietly otherwise.
# Malloc stacks by the slow unwinder: libjq has no frame pointers, so the
# fast one stops inside it (a jv leak showed two frames, and the
# suppression below could not see which function of ours it came from).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86:fast_unwind_on_malloc=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}
# libjq 1.6's one known leak, and only it (see tests/lsan.supp).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TOP/tests/lsan.supp:print_suppressions=0}
# Retries in tests wait milliseconds, not seconds.
export IP_HTTP_BACKOFF_MS=${IP_HTTP_BACKOFF_MS:-20}
unset INSTALL_PARTY_CONFIG
. "$TOP/tests/sim/stop_lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/ip-test.XXXXXX")
# The tools' cache (tokens: lib/cache.h) is the test's own, gone with $T.
mkdir -m 700 "$T/run"
XDG_RUNTIME_DIR=$T/run
export XDG_RUNTIME_DIR
unset IP_CACHE
_tap_n=0 _tap_fail=0 _tap_pids="" _tap_cleanups=""

_tap_exit() {
	rc=$?
	for f in $_tap_cleanups; do "$f" || :; done
	# shellcheck disable=SC2086 # pids
	stop_pids $_tap_pids
	rm -rf "$T"
	exit $rc
}
trap _tap_exit EXIT
# a hang-up too (a closed terminal): servers are stopped as on exit
trap 'exit 130' INT TERM HUP

plan() { echo "1..$1"; }
diag() { printf '# %s\n' "$@" >&2; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

ok() {	# ok STATUS DESCRIPTION: STATUS 0 passes
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then echo "ok $_tap_n - $2"
	else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
}
pass() { ok 0 "$1"; }
fail() { ok 1 "$1"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }

is() {	# is GOT EXPECTED DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"
	else ok 1 "$3"; diag "got:      '$1'" "expected: '$2'"; fi
}

like() {	# like GOT GREP-E-PATTERN DESCRIPTION
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"
	else ok 1 "$3"; diag "got: '$1'" "expected to match: $2"; fi
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 1 "$3"; diag "got: '$1'" "must not match: $2"
	else ok 0 "$3"; fi
}

same_file() {	# same_file GOT-FILE EXPECTED-FILE DESCRIPTION
	if cmp -s "$1" "$2"; then ok 0 "$3"
	else ok 1 "$3"; diag "$(diff -u "$2" "$1" | head -40)"; fi
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_fail" = 0 ]
}

# run CMD...: sets $out, $err, $rc (stdout, stderr, exit status).
run() {
	"$@" >"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
	# A sanitizer report is always a failure, whatever the test expected.
	if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
	    -e 'runtime error:' "$T/.err"; then
		fail "no sanitizer report from: $*"; diag "$(head -30 "$T/.err")"
	fi
	return 0
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bg CMD...: start in the background, killed when the test exits.
bg() { "$@" & _tap_pids="$_tap_pids $!"; }
at_exit() { _tap_cleanups="$_tap_cleanups $1"; }

wait_port() {	# wait_port PORT [SECONDS]
	python3 - "$1" "${2:-10}" <<'PY'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + limit
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# A minimal valid config (README's shape); callers append or sed it.
write_config() {	# write_config FILE [NAMESPACE]
	cat >"$1" <<EOF
general:
  namespace: ${2:-my-super-event}
  riot_version: v1.4.2
  connectivity_check_timeout: 300
instances:
  user: superevent
  password: superevent2019
  provider: openstack
  args:
    api_version: 2
dns:
  zone: example.com
  provider: ovh
  args:
    endpoint: ovh-eu
EOF
	chmod 600 "$1"
}
