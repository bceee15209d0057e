#!/bin/sh
# INT, TERM and HUP, to the wrapper alone or to its process group, and from
# timeout(1): a first one stops new work and lets the work in flight finish,
# a second one stops everything; the wrapper never exits before its stages,
# prints what exists, and leaves nothing in its temporary directory.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
command -v setsid > /dev/null || skip_all "no setsid"

PARTY_OVH_ARGS="--latency-ms 60" PARTY_BUILD_DELAY=2 party_start sig-party
posts() { jq -s '[.[] | select(.method=="POST" and (.path|test("/servers$")))] | length' "$PARTY_OS_LOG"; }
# "NAME:STATUS" of every server of the namespace, as the cloud has them
servers() {
	curl -s "$PARTY_OS_URL/_sim/servers" |
	    jq -r '.servers[] | select(.name|startswith("sig-party-")) |
	    select(."OS-EXT-STS:task_state" != "deleting") | "\(.name):\(.status)"' | sort
}
records() { curl -s "$PARTY_OVH_URL/_sim/state" | jq -r '[.records[] | select((.subDomain|endswith(".sig-party")) and (.protected|not))] | length'; }
wait_posts() {	# wait_posts N: until N servers were asked for
	_i=0
	until [ "$(posts)" -ge "$1" ]; do _i=$((_i + 1)); [ $_i -lt 300 ] || break; sleep 0.05; done
}
W=$T/wtmp
mkdir "$W"
left_in_tmp() { ls -A "$W" | tr '\n' ' '; }

# 1. TERM to the wrapper alone (kill PID), during create.
TMPDIR=$W install-party create -N 4 -j 2 > "$T/out" 2> "$T/err" &
wrapper=$!
wait_posts 2
sleep 0.3
kill -TERM "$wrapper"
wait "$wrapper"
rc=$?
at_exit=$(servers)
sleep 0.5
is "$(posts)" 2 "TERM to the wrapper: no new server was asked for"
is "$rc" 130 "TERM to the wrapper: exit 130"
is "$(head -1 "$T/out")" "All servers have been created:" "TERM to the wrapper: the two in flight were finished"
is "$(grep -c '^	- ' "$T/out")" 2 "TERM to the wrapper: the summary lists them"
is "$(printf '%s\n' "$at_exit" | grep -c ':ACTIVE$')" 2 "TERM to the wrapper: it exited after its stages (both ACTIVE then)"
is "$(servers)" "$at_exit" "TERM to the wrapper: nothing changes after it exited"
like "$(cat "$T/err")" "interrupted: nothing new is started" "TERM to the wrapper: acknowledged"
is "$(left_in_tmp)" "" "TERM to the wrapper: nothing left in TMPDIR"

# 2. HUP to the process group (a terminal closed), during create.
before=$(posts)
TMPDIR=$W setsid install-party create -N 4 -j 2 > "$T/out" 2> "$T/err" &
wrapper=$!
wait_posts $((before + 2))
sleep 0.3
kill -HUP "-$wrapper"
wait "$wrapper"
rc=$?
at_exit=$(servers)
sleep 0.5
is "$(posts)" $((before + 2)) "HUP to the group: no new server was asked for"
is "$rc" 130 "HUP to the group: exit 130"
is "$(grep -c '^	- ' "$T/out")" 2 "HUP to the group: the summary lists the two in flight"
is "$(printf '%s\n' "$at_exit" | grep -c ':ACTIVE$')" 4 "HUP to the group: it exited after its stages"
is "$(servers)" "$at_exit" "HUP to the group: nothing changes after it exited"
is "$(left_in_tmp)" "" "HUP to the group: nothing left in TMPDIR"

# 3. timeout(1): TERM to the wrapper, then to its group.
TMPDIR=$W timeout 3 install-party create -N 4 -j 2 > "$T/out" 2> "$T/err"
rc=$?
at_exit=$(servers)
made=$(printf '%s\n' "$at_exit" | grep -c ':')
sleep 2.5
is "$rc" 124 "timeout: it timed out"
is "$(servers)" "$at_exit" "timeout: nothing goes on after it returned"
unlike "$at_exit" ":BUILD$" "timeout: no server was left half made"
is "$(grep -c '^	- ' "$T/out")" $((made - 4)) "timeout: the summary lists what was made"
is "$(left_in_tmp)" "" "timeout: nothing left in TMPDIR"

# 4. TERM to the process group during delete --all: the wrapper waits for
# its stages and prints a Deleted line for each server gone.
n=$(printf '%s\n' "$at_exit" | grep -c ':')
TMPDIR=$W setsid install-party delete --all -j 1 > "$T/out" 2> "$T/err" &
wrapper=$!
_i=0
until grep -q '"DELETE"' "$PARTY_OVH_LOG"; do _i=$((_i + 1)); [ $_i -lt 300 ] || break; sleep 0.02; done
kill -TERM "-$wrapper"
wait "$wrapper"
rc=$?
at_exit=$(servers):$(records)
sleep 1
left=$(servers | grep -c ':')
is "$rc" 130 "TERM to the group during delete: exit 130"
is "$(servers):$(records)" "$at_exit" "TERM to the group during delete: nothing is deleted after it exited"
is "$(grep -c '^Deleted ' "$T/out")" $((n - left)) "TERM to the group during delete: a Deleted line for each server gone"
is "$(records)" "$left" "TERM to the group during delete: no server was left without its record"
is "$(left_in_tmp)" "" "TERM to the group during delete: nothing left in TMPDIR"

# 5. A second signal stops everything: the wrapper returns without waiting
# for the servers in flight, and says that some may exist.
run install-party delete --all
before=$(posts)
TMPDIR=$W install-party create -N 4 -j 2 > "$T/out" 2> "$T/err" &
wrapper=$!
wait_posts $((before + 2))
kill -TERM "$wrapper"
sleep 0.6
kill -HUP "$wrapper"
wait "$wrapper"
rc=$?
at_exit=$(servers)
is "$rc" 130 "a second signal: exit 130"
like "$at_exit" ":BUILD$" "a second signal: the wrapper did not wait for the servers in flight"
sleep 0.5
is "$(posts)" $((before + 2)) "a second signal: nothing new was asked for"
like "$(cat "$T/err")" "interrupted again: stopping everything now" "a second signal: acknowledged"
like "$(cat "$T/err")" "servers may exist that are not above" "a second signal: the summary says servers may exist"
is "$(left_in_tmp)" "" "a second signal: nothing left in TMPDIR"
done_testing
