#!/bin/sh
# The first-boot setup script: rendering (quoting, versions, hash) and a run
# with every side-effecting command stubbed (INSTALL_PARTY_TEST_ROOT).
. "$(dirname "$0")/lib.sh"

TMPL=$TOP/share/setup.sh.in
command -v shellcheck >/dev/null || skip_all "shellcheck is not installed"

HOSTILE_PW='p'\''w"d $HOME \ `id`; x | y  $(touch '"$T"'/pwned) end'
mkconf() {	# mkconf FILE [extra general lines]
	f=$1; shift
	{
		printf 'general:\n  namespace: ev\n  riot_version: v1.4.2\n'
		printf '  connectivity_check_timeout: 30\n'
		for l in "$@"; do printf '  %s\n' "$l"; done
		printf 'instances:\n  user: alice\n  password: %s\n' \
		    "$(printf '%s' "$HOSTILE_PW" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"
		printf '  provider: openstack\n  args: {}\n'
		printf 'dns:\n  zone: example.com\n  provider: ovh\n  args: {}\n'
	} >"$f"
	chmod 600 "$f"
}
render() {	# render CONFIG DOMAIN OUTFILE
	python3 -c 'import json,sys; print(json.dumps({"type":"server","name":"bob","domain":sys.argv[1]}))' "$2" |
	    ip-provision -c "$1" --render "$TMPL" >"$3"
}

# Stubs for everything that would change the machine.
S=$T/stubs L=$T/log
mkdir -p "$S" "$L"
stub() { printf '#!/bin/sh\n%s\n' "$2" >"$S/$1"; chmod +x "$S/$1"; }
logargs='printf "%s\0" "$0" "$@" >>"$STUBLOG/calls"; printf "\n" >>"$STUBLOG/calls"'
stub id "$logargs"'; [ -e "$STUBLOG/user-created" ]'
stub useradd "$logargs"'; touch "$STUBLOG/user-created"'
stub usermod "$logargs"'; printf "%s" "$2" >"$STUBLOG/pwhash"'
stub visudo "$logargs"'; for a; do f=$a; done; cp "$f" "$STUBLOG/sudoers-checked"'
stub sshd "$logargs"'; [ "$1" = -T ] && echo "passwordauthentication yes"; exit 0'
stub systemctl "$logargs"'; exit 0'
stub apt-get "$logargs"'; exit "${APT_FAIL:-0}"'
# apt-cache policy: the Caddy repository is in the lists unless CADDY_REPO_FAIL.
stub apt-cache "$logargs"'; [ -n "${CADDY_REPO_FAIL:-}" ] || echo "     500 https://dl.cloudsmith.io/public/caddy/stable/deb/debian any-version/main amd64 Packages"'
# dpkg-query: curl, ca-certificates and gpgv are there unless PKG_MISSING.
stub dpkg-query "$logargs"'; [ -n "${PKG_MISSING:-}" ] || printf "install ok installed\n"'
stub getent "$logargs"
stub gpgv "$logargs"'; echo "[GNUPG:] VALIDSIG E95B7699E80B68A9EAD9A19A2BAA9B8552BD9047 2021-04-01 1617235200 0 4 0 1 10 00 ${GPGV_FPR:-712BFBEE92DCA45252DB17D7C7BE97EFA179B100}"'
stub caddy "$logargs"'; HOME=$STUBLOG XDG_DATA_HOME=$STUBLOG XDG_CONFIG_HOME=$STUBLOG exec /usr/bin/caddy "$@"'
stub curl "$logargs"'
out= url=
while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift 2;; *) url=$1; shift;; esac; done
case $url in
*.tar.gz) cp "$STUBLOG/element.tgz" "$out";;
*) echo "stub for $url" >"$out";;
esac'
mkdir -p "$T/el/element-v9/i18n"
echo '<html>element</html>' >"$T/el/element-v9/index.html"
tar -czf "$L/element.tgz" -C "$T/el" element-v9
TGZ_SHA=$(sha256sum "$L/element.tgz" | cut -d' ' -f1)

