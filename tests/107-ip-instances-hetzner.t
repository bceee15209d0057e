#!/bin/sh
# ip-instances on Hetzner Cloud: ls with decoys over pages, create, lost
# answers, auth, the rate limit, delete, Ctrl-C (against hetzner_sim.py).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/hetzner_lib.sh"

hz_start --namespace party --populate 60 --build-delay 0.2 --rate-limit 36000 --fail-create=-doomed
C=$T/c.yaml
hz_config "$C" party
names() { printf '%s\n' "$1" | jq -r "select(.type==\"${2:-instance}\") | .name" | sort | tr '\n' ' '; }
posts() { hz_count '.method=="POST" and .path=="/v1/servers" and .status != 422'; }

# the simulator is as strict as the API says
api() { curl -s -H "Authorization: Bearer $HZ_TOKEN" -H 'Content-Type: application/json' "$@"; }
is "$(curl -s "$HZ_URL/v1/servers" | jq -c .error)" '{"code":"unauthorized","message":"unable to authenticate","details":null}' "sim: 401 in Hetzner's shape"
is "$(api -d '{"name":"party-z","server_type":"cx22","image":"debian-12","datacenter":"fsn1-dc14"}' "$HZ_URL/v1/servers" | jq -r '.error.code + " " + .error.details.fields[0].name')" \
    "invalid_input datacenter" "sim: an unknown field is 422 invalid_input"
is "$(api "$HZ_URL/v1/servers?per_page=51" | jq -r .error.code):$(api "$HZ_URL/v1/servers?label_selector=a%20b%20c" | jq -r .error.code)" \
    "invalid_input:invalid_input" "sim: per_page above 50 and a bad label selector are refused"
is "$(api "$HZ_URL/v1/servers?label_selector=install-party%20in%20(party,other-party),!nope&per_page=50" | jq '.meta.pagination.total_entries')" 63 \
    "sim: in (...) and !key selectors"

