#!/bin/sh
# The Debian package: make deb builds it (in a copy of the tree), lintian
# finds no error, and installed by dpkg into a throw-away Debian 12 minbase
# chroot holding only what its Depends name, it runs from its own files:
# --version, each tool's --help, man -w, the completion, and a create and a
# list against the simulators.  The chroot's tarball is cached outside the
# clone (/var/cache/install-party-tests/), keyed by its package list and
# the apt sources, built atomically; a cold run builds it (about a minute).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (dpkg into a chroot)"
for c in dpkg-buildpackage dh mmdebstrap lintian /usr/sbin/sshd; do
	command -v "$c" >/dev/null || skip_all "$c is not installed (make deps)"
done
CACHE=${IP_TEST_CACHE:-/var/cache/install-party-tests}
v=$(make -s -C "$TOP" print-version)

before=$(git -C "$TOP" status --porcelain --ignored 2>/dev/null | grep -v '^!! build/$')
run make -s -C "$TOP" deb DEBDIR="$T/out"
is "$rc" 0 "make deb: exit 0"
[ "$rc" = 0 ] || diag "$(printf '%s\n' "$err" | tail -20)"
deb=$T/out/install-party_${v}_amd64.deb
ok "$([ -f "$deb" ]; echo $?)" "make deb: install-party_${v}_amd64.deb"
[ -f "$deb" ] || { done_testing; exit 1; }
is "$(dpkg-deb -f "$deb" Version)" "$v" "the package's version is the Makefile's"
depends=$(dpkg-deb -f "$deb" Depends)
like "$depends" "libcurl4.*libjq1.*libssh2-1.*libssl3.*libyaml-0-2" "Depends: the runtime libraries (dh_shlibdeps)"
unlike "$depends" "-dev|jq \(|python" "Depends: no build or test package"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$T/files"
for f in /usr/bin/install-party /usr/share/install-party/setup.sh.in \
    /usr/share/man/man5/install-party.yaml.5.gz \
    /usr/share/doc/install-party/examples/config.yaml \
    /usr/share/doc/install-party/examples/delete-orphans.sh \
    /usr/share/doc/install-party/copyright \
    /usr/share/bash-completion/completions/install-party \
    /usr/share/zsh/vendor-completions/_install-party; do
	ok "$(grep -qxF "$f" "$T/files"; echo $?)" "the package has $f"
done
for t in "$TOP"/cmd/ip-*/main.c; do
	t=$(basename "$(dirname "$t")")
	ok "$(grep -qxF "/usr/bin/$t" "$T/files" && grep -qxF "/usr/share/man/man1/$t.1.gz" "$T/files"; echo $?)" "the package has $t and $t.1"
done
run lintian --fail-on error "$deb"
is "$rc" 0 "lintian: no error"
[ -z "$out" ] || diag "$out"
is "$(git -C "$TOP" status --porcelain --ignored 2>/dev/null | grep -v '^!! build/$')" "$before" "make deb leaves the checkout as it was"

# The chroot: minbase, the package's Depends, man-db and bash-completion.
pkgs=$(printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' | grep . |
	{ cat; echo man-db; echo bash-completion; } | sort -u | tr '\n' ',' | sed 's/,$//')
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
key=$( { echo "bookworm minbase $pkgs"; cat "$sources"; } | sha256sum | cut -c1-16)
tarball=$CACHE/deb-chroot-$key.tar
mkdir -p "$CACHE"
(
	flock 9
	if ! [ -s "$tarball" ]; then
		diag "building the chroot (cold cache): $pkgs"
		tmp=$CACHE/.deb-chroot-$key.$$.tar
		if mmdebstrap --quiet --variant=minbase --include="$pkgs" bookworm "$tmp" "$sources" >"$T/mmdebstrap.log" 2>&1; then
			mv -f "$tmp" "$tarball"
			# Chroots for other package lists, unused for a week, go.
			find "$CACHE" -maxdepth 1 -name 'deb-chroot-*.tar' ! -name "${tarball##*/}" -mtime +7 -delete
		else
			rm -f "$tmp"
			tail -20 "$T/mmdebstrap.log" >&2
		fi
	fi
) 9>"$CACHE/.lock-deb-chroot"
ok "$([ -s "$tarball" ]; echo $?)" "a minbase chroot with $pkgs"
[ -s "$tarball" ] || { done_testing; exit 1; }