R=$T/root
setup_root() {
	rm -rf "$R" "$L/calls" "$L/user-created"
	mkdir -p "$R/etc/ssh"
	printf 'Port 22\n#PasswordAuthentication yes\n' >"$R/etc/ssh/sshd_config"
}
runsetup() {	# runsetup SCRIPT: stubbed, in $R; sets out/err/rc
	run env PATH="$S:/usr/bin:/bin" STUBLOG="$L" INSTALL_PARTY_TEST_ROOT="$R" \
	    bash "$1"
}

# 1-2: shellcheck, template and rendered
run shellcheck -s bash "$TMPL"
is "$rc" 0 "shellcheck: the template is clean"
mkconf "$T/c.yaml"
render "$T/c.yaml" bob.ev.example.com "$T/good.sh"
run shellcheck -s bash "$T/good.sh"
is "$rc" 0 "shellcheck: a rendered script is clean"

# 3-6: hostile values arrive byte-exact and never execute
HOSTILE_DOM="a'b\"c\$(touch $T/pwned)\`touch $T/pwned\`;d|e f\\g
h"
render "$T/c.yaml" "$HOSTILE_DOM" "$T/hostile.sh"
setup_root
run env PATH="$S:/usr/bin:/bin" STUBLOG="$L" INSTALL_PARTY_TEST_ROOT="$R" \
    INSTALL_PARTY_TEST_DUMP="$T/dump" bash "$T/hostile.sh"
got=$(python3 -c 'import sys; print(repr(open(sys.argv[1],"rb").read().split(b"\0")[0].decode()))' "$T/dump")
want=$(python3 -c 'import sys; print(repr(sys.argv[1]))' "$HOSTILE_DOM")
is "$got" "$want" "a hostile domain arrives byte-exact"
[ ! -e "$T/pwned" ]; ok $? "nothing in a hostile value executed"
isnt_zero=$([ "$rc" != 0 ] && echo yes)
is "$isnt_zero" yes "the script refuses a domain that is not a DNS name"
like "$out" "INSTALL-PARTY FAILED step=check line=[0-9]+ status=1" "failure marker with step and line"

