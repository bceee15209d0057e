#!/bin/sh
# External providers (ip-provider(7)): providers in POSIX sh over a
# directory (tests/sim/ip-dns-fakedns, ip-instances-fakecloud).  The args
# and secrets go on stdin only; membership stays with the tools; one that
# hangs, one that prints garbage and one that fails one item each give a
# clear error, and nothing outside the namespace is touched.
. "$(dirname "$0")/lib.sh"
PATH=$TOP/tests/sim:$PATH
D=$T/fake
TOKEN=s3cr3t-token-4242
mkdir -p "$D/records" "$D/instances"
printf '%s\n' "$TOKEN" >"$D/token"

conf() {	# conf FILE [TOKEN [TIMEOUT]]: long timeouts, but for the hang tests
	cat >"$1" <<EOF
general:
  namespace: party
  riot_version: v1.4.2
  connectivity_check_timeout: 300
instances:
  user: superevent
  password: superevent2019
  provider: exec
  args:
    command: $TOP/tests/sim/ip-instances-fakecloud
    dir: $D
    token: ${2:-$TOKEN}
    timeout: ${3:-60}
dns:
  zone: example.com
  provider: fakedns
  ttl: 90
  args:
    dir: $D
    token: ${2:-$TOKEN}
    timeout: ${3:-60}
EOF
	chmod 600 "$1"
}
conf "$T/c.yaml"
C=$T/c.yaml
conf "$T/quick.yaml" "$TOKEN" 5
rec() {	# rec ID SUBDOMAIN RTYPE TARGET: a record in the fake zone
	printf '{"type":"record","id":"%s","subdomain":"%s","rtype":"%s","target":"%s","ttl":300}\n' \
	    "$1" "$2" "$3" "$4" >"$D/records/$1"
}
inst() {	# inst NAME IPV4: an instance object for ip-dns create
	printf '{"type":"instance","name":"%s","namespace":"party","instance":"party-%s","ipv4":"%s","ipv6":null}\n' "$1" "$1" "$2"
}
vm() {	# vm INSTANCE-NAME: an instance in the fake cloud
	printf '{"type":"instance","instance":"%s","id":"i-%s","status":"ACTIVE","ipv4":"192.0.2.9","ipv6":null}\n' \
	    "$1" "$1" >"$D/instances/i-$1"
}
# decoys: the apex, www, another namespace, a deeper name, a TXT record
rec apex "" A 192.0.2.1; rec www www A 192.0.2.2; rec bob bob.other A 192.0.2.5
rec deep deep.carol.party A 192.0.2.6; rec note note.party TXT hello; rec ns party A 192.0.2.3
rec alice4 alice.party A 198.51.100.1; rec alice6 alice.party AAAA 2001:db8::1
vm party-alice; vm other-bob; vm partyx-carl; vm party-Bad; vm party-; vm party-deep.x
snapshot() { (cd "$D" && for f in records/* instances/*; do printf '%s ' "$f"; cat "$f"; done); }

# ---- DNS
run ip-dns -c "$C" ls
is "$rc" 0 "dns ls: exit 0"
is "$(printf '%s\n' "$out" | jq -r '"\(.name) \(.rtype) \(.target) \(.id) \(.provider)"' | sort | tr '\n' ,)" \
    "alice A 198.51.100.1 alice4 fakedns,alice AAAA 2001:db8::1 alice6 fakedns," \
    "dns ls: the members only, from ip-dns-fakedns found on PATH"
snapshot >"$T/before"

{ inst carol 203.0.113.3; inst dan 203.0.113.4; inst alice 198.51.100.1; } >"$T/in"
run sh -c "ip-dns -c '$C' create <'$T/in'"
is "$rc" 0 "dns create: exit 0"
is "$(printf '%s\n' "$out" | jq -r 'select(.type == "server") | "\(.name) \(.record.id) \(.record.ttl)"' | sort | tr '\n' ,)" \
    "alice alice4 300,carol carol_party_A 90,dan dan_party_A 90," "dns create: new records with dns.ttl, the existing one reused"
is "$(jq -r .target "$D/records/carol_party_A")" 203.0.113.3 "dns create: the record is in the fake zone"
is "$(grep -c commit "$D/commits")" 1 "dns create: one commit for the batch"

run sh -c "ip-dns -c '$C' ls | jq -c 'select(.name == \"carol\" or .name == \"dan\")' | ip-dns -c '$C' delete"
is "$rc" 0 "dns delete: exit 0"
snapshot >"$T/after"
same_file "$T/after" "$T/before" "dns delete: the zone is as before, decoys untouched"

# a forged record outside the namespace is refused before the provider runs
: >"$D/argv"
run sh -c "printf '%s\n' '{\"type\":\"record\",\"name\":\"www\",\"subdomain\":\"www\",\"id\":\"www\",\"rtype\":\"A\"}' | ip-dns -c '$C' delete"
is "$rc" 1 "dns delete: a record outside the namespace exits 1"
like "$out" "a record outside the namespace: nothing deleted" "... and says so"
unlike "$(cat "$D/argv")" " delete" "... without running the provider's delete"
[ -e "$D/records/www" ]; ok $? "... www is still there"

# one item fails: its own message, the others go on
touch "$D/fail-erin.party"
{ inst erin 203.0.113.5; inst fay 203.0.113.6; } >"$T/in"
run sh -c "ip-dns -c '$C' create <'$T/in'"
is "$rc" 1 "dns create: one failed item exits 1"
like "$out" '"name":"erin","stage":"dns-create","message":"ip-dns-fakedns create: exit status 1: fakedns: quota exceeded for erin.party"' \
    "dns create: the provider's error object is the message"
like "$out" '"type":"server","name":"fay"' "dns create: the other item is created"
rm -f "$D/records/fay_party_A" "$D/fail-erin.party"

# garbage
touch "$D/garbage-ls"
run ip-dns -c "$C" ls
is "$rc:$out" "1:" "dns ls: garbage output exits 1 and lists nothing"
like "$err" "ip-dns-fakedns ls: output line 1 is not a JSON object" "dns ls: ... and says so"
rm "$D/garbage-ls"

# a provider that hangs is killed at args.timeout, with whatever it started
# a number of our own: other runs on this machine may have sleeps of theirs
hang=$((470000 + $$))
echo "$hang" >"$D/hang-create"
start=$(date +%s)
run sh -c "printf '%s\n' '$(inst gil 203.0.113.7)' | ip-dns -c '$T/quick.yaml' create"
is "$rc" 1 "dns create: a hanging provider exits 1"
like "$out" '"name":"gil","stage":"dns-create","message":"ip-dns-fakedns create: no answer within 5 s \(args.timeout\); killed"' \
    "dns create: ... no answer within the timeout"
ok "$([ $(($(date +%s) - start)) -le 12 ] && echo 0)" "dns create: ... bounded by args.timeout"
is "$(pgrep -f "sleep $hang\$" | wc -l | tr -d ' ')" 0 "dns create: ... its sleep was killed too"
[ ! -e "$D/records/gil_party_A" ]; ok $? "dns create: ... nothing was made"
rm "$D/hang-create"

# wrong credentials: exit 2 with the provider's message; secrets only on stdin
conf "$T/bad.yaml" wrong-token-77
run ip-dns -c "$T/bad.yaml" ls
is "$rc" 2 "dns: refused credentials exit 2"
like "$err" "ip-dns-fakedns check: exit status 2: fakedns: the token is refused" "dns: ... with the provider's message"
unlike "$err" "wrong-token-77" "dns: ... not echoing the secret"
run grep -c -e "$TOKEN" -e wrong-token-77 "$D/argv" "$D/environ"
is "$out" "$D/argv:0
$D/environ:0" "the secrets were never in argv or the environment"

# ---- instances
run ip-instances -c "$C" ls
is "$rc" 0 "instances ls: exit 0"
is "$(printf '%s\n' "$out" | jq -r '"\(.name) \(.instance) \(.id) \(.provider) \(.domain)"' | tr '\n' ,)" \
    "alice party-alice i-party-alice exec alice.party.example.com," \
    "instances ls: the members only, whatever the provider lists"
snapshot >"$T/before"
printf 'echo hello\n' >"$T/ud.sh"
run sh -c "ip-names -c '$C' carol dan | ip-instances -c '$C' create -u '$T/ud.sh'"
is "$rc" 0 "instances create: exit 0"
is "$(printf '%s\n' "$out" | jq -r 'select(.type == "instance") | "\(.name) \(.id) \(.status)"' | sort | tr '\n' ,)" \
    "carol i-party-carol ACTIVE,dan i-party-dan ACTIVE," "instances create: instance objects"
ok "$([ "$(jq .user_data_bytes "$D/instances/i-party-carol")" -gt 0 ] && echo 0)" "instances create: the user data reached the provider"
touch "$D/fail-party-erin" "$D/hang-create"
run sh -c "ip-names -c '$C' erin | ip-instances -c '$T/quick.yaml' create"
like "$out" '"stage":"instances-create","message":"ip-instances-fakecloud create: no answer within 5 s' "instances create: a hanging provider is killed"
rm "$D/hang-create"
run sh -c "ip-names -c '$C' erin fay | ip-instances -c '$C' create"
is "$rc" 1 "instances create: one failed item exits 1"
like "$out" '"name":"erin","stage":"instances-create","message":"ip-instances-fakecloud create: exit status 1: fakecloud: no capacity left for party-erin"' \
    "instances create: the provider's last stderr line is the message"
like "$out" '"type":"instance","name":"fay"' "instances create: the other item is created"
touch "$D/garbage-ls"
run ip-instances -c "$C" ls
is "$rc:$out" "1:" "instances ls: garbage exits 1 and lists nothing"
like "$err" "ip-instances-fakecloud ls: output line 1 is not a JSON object" "instances ls: ... and says so"
rm "$D/garbage-ls"
run sh -c "ip-instances -c '$C' ls | jq -c 'select(.name != \"alice\")' | ip-instances -c '$C' delete"
is "$rc" 0 "instances delete: exit 0"
snapshot >"$T/after"
same_file "$T/after" "$T/before" "instances delete: the cloud is as before, decoys untouched"

# configuration: no such provider
sed 's/provider: fakedns/provider: nosuch/' "$C" >"$T/nosuch.yaml"; chmod 600 "$T/nosuch.yaml"
run ip-dns -c "$T/nosuch.yaml" ls
is "$rc" 2 "an unknown provider: exit 2"
like "$err" "dns.provider: unknown provider \(known: ovh, hetzner, rfc2136, exec, or an executable ip-dns-NAME on PATH\)" "... naming the ways to give one"
# the wrapper over both: list, then delete everything of the namespace
run install-party -c "$C" list
is "$rc" 0 "install-party list: exit 0"
like "$out" "alice +\| party-alice +\| alice.party.example.com" "install-party list: alice's row"
run install-party -c "$C" delete -a
is "$rc" 0 "install-party delete -a: exit 0"
is "$(cd "$D" && echo records/* instances/*)" \
    "records/apex records/bob records/deep records/note records/ns records/www instances/i-other-bob instances/i-party- instances/i-party-Bad instances/i-party-deep.x instances/i-partyx-carl" \
    "install-party delete -a: the namespace is empty, every decoy is left"

# valgrind: fork, memfds, pidfds and timers leave nothing behind
if command -v valgrind >/dev/null; then
	vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
	run sh -c "printf '%s\\n' '$(inst vg 203.0.113.8)' | $vg --trace-children=no '$IP_PLAIN_BINDIR/ip-dns' -c '$C' create"
	is "$rc" 0 "valgrind: dns create exits 0"
	unlike "$err" "==[0-9]+==" "valgrind: no report"
	run sh -c "$vg '$IP_PLAIN_BINDIR/ip-instances' -c '$C' ls"
	is "$rc:$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 0:1 "valgrind: instances ls"
	unlike "$err" "==[0-9]+==" "valgrind: no report"
fi
done_testing
