#!/bin/sh
# Speed, asserted as counts and the order of events (never a wall time):
# a stage exits once its last job is done, one authentication per
# provider per party (tokens cached 0600 under $XDG_RUNTIME_DIR, expiry
# honoured, a 401 logs in again once), no DNS look-up per server, a
# first poll at the boot time seen before, one shared wait on a 429, a
# request budget per provider.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
now() { date +%s.%N; }
os_n() { jq -s "[.[] | select($1)] | length" "$PARTY_OS_LOG"; }
ovh_n() { jq -s "[.[] | select($1)] | length" "$PARTY_OVH_LOG"; }

PARTY_BUILD_DELAY=0.5 party_start speed-ns
cache=$XDG_RUNTIME_DIR/install-party

# -- one authentication per provider, no look-up per server
run install-party create -N 3
is "$rc" 0 "create -N 3: exit 0"
is "$(os_n '.path == "/v3/auth/tokens"')" 1 "one Keystone login for the check and the create"
is "$(ovh_n '.path == "/1.0/auth/time"')" 1 "one OVH check for the check and the create"
is "$(ovh_n '.query | test("subDomain=")')" 0 "no per-server DNS look-up: the zone was listed once"
is "$(ovh_n '.method == "POST" and (.path | endswith("/record"))')" 3 "one POST per record"
is "$(stat -c %a "$cache")" 700 "the cache directory is private"
is "$(stat -c %a "$cache"/keystone-*.json)" 600 "the token file is 0600"
kfile=$(ls "$cache"/keystone-*.json)
tok=$(jq -r .token "$kfile")
like "$tok" '^[0-9a-zA-Z_-]{16,}$' "the token is kept"
unlike "$err" "$tok" "the token is never printed"
run install-party list --json
is "$(os_n '.path == "/v3/auth/tokens"'):$(ovh_n '.path == "/1.0/auth/time"')" "1:1" "a later list logs in to neither"

# Another password is other credentials: never the cached token.
sed 's/password: s3cret-pass/password: wrong-pass/' "$T/party.yaml" > "$T/wrong.yaml"
chmod 600 "$T/wrong.yaml"
run ip-instances -c "$T/wrong.yaml" ls
is "$rc:$(os_n '.path == "/v3/auth/tokens"')" "2:2" "a wrong password is refused, not served from the cache"

# A revoked token (401) logs in again, once, and the new token is kept.
curl -s -X POST "$PARTY_OS_URL/_sim/revoke"
run ip-instances ls
is "$rc:$(os_n '.path == "/v3/auth/tokens"')" "0:3" "401 on the cached token: one new login"
run ip-instances ls
is "$rc:$(os_n '.path == "/v3/auth/tokens"')" "0:3" "the new token is the cached one"
# A token about to end is not reused.
jq '.expires = (now + 30 | floor)' "$kfile" > "$T/k" && cat "$T/k" > "$kfile"
run ip-instances ls
is "$rc:$(os_n '.path == "/v3/auth/tokens"')" "0:4" "a token ending within two minutes: a new login"
# Without a runtime directory nothing is kept.
run env -u XDG_RUNTIME_DIR ip-instances ls
is "$rc:$(os_n '.path == "/v3/auth/tokens"')" "0:5" "no \$XDG_RUNTIME_DIR: every run logs in"

# -- the stage exits as soon as its last job is done; first poll at the
# boot time seen before (the create above ran on this cloud)
ip-names -c "$T/party.yaml" -N 2 > "$T/names"
: > "$PARTY_OS_LOG"
IP_POLL_MS=3000 run ip-instances create -j 2 "$T/names"
end=$(now)
is "$rc" 0 "ip-instances create -N 2: exit 0"
posts=$(os_n '.method == "POST" and (.path | endswith("/servers"))')
polls=$(os_n '.method == "GET" and (.path | test("/servers/[0-9a-f-]+$"))')
is "$posts:$polls" "2:2" "a boot time known from the last run: one poll a server"
last=$(jq -s 'map(.t) | max' "$PARTY_OS_LOG")
# the next poll would be a quarter of the boot time (>= 250 ms) later
ok "$(awk -v l="$last" -v e="$end" 'BEGIN { exit !(e < l + 0.25) }'; echo $?)" \
    "the exit ($end) comes before any next poll would (last request $last + 0.25 s)"

# -- one shared wait on a 429: the requests queued behind it wait too
: > "$PARTY_OVH_LOG"
curl -s -X POST -d '{"count": 1, "status": 429, "path": "/record", "retry_after": 1}' "$PARTY_OVH_URL/_sim/fail" > /dev/null
i=1; : > "$T/in"
while [ $i -le 4 ]; do
	printf '{"type":"instance","name":"w%d","namespace":"speed-ns","ipv4":"203.0.113.%d"}\n' $i $i >> "$T/in"
	i=$((i + 1))
done
run ip-dns -j 1 create < "$T/in"
is "$rc" 0 "ip-dns create after a 429: exit 0"
like "$err" "HTTP 429 \\(rate limited\\): every request waits 1.0s" "said once"
is "$(printf '%s\n' "$err" | grep -c 'every request waits')" 1 "one shared wait, not one per request"
gap=$(jq -s '(map(select(.status == 429)) | .[0].t) as $t | [.[] | select(.t > $t) | .t - $t] | min' "$PARTY_OVH_LOG")
ok "$(awk -v g="$gap" 'BEGIN { exit !(g >= 0.9) }'; echo $?)" "no request sent during the wait (the next came ${gap}s after the 429)"

# -- the budget: this OVH allows 3 signed requests a second; with the
# same budget ours sends no request it refuses, without one it does
. "$TOP/tests/sim/ovh_env.sh"
ovh_start speed-ns --rate-limit 3
i=1; : > "$T/in8"
while [ $i -le 8 ]; do
	printf '{"type":"instance","name":"b%d","namespace":"speed-ns","ipv4":"203.0.113.%d"}\n' $i $i >> "$T/in8"
	i=$((i + 1))
done
cp "$OVH_CFG" "$T/budget.yaml"
echo "    rate_limit: 3/s" >> "$T/budget.yaml"
run ip-dns -c "$T/budget.yaml" -j 8 create < "$T/in8"
is "$rc:$(ovh_count '.status == 429')" "0:0" "a budget of 3/s: no 429 from a limit of 3/s"
sed 's/rate_limit: 3\/s/rate_limit: none/' "$T/budget.yaml" > "$T/nobudget.yaml"
sed 's/"b\([0-9]\)"/"c\1"/' "$T/in8" > "$T/in8c"
: > "$OVH_LOG"
run ip-dns -c "$T/nobudget.yaml" -j 8 create < "$T/in8c"
ok "$([ "$(ovh_count '.status == 429')" -gt 0 ]; echo $?)" "without a budget the same limit answers 429 (the check can fail)"
sed 's/rate_limit: 3\/s/rate_limit: fast/' "$T/budget.yaml" > "$T/bad.yaml"
run ip-dns -c "$T/bad.yaml" ls
is "$rc" 2 "a bad budget: exit 2"
like "$err" "dns.args.rate_limit: expected a request budget" "named by its key"

done_testing