# 7-17: a full stubbed run
mkconf "$T/c.yaml" "element_sha256: $TGZ_SHA" "element_version: v9"
render "$T/c.yaml" bob.ev.example.com "$T/good.sh"
setup_root
runsetup "$T/good.sh"
is "$rc" 0 "a stubbed run succeeds"
steps=$(printf '%s\n' "$out" | sed -n 's/^INSTALL-PARTY STEP //p' | tr '\n' ' ')
is "$steps" "check user ssh packages caddy element dns caddyfile finish " "progress markers in order"
like "$out" "^INSTALL-PARTY TIMES check=[0-9.]+ user=[0-9.]+ ssh=[0-9.]+ packages=[0-9.]+ caddy=[0-9.]+ element=[0-9.]+ dns=[0-9.]+ caddyfile=[0-9.]+ total=[0-9.]+$" "a TIMES line with each step's seconds"
[ -s "$R/var/lib/install-party/done" ] && [ ! -e "$R/var/lib/install-party/failed" ]
ok $? "completion marker written"
ok_hash=$(python3 -W ignore -c 'import crypt,sys; h=open(sys.argv[1]).read(); print(h.startswith("$6$") and crypt.crypt(sys.argv[2], h) == h)' "$L/pwhash" "$HOSTILE_PW")
is "$ok_hash" True "usermod got a SHA-512 crypt hash of the exact hostile password"
[ ! -e "$T/pwned" ]; ok $? "the hostile password never executed"
is "$(cat "$R/etc/sudoers.d/90-install-party")" "alice ALL=(ALL) NOPASSWD:ALL" "sudoers.d file"
is "$(stat -c %a "$R/etc/sudoers.d/90-install-party")" 440 "sudoers.d file mode 0440, checked by visudo"
like "$(cat "$R/etc/ssh/sshd_config.d/01-install-party.conf")" "^PasswordAuthentication yes" "sshd drop-in sorts first"
is "$(head -1 "$R/etc/ssh/sshd_config")" "Include /etc/ssh/sshd_config.d/*.conf" "main sshd_config includes the drop-ins"
like "$(tr '\0' ' ' <"$L/calls")" "systemctl reload ssh.service" "sshd reloaded through the ssh unit"
bu=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["default_server_config"]["m.homeserver"]["base_url"])' "$R/var/www/element/config.json")
is "$bu" "https://bob.ev.example.com" "Element config.json points at the homeserver"
is "$(cat "$R/var/www/element/index.html")" "<html>element</html>" "Element unpacked, checksum verified"
run env HOME="$T" XDG_DATA_HOME="$T" XDG_CONFIG_HOME="$T" caddy validate --adapter caddyfile --config "$R/etc/caddy/Caddyfile"
is "$rc" 0 "the Caddyfile passes caddy validate"
cf=$(cat "$R/etc/caddy/Caddyfile")
like "$cf" "reverse_proxy /_matrix/\* 127.0.0.1:8008" "Caddyfile proxies /_matrix to 8008"
like "$cf" "reverse_proxy /_synapse/client/\* 127.0.0.1:8008" "Caddyfile proxies /_synapse/client"
like "$cf" "^bob.ev.example.com:8448 \{" "Caddyfile serves 8448"
like "$cf" '"m.server":"bob.ev.example.com:443"' "well-known delegation"
like "$(tr '\0' ' ' <"$L/calls")" "apt-get .* install --no-install-recommends caddy" "Caddy from apt"
grep -q 'dl.cloudsmith.io/public/caddy/stable' "$R/etc/apt/sources.list.d/caddy-stable.list"
ok $? "Caddy's official apt repository"

# idempotence
snap() { (cd "$R" && find . -path ./var/lib/install-party -prune -o -type f -print | sort | xargs sha256sum); }
before=$(snap)
: >"$L/calls"
runsetup "$T/good.sh"
is "$rc" 0 "running it twice is harmless"
is "$(snap)" "$before" "the second run leaves the same files"
unlike "$(tr '\0' ' ' <"$L/calls")" "useradd" "the user is not created twice"

# versions and URLs
url_of() {	# url_of riot_version [element_version]
	if [ -n "${2:-}" ]; then mkconf "$T/v.yaml" "element_version: $2"; else mkconf "$T/v.yaml"; fi
	sed -i "s/riot_version: v1.4.2/riot_version: $1/" "$T/v.yaml"
	render "$T/v.yaml" bob.ev.example.com "$T/v.sh"
	sed -n "s/^ELEMENT_URL='\(.*\)'$/\1/p" "$T/v.sh"
}
is "$(url_of v1.4.2)" "https://github.com/vector-im/riot-web/releases/download/v1.4.2/riot-v1.4.2.tar.gz" "riot_version v1.4.2: riot-web URL"
is "$(url_of v1.7.14)" "https://github.com/vector-im/riot-web/releases/download/v1.7.14/riot-v1.7.14.tar.gz" "v1.7.14: still riot"
is "$(url_of v1.7.15)" "https://github.com/element-hq/element-web/releases/download/v1.7.15/element-v1.7.15.tar.gz" "v1.7.15: Element"
is "$(url_of v1.4.2 v1.12.11)" "https://github.com/element-hq/element-web/releases/download/v1.12.11/element-v1.12.11.tar.gz" "element_version wins"

# homeserver_port
mkconf "$T/p.yaml" "homeserver_port: 6167" "element_sha256: $TGZ_SHA"
render "$T/p.yaml" bob.ev.example.com "$T/p.sh"
setup_root
runsetup "$T/p.sh"
like "$(cat "$R/etc/caddy/Caddyfile")" "127.0.0.1:6167" "general.homeserver_port reaches the Caddyfile"

