#!/bin/sh
# Ctrl-C during install-party create: no new server is started, those in
# flight are seen through to the end, and the summary says what exists.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
# As from a terminal: its own process group, SIGINT not ignored (a shell
# starts background jobs with SIGINT ignored, and then nothing could catch it).
interactive() {
	exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

PARTY_BUILD_DELAY=2 party_start int-party
posts() { jq -s '[.[] | select(.method=="POST" and (.path|test("/servers$")))] | length' "$PARTY_OS_LOG"; }

# Four servers, two at a time: interrupt while the first two build.
interactive install-party create -N 4 -j 2 > "$T/out" 2> "$T/err" &
wrapper=$!
i=0
until [ "$(posts)" = 2 ]; do i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.05; done
sleep 0.3
kill -INT "-$wrapper"	# the terminal's Ctrl-C: the whole process group
wait "$wrapper"
rc=$?
out=$(cat "$T/out") err=$(cat "$T/err")
is "$(posts)" 2 "no new server was requested after the interrupt"
like "$err" "interrupted" "the interrupt is acknowledged"
is "$(printf '%s\n' "$out" | head -1)" "All servers have been created:" "the servers in flight were finished"
is "$(printf '%s\n' "$out" | grep -c '^	- ')" 2 "and the summary lists them"
is "$rc" 130 "the run says it was interrupted (exit 130)"
run install-party list --json
is "$(printf '%s\n' "$out" | jq -r .state | sort | tr '\n' ' ')" "complete complete " "nothing half made is left behind"
done_testing
