#!/bin/sh
# ip-instances create: streaming with -j, user data, ERROR, timeout, quota, no busy polling.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

os_start --build-delay 0.5 --fail-pattern '^party-bad' --stuck-pattern '^party-stuck'
C=$T/c.yaml
os_config "$C" party /v3
printf '#!/bin/sh\necho hello from the first boot\n' >"$T/ud.sh"
names() { printf '%s\n' "$1" | jq -r "select(.type==\"${2:-instance}\") | .name" | sort | tr '\n' ' '; }

# 20 servers, 8 at a time; lines stamped with the time they came out
ip-names -c "$C" $(seq -f 'n%02g' 1 20) >"$T/names"
ip-instances -c "$C" -j 8 -u "$T/ud.sh" create <"$T/names" 2>"$T/err" | while IFS= read -r l; do
	printf '%s %s\n' "$(date +%s.%N)" "$l"; done >"$T/stamped"
out=$(cut -d' ' -f2- "$T/stamped")
is "$(printf '%s\n' "$out" | jq -r 'select(.type=="instance" and .status=="ACTIVE" and (.ipv4|type)=="string") | .name' | sort -u | wc -l)" 20 \
    "create -j 8: 20 ACTIVE instance objects with an IPv4"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="n01") | [.type,.instance,.domain,.provider] | join(" ")')" \
    "instance party-n01 n01.party.example.com openstack" "the name object's fields pass through"
first=$(head -1 "$T/stamped" | cut -d' ' -f1)
lastpost=$(jq -s '[.[] | select(.method=="POST" and (.path|endswith("/servers"))) | .t] | max' "$OS_LOG")
is "$(python3 -c "print(int($first < $lastpost))")" 1 "streaming: the first instance came out before the last server was requested"
maxpar=$(jq -s '[.[] | select(.method=="POST" and (.path|endswith("/servers")))] | length' "$OS_LOG")
is "$maxpar" 20 "one POST per server"
is "$(os_servers | jq -r '[.servers[] | select(.name|startswith("party-n")) | select(.metadata["install-party"]=="party" and .user_data=="#!/bin/sh\necho hello from the first boot\n")] | length')" 20 \
    "user data and the metadata tag reached nova"
# -j 8: never more than 8 servers building at once, but several
maxb=$(jq -s '[.[] | select(.building != null) | .building] | max' "$OS_LOG")
[ "$maxb" -le 8 ] && [ "$maxb" -ge 4 ]; ok $? "-j 8: at most 8 servers building at once (saw $maxb)"

# stdin read while the loop runs: the first result comes out before input ends
: >"$OS_LOG"
(ip-names -c "$C" s1; sleep 2; ip-names -c "$C" s2) | ip-instances -c "$C" create 2>/dev/null | while IFS= read -r l; do
	printf '%s %s\n' "$(date +%s.%N)" "$l"; done >"$T/stamped"
t1=$(head -1 "$T/stamped" | cut -d' ' -f1)
t2=$(jq -s '[.[] | select(.method=="POST") | .t] | max' "$OS_LOG")
is "$(python3 -c "print(int($t1 < $t2 - 0.5))")" 1 "reads stdin while polling: s1 came out before s2 was read"

# names already used, and twice in the input
: >"$OS_LOG"
printf '%s\n' "$(ip-names -c "$C" alpha)" "$(ip-names -c "$C" n01)" "$(ip-names -c "$C" fresh)" "$(ip-names -c "$C" fresh)" \
    '{"type":"error","name":"x","stage":"dns-create","message":"m"}' >"$T/in"
run ip-instances -c "$C" create "$T/in"
is "$rc" 1 "names already used: exit 1"
is "$(names "$out" error)" "alpha fresh n01 x " "alpha, n01 and the second fresh refused (x passed through)"
like "$out" '"message":"instance party-alpha already exists in the namespace"' "says which instance exists"
is "$(names "$out")" "fresh " "fresh created once"
is "$(os_count '.method=="POST" and (.path|endswith("/servers"))')" 1 "one POST only"
like "$out" '"stage":"dns-create"' "error objects pass through"

# ERROR with nova's fault, and a timeout
run ip-instances -c "$C" -t 2 create "$(printf '%s\n' "$(ip-names -c "$C" bad1)" "$(ip-names -c "$C" stuck1)" "$(ip-names -c "$C" good1)" >"$T/in2"; echo "$T/in2")"
is "$rc" 1 "ERROR and timeout: exit 1"
like "$(printf '%s\n' "$out" | jq -r 'select(.name=="bad1") | .type + " " + .stage + " " + .message')" \
    '^error instances-create server .* went to ERROR: No valid host was found' "ERROR: an error object with nova's fault"
like "$(printf '%s\n' "$out" | jq -r 'select(.name=="stuck1") | .type + " " + .message')" \
    '^error server .* not ACTIVE .* after 2s \(status BUILD\)' "timeout: an error object"
is "$(names "$out")" "good1 " "the others still succeed"
like "$err" "bad1: server .* went to ERROR" "ERROR said on stderr"

# no busy polling: a 2 s build is polled a handful of times, not hundreds
os_knobs '{"build_delay": 2.0}'
: >"$OS_LOG"
IP_POLL_MS=200 run ip-instances -c "$C" create "$(ip-names -c "$C" slow1 >"$T/in3"; echo "$T/in3")"
is "$rc" 0 "2 s build: exit 0"
gets=$(os_count '.method=="GET" and (.path|test("/servers/[0-9a-f-]{36}$"))')
[ "$gets" -ge 2 ] && [ "$gets" -le 8 ]; ok $? "2 s build polled $gets times with backoff (2..8)"
os_knobs '{"build_delay": 0.3}'

