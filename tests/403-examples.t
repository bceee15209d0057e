#!/bin/sh
# Every example in examples/ runs against the simulators, so none rots.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$TOP/examples:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"

# The annotated config is valid, and knows every key it shows.
cp "$TOP/examples/config.yaml" "$T/example.yaml"; chmod 600 "$T/example.yaml"
run ip-names -c "$T/example.yaml" alice
is "$rc:$err" "0:" "examples/config.yaml loads with no warning"
like "$out" '"domain":"alice.my-super-event.example.com"' "examples/config.yaml: the README's names"

party_start ex-party
run install-party create -N 2
is "$rc" 0 "two servers for the examples"

run list-json.sh
is "$(printf '%s\n' "$out" | grep -cE '^[a-z]{5}	[a-z]{5}\.ex-party\.example\.com	127\.0\.100\.[0-9]+	complete$')" 2 "list-json.sh: a tab-separated line per server"

mkdir "$T/cwd"
run sh -c "cd '$T/cwd' && run-everywhere.sh 'echo fixed on \$(hostname)'"
is "$rc" 0 "run-everywhere.sh: exit 0"
is "$(cat "$T"/cwd/logs/*.log | grep -c '^fixed on ')" 2 "run-everywhere.sh: the command ran on each server, logged"

# An orphan of each kind: a record without instance, an instance without record.
one=$(install-party list --json | jq -c 'select(.state=="complete")' | head -1)
two=$(install-party list --json | jq -c 'select(.state=="complete")' | tail -1)
printf '%s\n' "$one" | jq -c '.records[0] + {type: "record"}' | ip-dns delete > /dev/null 2>&1
printf '%s\n' "$two" | jq -c '.instance' | ip-instances delete --wait > /dev/null 2>&1
run install-party list --json
is "$(printf '%s\n' "$out" | jq -r .state | sort | tr '\n' ' ')" "orphan-instance orphan-record " \
    "two orphans made"
run delete-orphans.sh -n 0
like "$out" "^Would delete " "delete-orphans.sh -n: says what it would delete"
run delete-orphans.sh 60
is "$(printf '%s\n' "$out" | grep -c '^Deleted ')" 1 "delete-orphans.sh 60: young orphan instances are spared"
run delete-orphans.sh 0
is "$rc" 0 "delete-orphans.sh 0: exit 0"
party_settle 0
run install-party list --json
is "$out" "" "delete-orphans.sh: no orphan left"

# The crontab's commands, run as cron would (with its environment lines).
install-party create -N 1 > /dev/null 2>&1
grep -v '^#' "$TOP/examples/crontab" | grep -E '^[0-9*]' | sed 's/^\([^ ]* \)\{5\}//; s/ >>.*//' > "$T/cron-commands"
is "$(wc -l < "$T/cron-commands" | tr -d ' ')" 3 "three cron jobs"
run sh -c "$(sed -n 1p "$T/cron-commands")"
is "$rc:$(printf '%s\n' "$out" | grep -c '^Deleted ')" "0:1" "cron: install-party delete --all"
run sh -c "$(sed -n 2p "$T/cron-commands" | sed "s|/usr/local/share/install-party/examples/||")"
is "$rc" 0 "cron: delete-orphans.sh runs"
install-party create -n ends --expires-in 1s > /dev/null 2>&1
install-party create -n stays --expires-in 1d > /dev/null 2>&1
sleep 1.1
run sh -c "$(sed -n 3p "$T/cron-commands")"
is "$rc:$(printf '%s\n' "$out" | sed -n 's/^Deleted \([a-z]*\):.*/\1/p')" "0:ends" "cron: install-party delete --expired deletes the ended server only"
done_testing
