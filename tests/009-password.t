#!/bin/sh
# instances.passwords: per-server passwords derived once (lib/password.c):
# the documented algorithm, typeable, distinct, the hash that reaches nova,
# and never in a message.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

SECRET='host secret: "long" & <random> 2026'
C=$T/c.yaml
per_server() {	# per_server FILE [NAMESPACE]: the README's config, per-server mode
	write_config "$1" "${2:-my-super-event}"
	python3 - "$1" "$SECRET" <<'PY'
import json, sys
f, secret = sys.argv[1:]
s = open(f).read().replace("  password: superevent2019\n",
    "  password: " + json.dumps(secret) + "\n  passwords: per-server\n")
s = s.replace("  riot_version: v1.4.2\n", "  riot_version: v1.4.2\n  element_sha256: " + "ab" * 32 + "\n")
open(f, "w").write(s)
PY
}
per_server "$C"
# The derivation as install-party.yaml(5) states it, written again here.
derive() {	# derive SECRET NAMESPACE NAME
	python3 - "$@" <<'PY'
import hashlib, hmac, sys
secret, ns, name = (a.encode() for a in sys.argv[1:])
md = hmac.new(secret, b"install-party password v1\0" + ns + b"\0" + name, hashlib.sha256).digest()
bits = int.from_bytes(md[:8], "big") >> 4
ab = "23456789abcdefghijkmnpqrstuvwxyz"
s = "".join(ab[(bits >> (5 * (11 - i))) & 31] for i in range(12))
print("-".join(s[i:i + 4] for i in range(0, 12, 4)))
PY
}
servers() {	# servers NAMESPACE NAME...: server objects as ip-join writes them
	ns=$1; shift
	for n; do
		printf '{"type":"server","name":"%s","namespace":"%s","domain":"%s.%s.example.com","state":"complete","instance":{"type":"instance","ipv4":"192.0.2.1"},"record":{"target":"192.0.2.1"}}\n' "$n" "$ns" "$n" "$ns"
	done
}
pw_of() { jq -r "select(.name==\"$1\") | .password" "$2"; }

servers my-super-event alice bob carol >"$T/s.json"
run ip-cards -c "$C" --known-hosts "$T/none" --json "$T/s.json"
is "$rc" 0 "ip-cards --json: exit 0"
printf '%s\n' "$out" >"$T/p1"
a=$(pw_of alice "$T/p1") b=$(pw_of bob "$T/p1") c=$(pw_of carol "$T/p1")
is "$a" "$(derive "$SECRET" my-super-event alice)" "the password is the documented HMAC-SHA-256 derivation"
is "$b" "$(derive "$SECRET" my-super-event bob)" "for another name too"
like "$a $b $c" '^([2-9a-km-np-z]{4}-[2-9a-km-np-z]{4}-[2-9a-km-np-z]{4} ?){3}$' "3 groups of 4 from the typeable alphabet"
unlike "$a$b$c" '[01lIoO]' "no 0, 1, l, I, o or O"
[ "$a" != "$b" ] && [ "$b" != "$c" ] && [ "$a" != "$c" ]; ok $? "different names, different passwords"
ip-cards -c "$C" --known-hosts "$T/none" --json "$T/s.json" >"$T/p2" 2>/dev/null
same_file "$T/p2" "$T/p1" "deterministic: the same passwords on a second run"
cp "$C" "$T/elsewhere.yaml"
(cd / && ip-cards -c "$T/elsewhere.yaml" --known-hosts "$T/none" --json <"$T/s.json") >"$T/p3" 2>/dev/null
same_file "$T/p3" "$T/p1" "and from a copy of the configuration, elsewhere (nothing stored)"
per_server "$T/ns2.yaml" my-super-evenu
servers my-super-evenu alice >"$T/s2.json"
a2=$(ip-cards -c "$T/ns2.yaml" --known-hosts "$T/none" --json "$T/s2.json" 2>/dev/null | jq -r .password)
[ -n "$a2" ] && [ "$a2" != "$a" ]; ok $? "another namespace, another password for the same name"
is "$a2" "$(derive "$SECRET" my-super-evenu alice)" "still the documented derivation"
# NUL separators: namespace "a-b" + name "c" is not namespace "a" + name "b-c"
is "$(derive s a-b c)" "$(derive s a-b c)" "the reference derivation is stable"
[ "$(derive s a-b c)" != "$(derive s a b-c)" ]; ok $? "the separator keeps namespace and name apart"
sed 's/^  password: .*/  password: "another long host secret 2026"/' "$C" >"$T/other.yaml"
chmod 600 "$T/other.yaml"
a3=$(ip-cards -c "$T/other.yaml" --known-hosts "$T/none" --json "$T/s.json" 2>/dev/null | jq -r 'select(.name=="alice") | .password')
[ "$a3" != "$a" ]; ok $? "another secret, another password"

