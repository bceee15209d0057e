#!/bin/sh
# One version, the Makefile's VERSION: every tool's --version, the wrapper's,
# the installed man pages' .Os, and debian/changelog all say it.
. "$(dirname "$0")/lib.sh"

v=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
like "$v" "^[0-9]+\.[0-9]+\.[0-9]+$" "the Makefile sets VERSION ($v)"
is "$(make -s -C "$TOP" print-version)" "$v" "make print-version"

for t in "$TOP"/cmd/ip-*/main.c; do
	t=$(basename "$(dirname "$t")")
	run "$IP_BINDIR/$t" --version
	is "$out" "$t $v" "$t --version"
done
run "$IP_BINDIR/install-party" --version
is "$out" "install-party $v" "install-party --version"
is "$(grep -c '@VERSION@' "$TOP/install-party")" 1 "the wrapper's source holds no version of its own"

# Installed man pages carry the version; the sources leave it to the build.
run make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr
is "$rc" 0 "make install"
run "$T/root/usr/bin/install-party" --version
is "$out" "install-party $v" "the installed wrapper's --version"
for m in "$TOP"/man/*.[15]; do
	b=$(basename "$m")
	is "$(grep '^\.Os' "$m")" ".Os install-party" "man/$b: .Os without a version"
	s=${b##*.}
	is "$(grep '^\.Os' "$T/root/usr/share/man/man$s/$b")" ".Os install-party $v" "installed $b: .Os install-party $v"
done

# Set on the command line, it reaches what embeds it; changed again, they
# are rebuilt (not left with the old one).
for nv in 9.8.7 9.8.8; do
	run make -s -C "$TOP" B="$T/b" VERSION=$nv "$T/b/bin/ip-names" "$T/b/bin/install-party" "$T/b/man/ip-names.1"
	is "$rc" 0 "make VERSION=$nv"
	is "$("$T/b/bin/ip-names" --version):$("$T/b/bin/install-party" --version)" "ip-names $nv:install-party $nv" "VERSION=$nv: the tools and the wrapper say it"
	is "$(grep '^\.Os' "$T/b/man/ip-names.1")" ".Os install-party $nv" "VERSION=$nv: the man page says it"
done
run make -s -C "$TOP" deb VERSION=9.8.7 DEBDIR="$T/deb"
is "$rc" 2 "make deb: refused when debian/changelog disagrees"
like "$err" "debian/changelog says $v, the Makefile 9.8.7" "and says why"

# The package's version.
if command -v dpkg-parsechangelog >/dev/null; then
	is "$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)" "$v" "debian/changelog: version $v"
else
	is "$(sed -n '1s/^install-party (\([^)]*\)).*/\1/p' "$TOP/debian/changelog")" "$v" "debian/changelog: version $v"
fi
done_testing
