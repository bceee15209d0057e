#!/bin/sh
# The live view of create: on a terminal, one line per server, redrawn in
# place as each moves through instance, DNS, setup, ready; built from the
# stages' output streams (ip-table --progress).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH

# ip-table --progress on files, not a terminal: a line per change.
printf '%s\n' '{"type":"name","name":"ann"}' '{"type":"name","name":"bob"}' > "$T/names"
printf '%s\n' '{"type":"instance","name":"ann","ipv4":"192.0.2.1"}' '{"type":"error","name":"bob","stage":"instances-create","message":"quota"}' > "$T/inst"
printf '%s\n' '{"type":"server","name":"ann","instance":{"ipv4":"192.0.2.1"}}' > "$T/dns"
printf '%s\n' '{"type":"server","name":"ann","domain":"ann.p.example.com","provision":{"status":"ok"}}' '{"type":"error","name":"bob","stage":"instances-create","message":"quota"}' > "$T/res"
run ip-table --progress "$T/names" "$T/inst" "$T/dns" "$T/res"
is "$rc" 0 "--progress on finished files: exit 0"
is "$err" "ip-table: ann: creating the instance
ip-table: bob: creating the instance
ip-table: ann: instance up 192.0.2.1
ip-table: bob: FAILED instances-create: quota
ip-table: ann: DNS record made, setting up 192.0.2.1
ip-table: ann: ready ann.p.example.com" "a line per step, never backwards, a failure said once"

# --until: files that grow while it follows them.
: > "$T/g1"
ip-table --progress --until "$T/stop" "$T/g1" 2> "$T/follow.err" &
viewer=$!
sleep 0.3
printf '{"type":"instance","name":"cyd","ip' >> "$T/g1"
sleep 0.3
printf 'v4":"192.0.2.9"}\n' >> "$T/g1"
sleep 0.5
: > "$T/stop"
wait "$viewer"
is "$?:$(cat "$T/follow.err")" "0:ip-table: cyd: instance up 192.0.2.9" "--until: follows a growing file, half lines included, and stops"

command -v script >/dev/null || { skip "script(1) is not installed"; done_testing; exit; }
[ -x /usr/sbin/sshd ] || { skip "openssh-server is not installed"; done_testing; exit; }
party_start live-party
TERM=xterm script -qfec "install-party create -N 2" "$T/typescript" > /dev/null 2>&1
tr -d '\r' < "$T/typescript" > "$T/screen"
like "$(cat "$T/screen")" "2 server\\(s\\): 2 ready, 0 failed, 0 in progress" "on a terminal: the live view ends with both ready"
ok "$(grep -q "$(printf '\033')\\[[0-9]*A" "$T/screen"; echo $?)" "the view is redrawn in place"
unlike "$(cat "$T/screen")" "ip-provision: " "the stages' messages are kept out of the view"
like "$(cat "$T/screen")" "All servers have been created:" "then the summary"
TERM=xterm script -qfec "install-party -v create -N 1" "$T/typescript2" > /dev/null 2>&1
like "$(tr -d '\r' < "$T/typescript2")" "ip-provision: [a-z]+: provisioned" "-v: the stages' messages instead of the view"
done_testing