# shared (default): no password printed anywhere
write_config "$T/shared.yaml"
run ip-cards -c "$T/shared.yaml" --known-hosts "$T/none" --json "$T/s.json"
is "$(printf '%s\n' "$out" | jq -r .password | sort -u)" null "shared mode: --json gives no password (the host gives it out)"
unlike "$out$err" superevent2019 "shared mode: the shared password is never printed"
run ip-cards -c "$T/shared.yaml" --known-hosts "$T/none" "$T/s.json"
like "$out" "the one given by the host" "shared mode: the card says so"
unlike "$out" superevent2019 "and does not print it"

# config: bad value, weak secret
sed 's/^  passwords: per-server/  passwords: perserver/' "$C" >"$T/bad.yaml"
run ip-cards -c "$T/bad.yaml" --json "$T/s.json"
is "$rc" 2 "instances.passwords: a bad value stops"
like "$err" "bad.yaml:[0-9]+:[0-9]+: instances.passwords: expected shared or per-server" "with its place"
write_config "$T/weak.yaml"
sed -i 's/^  password: superevent2019/&\n  passwords: per-server/' "$T/weak.yaml"
run ip-cards -c "$T/weak.yaml" --known-hosts "$T/none" --json "$T/s.json"
is "$rc" 0 "a short secret works"
like "$err" "instances.password: with per-server passwords this is the secret" "but is warned about"
unlike "$err" superevent2019 "without showing it"
run ip-cards -c "$C" --known-hosts "$T/none" --json "$T/s.json"
unlike "$err" "secret they all derive" "a long secret is not warned about"

# the user data that reaches nova holds the hash of the derived password
os_start --build-delay 0.1
os_config "$T/os.yaml" my-super-event /v3
python3 - "$T/os.yaml" "$SECRET" <<'PY'
import json, sys
f, secret = sys.argv[1:]
s = open(f).read().replace("  password: superevent2019\n",
    "  password: " + json.dumps(secret) + "\n  passwords: per-server\n", 1)
s = s.replace("  riot_version: v1.4.2\n", "  riot_version: v1.4.2\n  element_sha256: " + "ab" * 32 + "\n")
open(f, "w").write(s)
PY
ip-names -c "$T/os.yaml" alice bob >"$T/names"
run sh -c "ip-instances -v -c '$T/os.yaml' create -u '$TOP/share/setup.sh.in' <'$T/names'"
is "$rc" 0 "ip-instances create with the first-boot template"
unlike "$err" "$a|$b" "ip-instances -v: no derived password in its messages"
unlike "$err" "host secret" "nor the secret"
hashes() { os_servers | jq -r ".servers[] | select(.name==\"my-super-event-$1\") | .user_data" | sed -n "s/^PWHASH='\\(.*\\)'\$/\\1/p"; }
ha=$(hashes alice) hb=$(hashes bob)
like "$ha" '^\$6\$' "alice's user data has a SHA-512 crypt hash"
verify() { python3 -W ignore -c 'import crypt,sys; sys.exit(crypt.crypt(sys.argv[1], sys.argv[2]) != sys.argv[2])' "$1" "$2"; }
verify "$a" "$ha"; ok $? "it verifies against alice's derived password (crypt(3))"
salt=$(printf '%s' "$ha" | cut -d'$' -f3)
is "$(openssl passwd -6 -salt "$salt" "$a")" "$ha" "and with openssl passwd -6"
verify "$b" "$hb"; ok $? "bob's verifies against bob's"
verify "$a" "$hb"; is "$?" 1 "bob's does not verify against alice's"
verify "$SECRET" "$ha"; is "$?" 1 "nor against the secret itself"
os_servers | grep -qF -e "$a" -e "$b" -e "host secret"; is "$?" 1 "no password, derived or secret, in clear anywhere in nova"
unlike "$(cat "$OS_LOG")" "$a|$b|host secret" "nor in what the simulator logged"

# ip-provision --render: the same derivation, the same checks
printf '{"type":"server","name":"carol","domain":"carol.my-super-event.example.com"}\n' |
    ip-provision -v -c "$C" --render "$TOP/share/setup.sh.in" >"$T/r.sh" 2>"$T/r.err"
hc=$(sed -n "s/^PWHASH='\\(.*\\)'\$/\\1/p" "$T/r.sh")
verify "$c" "$hc"; ok $? "ip-provision --render: the hash verifies against carol's derived password"
unlike "$(cat "$T/r.err")" "$c" "ip-provision -v --render: the password is not in its messages"
printf '{"type":"server","domain":"x.my-super-event.example.com"}\n' |
    ip-provision -c "$C" --render "$TOP/share/setup.sh.in" >/dev/null 2>"$T/r.err"
is "$?" 1 "per-server: an object without a name cannot be rendered"
like "$(cat "$T/r.err")" "no name \\(its password derives from it\\)" "and says why"

done_testing
