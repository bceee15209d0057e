#!/bin/sh
# tests/boot/rootfs.sh SUITE: print the path of a cached Debian root file
# system tarball for SUITE (bookworm, trixie), building it with mmdebstrap
# when missing.  The cache lives outside the clone (CI starts from a fresh
# clone, the cache survives), keyed by a hash of suite, mirror and package
# list; the build writes a temporary file renamed at the end, under a lock,
# so an interrupted build never leaves a tarball that counts.
set -eu
suite=$1
CACHE=${INSTALL_PARTY_TEST_CACHE:-/var/cache/install-party-tests}
MIRROR=${INSTALL_PARTY_TEST_MIRROR:-http://deb.debian.org/debian}
# A cloud image's first boot, minimally: what the issue lists.
PKGS="systemd,systemd-sysv,openssh-server,sudo,cloud-init,curl,ca-certificates,gpgv,iproute2,dbus"
key=$(printf '%s\n' "v1" "$suite" "$MIRROR" "minbase" "$PKGS" | sha256sum | cut -c1-16)
out=$CACHE/rootfs-$suite-$key.tar
mkdir -p "$CACHE"
if [ -s "$out" ]; then echo "$out"; exit 0; fi
exec 9>"$CACHE/.lock-$suite"
flock 9
if [ -s "$out" ]; then echo "$out"; exit 0; fi
# A build killed outright (SIGKILL) leaves its temporary file: drop old ones.
find "$CACHE" -maxdepth 1 -name ".rootfs-$suite.*" -mmin +180 -delete 2>/dev/null || :
tmp=$(mktemp "$CACHE/.rootfs-$suite.XXXXXX")
trap 'rm -f "$tmp"' EXIT
trap 'exit 130' INT TERM
start=$(date +%s)
mmdebstrap --quiet --mode=root --variant=minbase --format=tar \
    --include="$PKGS" "$suite" "$tmp" "$MIRROR" >&2
mv -f "$tmp" "$out"
trap - EXIT
echo "rootfs.sh: built $out in $(( $(date +%s) - start )) s" >&2
echo "$out"
