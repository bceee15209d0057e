#!/bin/sh
# ip-dns: signature and credential errors, both error shapes, clock offset,
# retries (5xx, 429, dropped connections), endpoint checks; and the
# simulator's own strictness.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/ovh_env.sh"

ovh_start my-super-event --record "alice.my-super-event:A:203.0.113.5"
good=$OVH_CFG

# The simulator rejects what the real API rejects.
run python3 - "$OVH_URL" <<'PY'
import hashlib, json, sys, time, urllib.request
base = sys.argv[1] + "/1.0"
def call(m, path, body=None, sm=None, surl=None, sbody=None, secret="sim-as", skew=0):
    url = base + path
    b = body if body is not None else ""
    ts = str(int(time.time()) + skew)
    raw = "+".join([secret, "sim-ck", sm or m, surl or url, b if sbody is None else sbody, ts])
    h = {"X-Ovh-Application": "sim-ak", "X-Ovh-Consumer": "sim-ck", "X-Ovh-Timestamp": ts,
         "X-Ovh-Signature": "$1$" + hashlib.sha1(raw.encode()).hexdigest()}
    r = urllib.request.Request(url, data=b.encode() if body is not None else None, headers=h, method=m)
    try:
        with urllib.request.urlopen(r) as f:
            return str(f.status)
    except urllib.error.HTTPError as e:
        return "%d %s" % (e.code, json.loads(e.read()).get("errorCode"))
z = "/domain/zone/example.com/record"
print(call("GET", z + "?fieldType=A"),
      call("GET", z + "?fieldType=A", secret="nope"),
      call("GET", z + "?fieldType=A", sm="POST"),
      call("GET", z + "?fieldType=A", surl=base + z + "?fieldType=AAAA"),
      call("POST", "/domain/zone/example.com/refresh", body="", sbody="{}"),
      call("GET", z, skew=-600))
PY
is "$out" "200 400 INVALID_SIGNATURE 400 INVALID_SIGNATURE 400 INVALID_SIGNATURE 400 INVALID_SIGNATURE 400 QUERY_TIME_OUT" \
    "simulator: good call passes; wrong secret, method, URL, body and stale timestamp are refused"

# Wrong secret: exit 2 before anything changes, with a hint.
ovh_config "$T/bad.yaml" my-super-event "$OVH_URL/1.0" sim-ak wrong-secret sim-ck
run sh -c "ovh_instance() { :; }; echo '{\"type\":\"instance\",\"name\":\"x\",\"ipv4\":\"203.0.113.1\"}' | ip-dns -c '$T/bad.yaml' create"
is "$rc" 2 "bad signature: exit 2"
like "$err" "INVALID_SIGNATURE.*application_secret.*clock" "bad signature: says secret or clock"
unlike "$err" "wrong-secret" "the secret is not printed"
is "$out" "" "nothing emitted"

ovh_config "$T/ck.yaml" my-super-event "$OVH_URL/1.0" sim-ak sim-as other-ck
run ip-dns -c "$T/ck.yaml" ls
is "$rc" 2 "unknown consumer key: exit 2"
like "$err" "NOT_CREDENTIAL.*consumer_key" "unknown consumer key: names the key"

ovh_config "$T/ak.yaml" my-super-event "$OVH_URL/1.0" other-ak sim-as sim-ck
run ip-dns -c "$T/ak.yaml" ls
is "$rc" 2 "bad application key: exit 2"
like "$err" "INVALID_KEY.*application_key" "bad application key: names the key"

ovh_start my-super-event --invalid-credential
run ip-dns -c "$OVH_CFG" ls
is "$rc" 2 "invalid credential: exit 2"
like "$err" "INVALID_CREDENTIAL.*consumer_key is not valid" "invalid credential: says to renew the consumer key"

# An access rule missing: the item fails with a hint on the rule.
ovh_start my-super-event --deny 'POST:/domain/zone/*/record' --error-style class
ovh_instance bob 203.0.113.6 >"$T/in"
run sh -c "ip-dns -c '$OVH_CFG' create <'$T/in'"
is "$rc" 1 "call not granted: exit 1"
like "$out" '"type":"error","name":"bob","stage":"dns-create","message":"POST /1.0/domain/zone/example.com/record: HTTP 403: Client::Forbidden: This call has not been granted \(.*access rules' \
    "class-shaped error: one line with the rule to fix"