run ip-instances -c "$C" ls
is "$rc" 0 "ls: exit 0"
is "$(printf '%s\n' "$out" | jq -r .name | grep -c '^p00[0-5][0-9]$')" 60 "ls: the 60 servers of the namespace, over pages"
is "$(names "$out" | grep -c -e decoy -e other -e x-ml -e abc -e Bad -e foo)" 0 "ls: no decoy (unlabelled, another namespace's label, a longer namespace, look-alike names)"
is "$(hz_count '.path=="/v1/servers" and .method=="GET" and (.query|test("label_selector=install-party%3D%3Dparty&.*per_page=50"))')" 2 "ls: label_selector, 50 a page, two pages"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="p0000") | [.provider, (.id|type), (.ipv6|test("::1$"))] | map(tostring) | join(" ")')" "hetzner string true" "ls: ids as strings, the /64's ::1 as IPv6"
ids=$(printf '%s\n' "$out" | jq -r .id | sort -u)
# jq 1.6 would round them: read the simulator's ids with python
want=$(curl -s "$HZ_URL/_sim/state" | python3 -c 'import json, sys
for s in json.load(sys.stdin)["servers"]:
    if s["labels"].get("install-party") == "party" and s["name"].startswith("party-p"): print(s["id"])' | sort -u)
is "$ids" "$want" "ls: ids exact (above 2^53, as the simulator makes them)"

printf '#!/bin/sh\necho first boot\n' >"$T/ud.sh"
run sh -c "ip-names -c '$C' alice bob carol | ip-instances -c '$C' -u '$T/ud.sh' create"
is "$rc" 0 "create: exit 0"
is "$(names "$out")" "alice bob carol " "create: three instances"
is "$(printf '%s\n' "$out" | jq -r 'select(.status=="running" and .ipv4 != null) | .name' | wc -l)" 3 "create: running, with a public IPv4"
is "$(posts)" 3 "create: one POST each"
is "$(hz_state '[.servers[] | select((.name|test("^party-(alice|bob|carol)$")) and .labels["install-party"]=="party" and ._user_data=="#!/bin/sh\necho first boot\n")] | length')" 3 \
    "create: the label and the plain-text user data reached the API"
is "$(hz_count '.path=="/v1/actions" and (.query|test("id=.*&id="))' | awk '{print ($1 > 0)}')" 1 "create: actions polled together"

run sh -c "ip-names -c '$C' doomed | ip-instances -c '$C' create"
is "$rc:$(names "$out" error)" "1:doomed " "an action that fails: an error object, exit 1"
like "$err" "doomed: server [0-9]+: action create_server error: placement_error: simulated failure" "the action's error is said"

run sh -c "ip-names -c '$C' decoy | ip-instances -c '$C' create"
is "$rc" 1 "a name taken by a server without our label: exit 1"
like "$err" "uniqueness_error.*unique in the project" "the uniqueness error is explained"

n=$(posts)
hz_fail '{"method":"POST","path":"/v1/servers","drop":"after"}'
run sh -c "ip-names -c '$C' lost | ip-instances -c '$C' create"
is "$rc:$(names "$out")" "0:lost " "an answer lost after the write: the server is found and used"
is "$(($(posts) - n))" 1 "an answer lost after the write: not asked twice"
is "$(hz_count '.path=="/v1/servers" and .query=="name=party-lost"')" 1 "looked up by its exact name"
n=$(posts)
hz_fail '{"method":"POST","path":"/v1/servers","drop":"before"}'
run sh -c "ip-names -c '$C' never | ip-instances -c '$C' create"
is "$rc:$(names "$out"):$(($(posts) - n))" "0:never :2" "a connection dropped before the write: looked up, asked again once"
hz_fail '{"method":"POST","path":"/v1/servers","status":500}'
run sh -c "ip-names -c '$C' fivexx | ip-instances -c '$C' create"
is "$rc:$(hz_state '[.servers[] | select(.name=="party-fivexx")] | length')" "0:1" "HTTP 500 on create: one server in the end"

printf '%040000d' 0 >"$T/big"
n=$(posts)
run sh -c "ip-names -c '$C' huge | ip-instances -c '$C' -u '$T/big' create"
is "$rc:$(($(posts) - n))" "1:0" "user data over 32 KiB: refused before asking"
like "$err" "at most 32768" "the limit is said"

hz_config "$T/bad.yaml" party
sed -i "s/token: $HZ_TOKEN/token: wrong-token-123/" "$T/bad.yaml"
run ip-instances -c "$T/bad.yaml" ls
is "$rc" 2 "a wrong token: exit 2"
like "$err" "HTTP 401: unauthorized: unable to authenticate; check instances.args.token" "a wrong token: Hetzner's error and what to check"
unlike "$err" "wrong-token-123" "the token is never printed"
hz_config "$T/dc.yaml" party "    datacenter: fsn1-dc14"
run ip-instances -c "$T/dc.yaml" ls
is "$rc" 2 "datacenter: refused"
like "$err" "dc.yaml:[0-9]+:[0-9]+: instances.args.datacenter: the API no longer takes a datacenter" "datacenter: located, and location suggested"

# the budget: two requests left, ls needs three; paced, one back every 3600/limit s
hz_knobs '{"remaining": 2}'
run ip-instances -c "$C" ls
is "$rc" 0 "ls with the hour's budget spent: still succeeds"
like "$err" "pacing at one request every 0.1s" "the pacing is said, at the rate the RateLimit-Limit header gives"
is "$(jq -s '[.[] | select(.path=="/v1/servers" and .status==200)] | .[-2:] | (.[1].t - .[0].t) >= 0.09' "$HZ_LOG")" true \
    "the pages were asked a refill (0.1 s) apart"
hz_knobs '{"remaining": 0}'
run ip-instances -c "$C" ls
is "$rc:$(hz_count '.status==429' | awk '{print ($1 >= 1)}')" "0:1" "none left: refused with 429, sent again a refill later, and the list comes"
is "$(printf '%s\n' "$out" | jq -r .name | grep -c '^p00')" 60 "and the list is whole"

# delete: ours only
run ip-instances -c "$C" ls
printf '%s\n' "$out" | jq -c 'select(.name=="alice" or .name=="bob")' >"$T/del"
other=$(curl -s "$HZ_URL/_sim/state" | python3 -c 'import json, sys
print([s["id"] for s in json.load(sys.stdin)["servers"] if s["name"] == "party-other"][0])')
printf '{"type":"instance","name":"other","namespace":"party","instance":"party-other","id":"%s"}\n' "$other" >>"$T/del"
hz_fail '{"method":"DELETE","path":"/v1/servers/","status":409}'
run ip-instances -c "$C" -w delete "$T/del"
like "$err" "HTTP 409 conflict, sending it again" "a 409 conflict (nothing done) is sent again, as the official clients do"
is "$rc" 1 "delete with a server of another namespace among them: exit 1"
is "$(names "$out" error)" "other " "that one is refused"
like "$err" "labelled for another namespace: not deleted" "and why"
is "$(hz_state '[.servers[] | select(.name|test("^party-(alice|bob|other)$"))] | .[].name' | tr -d '"' | tr '\n' ' ')" "party-other " \
    "alice and bob are gone (-w waited for the action), party-other is there"
run ip-instances -c "$C" delete "$T/del"
is "$(printf '%s\n' "$out" | jq -r 'select(.deleted.instance) | .name' | sort | tr '\n' ' ')" "alice bob " "deleting again: already gone counts as deleted"

if command -v valgrind >/dev/null; then
	vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@"; }
	ip-names -c "$C" vgone >"$T/vg"
	hz_fail '{"method":"POST","path":"/v1/servers","drop":"after"}'
	run vg "$IP_PLAIN_BINDIR/ip-instances" -c "$C" -u "$T/ud.sh" create "$T/vg"
	is "$rc:$(names "$out")" "0:vgone " "valgrind: create after a lost answer, clean"
	printf '%s\n' "$out" >"$T/vg.inst"
	run vg "$IP_PLAIN_BINDIR/ip-instances" -c "$C" -w delete "$T/vg.inst"
	is "$rc" 0 "valgrind: delete -w clean"
else
	skip "valgrind is not installed"
	skip "valgrind is not installed"
fi

# Ctrl-C while two creations wait for slow answers: no new server after
# it, the two in flight are seen through
n=$(posts)
hz_fail '{"method":"POST","path":"/v1/servers","delay":1.0,"count":2}'
ip-names -c "$C" int1 int2 int3 int4 >"$T/int"
( exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' ip-instances -c "$C" -j 2 create "$T/int" >"$T/int.out" 2>"$T/int.err" ) &
pid=$!
recv() { hz_state '.received["POST /v1/servers"]'; }
r0=$(recv)
i=0
until [ "$(recv)" = "$((r0 + 2))" ]; do i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.05; done
kill -INT "$pid"
wait "$pid"
is "$(($(posts) - n)):$(($(recv) - r0))" "2:2" "Ctrl-C during two slow creations: no new server asked for"
is "$(names "$(cat "$T/int.out")")" "int1 int2 " "Ctrl-C: the two in flight are finished"
like "$(cat "$T/int.err")" "interrupted" "Ctrl-C: said"
done_testing