# quota: 403 forbidden, one readable line with the status
os_knobs '{"quota": 1}'
run ip-instances -c "$C" create "$(ip-names -c "$C" q1 >"$T/in4"; echo "$T/in4")"
is "$rc" 1 "quota: exit 1"
like "$(printf '%s\n' "$out" | jq -r .message)" '^nova POST /nova/RegionOne/v2.1/[0-9a-f]+/servers: HTTP 403: Quota exceeded for instances' \
    "quota: nova's message with the status"
os_knobs '{"quota": null}'

# POST is retried on 429 (nova said so); on 500 or a lost answer only after
# looking whether nova made the server anyway
: >"$OS_LOG"
os_knobs '{"throttle_first": 1, "retry_after": 0, "chaos_method": "POST"}'
curl -s -o /dev/null -X POST "$OS_URL/_sim/reset-counters"
run ip-instances -c "$C" create "$(ip-names -c "$C" t429 >"$T/in5"; echo "$T/in5")"
is "$rc" 0 "429 on POST: retried, created"
is "$(os_count '.method=="POST" and (.path|endswith("/servers"))')" 2 "429 on POST: two POSTs"
: >"$OS_LOG"
os_knobs '{"throttle_first": 0, "error_first": 1}'
curl -s -o /dev/null -X POST "$OS_URL/_sim/reset-counters"
run ip-instances -c "$C" create "$(ip-names -c "$C" t500 >"$T/in6"; echo "$T/in6")"
is "$rc" 0 "500 on POST: created after looking that it was not"
is "$(os_count '.method=="POST" and (.path|endswith("/servers"))')" 2 "500 on POST: asked again once"
is "$(os_count '.method=="GET" and (.query|test("^name=party-t500$"))')" 1 "500 on POST: looked up by name first"
: >"$OS_LOG"
os_knobs '{"error_first": 0, "chaos_method": null, "lose_create_first": 1}'
run ip-instances -c "$C" create "$(ip-names -c "$C" lost >"$T/in6b"; echo "$T/in6b")"
is "$rc" 0 "answer to POST lost: exit 0"
is "$(printf '%s\n' "$out" | jq -r .instance)" "party-lost" "answer to POST lost: the server that was made is used"
is "$(os_count '.method=="POST" and (.path|endswith("/servers"))')" 1 "answer to POST lost: no second POST"
is "$(os_servers | jq '[.servers[] | select(.name=="party-lost")] | length')" 1 "answer to POST lost: no duplicate server"
: >"$OS_LOG"
os_knobs '{"error_rate": 1.0, "chaos_method": "POST"}'
run ip-instances -c "$C" create "$(ip-names -c "$C" t500b >"$T/in6c"; echo "$T/in6c")"
is "$rc" 1 "POST failing for good: exit 1"
is "$(os_count '.method=="POST" and (.path|endswith("/servers"))')" 2 "POST failing for good: two POSTs at most"
like "$(printf '%s\n' "$out" | jq -r .message)" "HTTP 500: Unexpected API Error" "POST failing for good: nova's message"
os_knobs '{"error_rate": 0, "chaos_method": null}'

# user data too big for nova: refused before any request
head -c 49150 /dev/zero | tr '\0' a >"$T/big"
: >"$OS_LOG"
run ip-instances -c "$C" -u "$T/big" create "$T/in6"
is "$rc" 2 "user data over 65535 base64 bytes: exit 2"
like "$err" "big: 49150 bytes is too big for user data" "user data too big: clear message"
is "$(wc -l <"$OS_LOG" | tr -d ' ')" 0 "user data too big: no request at all"
head -c 49149 /dev/zero | tr '\0' a >"$T/big"
run ip-instances -c "$C" -u "$T/big" create "$(ip-names -c "$C" big1 >"$T/in7"; echo "$T/in7")"
is "$rc" 0 "49149 bytes (65532 in base64) is accepted by nova"

# SIGTERM (as Ctrl-C): the servers in flight finish, none is started after,
# and the run exits 1 saying how many it never started
: >"$OS_LOG"
ip-names -c "$C" i1 i2 i3 i4 i5 i6 >"$T/in9"
ip-instances -c "$C" -j 2 create "$T/in9" >"$T/int.out" 2>"$T/int.err" &
pid=$!
i=0
until [ "$(jq -s '[.[] | select(.method=="POST" and (.path|endswith("/servers")))] | length' "$OS_LOG")" = 2 ]; do
	i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
is "$?" 1 "interrupted: exit 1"
is "$(jq -s '[.[] | select(.method=="POST" and (.path|endswith("/servers")))] | length' "$OS_LOG")" 2 "interrupted: no server requested after it"
is "$(jq -r 'select(.type=="instance") | .name' "$T/int.out" | sort | tr '\n' ' ')" "i1 i2 " \
    "interrupted: the two in flight were seen through"
like "$(cat "$T/int.err")" "interrupted: 4 item\(s\) read were never started" "and it says how many it never started"

# a dashed namespace
os_config "$C" my-party /v3
run ip-instances -c "$C" create "$(ip-names -c "$C" web >"$T/in8"; echo "$T/in8")"
is "$(printf '%s\n' "$out" | jq -r .instance)" "my-party-web" "dashed namespace: instance my-party-web"
run ip-instances -c "$C" ls
like "$out" '"instance":"my-party-web"' "dashed namespace: listed"

done_testing