# The server clock is far off: the client uses /auth/time.
ovh_start my-super-event --clock-skew 3600 --record "alice.my-super-event:A:203.0.113.5"
run ip-dns -c "$OVH_CFG" ls
is "$rc" 0 "clock offset taken from /auth/time"
is "$(ovh_count '.path == "/1.0/auth/time"')" 1 "/auth/time asked once"

# Retries: 503, 429 with Retry-After, dropped connections, rate limit.
ovh_start my-super-event --populate 10 --fail-next 3 --fail-status 503
run ip-dns -c "$OVH_CFG" ls
is "$rc" 0 "503s retried"
is "$(printf '%s\n' "$out" | grep -c record)" 10 "all records after 503s"
ovh_start my-super-event --populate 10 --fail-next 2 --fail-status 429 --retry-after 0
run ip-dns -c "$OVH_CFG" ls
is "$rc" 0 "429 retried"
is "$(ovh_count '.status == 429')" 2 "two 429 answers seen"
ovh_start my-super-event --populate 10 --fail-next 2 --fail-status 0 --fail-path /record
run ip-dns -c "$OVH_CFG" ls
is "$rc" 0 "dropped connections retried"
ovh_start my-super-event
i=0; : >"$T/in"
while [ $i -lt 12 ]; do ovh_instance "r$i" "203.0.113.$((i + 1))" >>"$T/in"; i=$((i + 1)); done
# POSTs that got 429 are retried too: the server said it did nothing
curl -s -X POST -d '{"count":3,"status":429,"retry_after":"0","path":"/record"}' "$OVH_URL/_sim/fail" >/dev/null
run sh -c "ip-dns -c '$OVH_CFG' create <'$T/in'"
is "$rc" 0 "creation survives 429s"
is "$(ovh_state '[.records[] | select(.subDomain | startswith("r"))] | length')" 12 "no duplicate and no missing record"
# record ids are the provider's: one that is not among the zone's records
# (not OVH's, here) is not deleted: nothing is sent for it
n=$(ovh_count '.method=="DELETE"')
printf '{"type":"record","name":"r1","namespace":"my-super-event","subdomain":"r1.my-super-event","zone":"example.com","id":"r1.my-super-event/A"}\n' >"$T/badid"
run sh -c "ip-dns -c '$OVH_CFG' -v delete <'$T/badid'"
is "$rc:$(($(ovh_count '.method=="DELETE"') - n))" "0:0" "a record id that is not OVH's: nothing sent"
like "$err" "record r1.my-super-event/A is not in the zone" "and said"
ovh_start my-super-event --populate 40 --rate-limit 20 --no-batch
run ip-dns -c "$OVH_CFG" -j 2 ls
is "$rc" 0 "rate limit: ls still completes"
is "$(printf '%s\n' "$out" | grep -c record)" 40 "rate limit: all records"
n429=$(ovh_count '.status == 429'); [ "$n429" -gt 0 ]; ok $? "rate limit: the simulator answered 429 ($n429 times)"

# Endpoint checks.
ovh_config "$T/e1.yaml" my-super-event http://example.com/1.0 a b c
run ip-dns -c "$T/e1.yaml" ls
is "$rc" 2 "http:// to a non-loopback host refused"
like "$err" "e1.yaml:[0-9]+:[0-9]+: dns.args.endpoint: http:// is only allowed for loopback" "located message"
ovh_config "$T/e2.yaml" my-super-event ovh-mars a b c
run ip-dns -c "$T/e2.yaml" ls
is "$rc" 2 "unknown endpoint name refused"
like "$err" "dns.args.endpoint: unknown endpoint; use ovh-eu" "lists the names"

# Usage.
run ip-dns -c "$good" frobnicate
is "$rc" 2 "unknown command: exit 2"
run ip-dns -c "$good" -n create
is "$rc" 2 "-n only with delete"
run ip-dns --help
is "$rc" 0 "--help exits 0"
like "$out" "dry-run" "--help lists the options"

done_testing