R=$T/root
mkdir "$R"
tar -xf "$tarball" -C "$R"
touch "$tarball"	# its last use, for the pruning above
ok "$([ -c "$R/dev/null" ]; echo $?)" "the chroot has /dev/null"
cp "$deb" "$R/tmp/"
# in_root CMD...: run in the chroot, with a plain environment.
in_root() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	    LANG=C.UTF-8 TMPDIR=/tmp "$@"
}
run in_root dpkg -i "/tmp/${deb##*/}"
is "$rc" 0 "dpkg -i into the chroot: Depends satisfied by what the chroot has"
[ "$rc" = 0 ] || diag "$(printf '%s\n' "$out" "$err" | tail -15)"

run in_root install-party --version
is "$rc:$out" "0:install-party $v" "installed install-party --version"
for t in "$TOP"/cmd/ip-*/main.c; do
	t=$(basename "$(dirname "$t")")
	run in_root "$t" --help
	is "$rc" 0 "installed $t --help: exit 0"
	like "$out" "^usage: $t " "installed $t --help: usage"
	run in_root "$t" --version
	is "$out" "$t $v" "installed $t --version"
done
run in_root man -w install-party
is "$rc:$out" "0:/usr/share/man/man1/install-party.1.gz" "man -w install-party"
run in_root man -w 5 install-party.yaml
is "$rc:$out" "0:/usr/share/man/man5/install-party.yaml.5.gz" "man -w 5 install-party.yaml"
run in_root bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader ip-dns; complete -p ip-dns install-party'
like "$out" "complete -F _install_party_tool ip-dns" "bash-completion loads the installed completion"

# Against the simulators (host loopback; a chroot shares the network).
party_start deb-ns
cp "$INSTALL_PARTY_CONFIG" "$R/tmp/party.yaml"
chmod 600 "$R/tmp/party.yaml"
run in_root sh -c 'ip-names -c /tmp/party.yaml alice bob | ip-instances -c /tmp/party.yaml create | ip-dns -c /tmp/party.yaml create'
is "$rc" 0 "the installed tools create two servers in the simulators"
is "$(printf '%s\n' "$out" | grep -c '"type":"server"')" 2 "two server objects"
run in_root install-party -c /tmp/party.yaml list
is "$rc" 0 "installed install-party list: exit 0"
is "$(printf '%s\n' "$out" | grep -cE '^\| (alice|bob) +\| deb-ns-(alice|bob) +\| (alice|bob)\.deb-ns\.example\.com +\| ACTIVE +\| 127\.0\.100\.[0-9]+ +\|$')" 2 "list: both servers, complete"
run in_root install-party -c /tmp/party.yaml cards
is "$rc:$(printf '%s\n' "$out" | grep -c '<div class="card">')" "0:2" "installed install-party cards: a card per server (libqrencode)"
like "$out" "alice\.deb-ns\.example\.com" "cards: with the domains"
ovh_ours() { curl -s "$PARTY_OVH_URL/_sim/state" | jq '[.records[] | select(.subDomain | test("^(alice|bob)\\.deb-ns$"))] | length'; }
os_ours() { curl -s "$PARTY_OS_URL/_sim/servers" | jq '[.servers[] | select(.name | test("^deb-ns-(alice|bob)$"))] | length'; }
is "$(ovh_ours):$(os_ours)" 2:2 "their records and instances are in the simulators"
run in_root install-party -c /tmp/party.yaml delete -a
is "$rc" 0 "installed install-party delete -a: exit 0"
is "$(ovh_ours)" 0 "delete -a: no record of theirs left in the OVH simulator"
party_settle 0
is "$(os_ours)" 0 "delete -a: no server of theirs left in the OpenStack simulator"
done_testing