# ACME: the CA and the account's e-mail reach the Caddyfile's global options
mkconf "$T/a.yaml" "element_sha256: $TGZ_SHA" "acme_ca: letsencrypt-staging" "acme_email: ops@example.org"
render "$T/a.yaml" bob.ev.example.com "$T/a.sh"
setup_root
runsetup "$T/a.sh"
cf=$(cat "$R/etc/caddy/Caddyfile" 2>/dev/null)
like "$cf" "^	acme_ca https://acme-staging-v02.api.letsencrypt.org/directory$" "general.acme_ca letsencrypt-staging: its directory in the Caddyfile"
like "$cf" "^	email ops@example.org$" "general.acme_email in the Caddyfile"
run env HOME="$T" XDG_DATA_HOME="$T" XDG_CONFIG_HOME="$T" caddy validate --adapter caddyfile --config "$R/etc/caddy/Caddyfile"
is "$rc" 0 "that Caddyfile passes caddy validate"
unlike "$(cat "$T/good.sh" | sed -n '/^ACME_CA=/p')" "https" "no acme_ca: Caddy's default CAs"
mkconf "$T/z.yaml" "acme_ca: zerossl"
run ip-provision -c "$T/z.yaml" --render "$TMPL"
is "$rc" 2 "acme_ca zerossl without acme_email: a config error"
like "$err" "general.acme_ca: zerossl needs general.acme_email" "that says why"

# signature path (no element_sha256): gpgv must vouch with Element's key
mkconf "$T/c.yaml"
render "$T/c.yaml" bob.ev.example.com "$T/sig.sh"
setup_root
runsetup "$T/sig.sh"
is "$rc" 0 "without a SHA-256 the tarball is checked with gpgv"
setup_root
GPGV_FPR=0000000000000000000000000000000000000000 runsetup "$T/sig.sh"
like "$out" "FAILED step=element line=[0-9]+" "a signature by another key is refused"

# packages already there: apt's lists are fetched once, for Caddy
calls=$(tr '\0' ' ' <"$L/calls")
is "$(printf '%s\n' "$calls" | grep -c 'apt-get .* update')" 1 "one apt-get update when curl, ca-certificates, gpgv are installed"
unlike "$calls" "install --no-install-recommends curl" "and they are not installed again"

# Caddy's repository unusable: the distribution's caddy, no list left
setup_root
CADDY_REPO_FAIL=1 runsetup "$T/good.sh"
is "$rc" 0 "Caddy's repository unusable: the setup still succeeds"
like "$out" "INSTALL-PARTY WARNING Caddy's repository .* cannot be used; installing the distribution's caddy package" "and says so"
[ ! -e "$R/etc/apt/sources.list.d/caddy-stable.list" ] && [ ! -e "$R/usr/share/keyrings/caddy-stable-archive-keyring.asc" ]
ok $? "no Caddy sources list or key left behind"
like "$(tr '\0' ' ' <"$L/calls")" "apt-get .* install --no-install-recommends caddy" "caddy installed (from the distribution)"

# a failing step leaves the failure marker
setup_root
PKG_MISSING=1 APT_FAIL=100 runsetup "$T/good.sh"
like "$(cat "$R/var/lib/install-party/failed" 2>/dev/null)" "^step=packages line=[0-9]+ status=100$" "failure marker file names step, line, status"
[ ! -e "$R/var/lib/install-party/done" ]; ok $? "no completion marker after a failure"
like "$out" "INSTALL-PARTY TIMES|FAILED step=packages" "the failure is on the console"

# render errors
run sh -c "echo '{\"type\":\"server\",\"name\":\"x\"}' | ip-provision -c '$T/c.yaml' --render '$TMPL'"
is "$rc" 1 "an object without a domain cannot be rendered"
like "$err" "no domain" "and the message says why"

done_testing
