# shellcheck shell=sh disable=SC2034
# tests/boot/lib.sh: boot the first-boot setup for real (sourced after
# tests/lib.sh).  A Debian root file system from tests/boot/rootfs.sh is
# booted with systemd-nspawn on a bridge of the test's own; the user data
# is rendered by ip-provision --render from share/setup.sh.in and handed to
# cloud-init as a NoCloud seed.  On the bridge's host side the test serves
# the stand-ins: DNS (dnsmasq), Caddy's apt repository, Element's tarball
# and key (a local Caddy with the test's CA), Debian's mirror (relayed by
# that Caddy, the only outside host), and an ACME CA (pebble).  Containers
# get no route out.  Everything is undone at exit, even on a signal.

boot_skip_reason() {
	[ "$(id -u)" = 0 ] || { echo "needs root (systemd-nspawn, a bridge)"; return; }
	for c in mmdebstrap systemd-nspawn dnsmasq pebble caddy openssl ip flock gpg; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c is not installed (make deps)"; return; }
	done
	# CAP_NET_ADMIN: can we make (and remove) a bridge?
	n=ipt-probe$$
	if ! ip link add "$n" type bridge 2>/dev/null; then
		echo "no CAP_NET_ADMIN (cannot create a bridge)"; return
	fi
	ip link del "$n"
	[ -d /sys/fs/cgroup ] || { echo "no cgroup file system for systemd-nspawn"; return; }
	getent hosts deb.debian.org >/dev/null 2>&1 ||
	    { echo "deb.debian.org does not resolve (the rootfs needs Debian's mirror)"; return; }
}

BOOT=$TOP/tests/boot
# The container's login, as in the config; its password is what the
# organiser's path (ip-provision) logs in with.
B_USER=attendee
B_PASS='Cor rect-horse $1 "battery"'
B_NS=party
B_ZONE=boot.test

# boot_net: a bridge with a free private /24, and the stand-ins on its host side.
boot_net() {
	BR=ipt$$
	BR=$(printf '%s' "$BR" | cut -c1-15)
	i=0
	while :; do
		N=$(( ($$ + i) % 200 + 20 ))
		ip -4 route show | grep -q "^10\.213\.$N\." || break
		i=$((i + 1)); [ $i -lt 200 ] || { echo "no free 10.213.N.0/24" >&2; return 1; }
	done
	NET=10.213.$N
	HOSTIP=$NET.1
	ip link add "$BR" type bridge
	# In this order at exit: containers, overlays, the bridge.
	at_exit boot_stop
	at_exit boot_umount
	at_exit boot_net_down
	ip addr add "$HOSTIP/24" dev "$BR"
	ip link set "$BR" up
	boot_ca
	boot_dns
	boot_web
	boot_pebble
}

boot_net_down() {
	ip link del "$BR" 2>/dev/null || :
}

# The test's CA (trusted inside the rootfs) and one server certificate for
# every name the stand-ins answer to.
boot_ca() {
	mkdir -p "$T/ca"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$T/ca/ca.key" -out "$T/ca/ca.crt" -days 2 \
	    -subj "/CN=install-party boot test CA $$" \
	    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
	    2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$T/ca/srv.key" -out "$T/ca/srv.csr" -subj "/CN=stand-ins" 2>/dev/null
	printf 'subjectAltName=DNS:dl.cloudsmith.io,DNS:packages.element.io,DNS:downloads.test,DNS:acme.test,IP:%s\nextendedKeyUsage=serverAuth\n' \
	    "$HOSTIP" >"$T/ca/ext"
	openssl x509 -req -in "$T/ca/srv.csr" -CA "$T/ca/ca.crt" -CAkey "$T/ca/ca.key" \
	    -CAcreateserial -days 2 -extfile "$T/ca/ext" -out "$T/ca/srv.crt" 2>/dev/null
	chmod 644 "$T/ca/srv.key"
}

# DNS for the containers and pebble: only the names of the test.
boot_dns() {
	: >"$T/hosts"
	boot_host dl.cloudsmith.io "$HOSTIP"
	boot_host packages.element.io "$HOSTIP"
	boot_host downloads.test "$HOSTIP"
	boot_host acme.test "$HOSTIP"
	boot_host deb.debian.org "$HOSTIP"
	chmod 755 "$T"
	bg dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	    --addn-hosts="$T/hosts" --listen-address="$HOSTIP" --bind-interfaces \
	    --port=53 --user=root --pid-file= --log-facility=- --local-ttl=1 \
	    --no-negcache 2>"$T/dnsmasq.log"
	DNS_PID=$!
}

# boot_host NAME ADDR: (re)map a name; dnsmasq rereads on SIGHUP.
boot_host() {
	{ grep -v " $1\$" "$T/hosts" || :; echo "$2 $1"; } >"$T/hosts.new"
	mv "$T/hosts.new" "$T/hosts"
	chmod 644 "$T/hosts"
	[ -z "${DNS_PID:-}" ] || kill -HUP "$DNS_PID"
}

# Caddy's repository (Debian's caddy .deb in a signed repo at the path
# setup.sh uses), Element's tarball, key and signature, and Debian's mirror.
boot_web() {
	W=$T/www
	repo=$W/cloudsmith/public/caddy/stable
	mkdir -p "$repo/deb/debian/pool" "$W/element" "$W/downloads"
	deb=$(ls /var/cache/apt/archives/caddy_*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		(cd "$T" && apt-get download -q caddy >/dev/null 2>&1)
		deb=$(ls "$T"/caddy_*.deb | head -1)
	fi
	cp "$deb" "$repo/deb/debian/pool/"
	export GNUPGHOME="$T/gnupg"
	mkdir -p "$GNUPGHOME"; chmod 700 "$GNUPGHOME"
	gpg -q --batch --pinentry-mode loopback --passphrase '' \
	    --quick-gen-key 'caddy stand-in <repo@boot.test>' ed25519 sign never 2>/dev/null
	gpg -q --batch --armor --export 'repo@boot.test' >"$repo/gpg.key"
	(
		cd "$repo/deb/debian" || exit 1
		d=dists/any-version/main/binary-amd64
		mkdir -p "$d"
		dpkg-scanpackages -m pool /dev/null 2>/dev/null >"$d/Packages"
		gzip -9kn "$d/Packages"
		{
			echo "Origin: install-party boot test"
			echo "Suite: any-version"
			echo "Codename: any-version"
			echo "Architectures: amd64"
			echo "Components: main"
			echo "Date: $(date -Ru)"
			echo "SHA256:"
			for f in main/binary-amd64/Packages main/binary-amd64/Packages.gz; do
				printf ' %s %s %s\n' "$(sha256sum "dists/any-version/$f" | cut -d' ' -f1)" \
				    "$(stat -c %s "dists/any-version/$f")" "$f"
			done
		} >dists/any-version/Release
		gpg -q --batch --yes --clearsign -u 'repo@boot.test' \
		    -o dists/any-version/InRelease dists/any-version/Release
	)
	# Element: a tarball made here, signed by a key made here.
	EL_VER=v1.11.99
	mkdir -p "$T/el/element-$EL_VER/i18n"
	echo "<html><title>Element boot test</title></html>" >"$T/el/element-$EL_VER/index.html"
	echo '{}' >"$T/el/element-$EL_VER/config.sample.json"
	tar -czf "$W/downloads/element-$EL_VER.tar.gz" -C "$T/el" "element-$EL_VER"
	EL_SHA=$(sha256sum "$W/downloads/element-$EL_VER.tar.gz" | cut -d' ' -f1)
	gpg -q --batch --pinentry-mode loopback --passphrase '' \
	    --quick-gen-key 'Element stand-in <releases@boot.test>' ed25519 cert never 2>/dev/null
	EL_FPR=$(gpg --batch --with-colons --list-keys releases@boot.test | awk -F: '/^fpr/ { print $10; exit }')
	gpg -q --batch --pinentry-mode loopback --passphrase '' \
	    --quick-add-key "$EL_FPR" ed25519 sign never 2>/dev/null
	# Element publishes an ASCII-armoured key, at .asc and at .gpg alike.
	gpg -q --batch --armor --export "$EL_FPR" >"$W/element/element-release-key.asc"
	cp "$W/element/element-release-key.asc" "$W/element/element-release-key.gpg"
	gpg -q --batch --yes --armor --detach-sign -u "$EL_FPR" \
	    -o "$W/downloads/element-$EL_VER.tar.gz.asc" "$W/downloads/element-$EL_VER.tar.gz"
	unset GNUPGHOME
	mkdir -p "$T/caddy"
	cat >"$T/Caddyfile" <<EOF
{
	admin off
	auto_https off
	storage file_system $T/caddy
	default_bind $HOSTIP
}
https://dl.cloudsmith.io, https://packages.element.io, https://downloads.test {
	tls $T/ca/srv.crt $T/ca/srv.key
	log {
		output file $T/web.log
	}
	@cs host dl.cloudsmith.io
	root @cs $W/cloudsmith
	@el host packages.element.io
	root @el $W/element
	@dl host downloads.test
	root @dl $W/downloads
	file_server
}
http://deb.debian.org {
	reverse_proxy http://deb.debian.org {
		header_up Host deb.debian.org
	}
}
EOF
	HOME=$T/caddy XDG_DATA_HOME=$T/caddy XDG_CONFIG_HOME=$T/caddy \
	    bg caddy run --config "$T/Caddyfile" --adapter caddyfile >"$T/caddy.log" 2>&1
	boot_wait_tcp "$HOSTIP" 443 10 || { echo "stand-in web server did not start" >&2; cat "$T/caddy.log" >&2; return 1; }
}

boot_wait_tcp() {	# HOST PORT SECONDS
	python3 - "$@" <<'PY'
import socket, sys, time
host, port, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.time() + limit
while time.time() < end:
    try:
        socket.create_connection((host, port), 0.3).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# pebble, Debian's ACME test server: it resolves names with our DNS and
# checks the challenges on the containers' ports 80 and 443.
boot_pebble() {
	cat >"$T/pebble.json" <<EOF
{ "pebble": {
	"listenAddress": "$HOSTIP:14000",
	"managementListenAddress": "$HOSTIP:15000",
	"certificate": "$T/ca/srv.crt",
	"privateKey": "$T/ca/srv.key",
	"httpPort": 80,
	"tlsPort": 443,
	"ocspResponderURL": "",
	"externalAccountBindingRequired": false
} }
EOF
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
	    bg pebble -config "$T/pebble.json" -dnsserver "$HOSTIP:53" >"$T/pebble.log" 2>&1
	boot_wait_tcp "$HOSTIP" 15000 10 || { echo "pebble did not start" >&2; cat "$T/pebble.log" >&2; return 1; }
	# The root pebble signs with (fresh at each start): the web check's CA.
	curl -fsS --cacert "$T/ca/ca.crt" "https://$HOSTIP:15000/roots/0" >"$T/pebble-root.pem"
	ACME_DIR=https://acme.test:14000/dir
}

# boot_config FILE [extra general lines...]: the organiser's config.
boot_config() {
	f=$1; shift
	{
		printf 'general:\n  namespace: %s\n  riot_version: %s\n' "$B_NS" "$EL_VER"
		printf '  connectivity_check_timeout: 150\n'
		printf '  element_url: https://downloads.test/element-{version}.tar.gz\n'
		printf '  acme_ca: %s\n  acme_email: organiser@boot.test\n' "$ACME_DIR"
		for l in "$@"; do printf '  %s\n' "$l"; done
		printf 'instances:\n  user: %s\n  password: %s\n' "$B_USER" \
		    "$(printf '%s' "$B_PASS" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"
		printf '  provider: openstack\n  args: {}\n'
		printf 'dns:\n  zone: %s\n  provider: ovh\n  args: {}\n' "$B_ZONE"
	} >"$f"
	chmod 600 "$f"
}

B_SEQ=10
# boot_prepare SUITE NAME CONFIG: unpack the rootfs, seed cloud-init with
# the user data rendered by ip-provision --render; sets R (the root), IP,
# DOMAIN, ITEM (the stream object ip-provision reads).
boot_prepare() {
	suite=$1 name=$2 conf=$3
	B_SEQ=$((B_SEQ + 1))
	IP=$NET.$B_SEQ
	DOMAIN=$name.$B_NS.$B_ZONE
	MACHINE=ipt-$name-$$
	ITEM=$(printf '{"type":"server","name":"%s","domain":"%s","ipv4":"%s"}' "$name" "$DOMAIN" "$IP")
	boot_host "$DOMAIN" "$IP"
	boot_host "$name" "$IP"
	R=$T/root-$name
	mkdir -p "$R"
	# The tarball is unpacked once per test; each boot gets an overlay on
	# it (its changes in an upper directory), or a copy if overlays fail.
	if [ ! -d "$T/base-$suite" ]; then
		tarball=$("$BOOT/rootfs.sh" "$suite") || return 1
		mkdir -p "$T/base-$suite"
		tar -xf "$tarball" -C "$T/base-$suite"
	fi
	mkdir -p "$T/up-$name" "$T/work-$name"
	if mount -t overlay overlay -o "lowerdir=$T/base-$suite,upperdir=$T/up-$name,workdir=$T/work-$name" "$R" 2>/dev/null; then
		B_MOUNTS="$B_MOUNTS $R"
	else
		cp -a "$T/base-$suite/." "$R/"
	fi
	echo "$MACHINE" >"$R/etc/hostname"
	# minbase has no /etc/hosts (every cloud image has): localhost must resolve.
	[ -s "$R/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$R/etc/hosts"
	rm -f "$R/etc/resolv.conf"
	echo "nameserver $HOSTIP" >"$R/etc/resolv.conf"
	# No gateway: the container reaches the bridge and nothing else.
	mkdir -p "$R/etc/systemd/network"
	printf '[Match]\nName=host0\n\n[Network]\nAddress=%s/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n' \
	    "$IP" >"$R/etc/systemd/network/10-host0.network"
	ln -sf /lib/systemd/system/systemd-networkd.service \
	    "$R/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
	cp "$T/ca/ca.crt" "$R/usr/local/share/ca-certificates/install-party-boot-test.crt"
	chroot "$R" update-ca-certificates >/dev/null 2>&1
	mkdir -p "$R/etc/cloud/cloud.cfg.d" "$R/var/lib/cloud/seed/nocloud"
	printf 'datasource_list: [NoCloud]\nnetwork: {config: disabled}\n' \
	    >"$R/etc/cloud/cloud.cfg.d/99-boot-test.cfg"
	printf 'instance-id: %s\nlocal-hostname: %s\n' "$MACHINE" "$name" \
	    >"$R/var/lib/cloud/seed/nocloud/meta-data"
	printf '%s\n' "$ITEM" | ip-provision -c "$conf" --render "${IP_BOOT_TEMPLATE:-$TOP/share/setup.sh.in}" \
	    >"$R/var/lib/cloud/seed/nocloud/user-data" || return 1
	# caddy.service asks LimitNOFILE=1048576; without CAP_SYS_RESOURCE (some
	# CI sandboxes) nothing in the container may raise the hard limit that
	# far and Caddy never starts.  Only there, cap it at what we have.
	# shellcheck disable=SC3045 # dash has ulimit -H
	if ! (ulimit -Hn 1048576) 2>/dev/null; then
		mkdir -p "$R/etc/systemd/system/caddy.service.d"
		# shellcheck disable=SC3045
		printf '[Service]\nLimitNOFILE=%s\n' "$(ulimit -Hn)" \
		    >"$R/etc/systemd/system/caddy.service.d/boot-test-nofile.conf"
	fi
	KH=$T/kh-$name
}

# boot_start: boot $R in the background; the console goes to $CONSOLE.
boot_start() {
	CONSOLE=$T/console-$MACHINE.log
	B_T0=$(date +%s)
	systemd-nspawn --quiet --boot --register=no --keep-unit -M "$MACHINE" -D "$R" \
	    --network-bridge="$BR" --resolv-conf=off --timezone=off --console=read-only \
	    </dev/null >"$CONSOLE" 2>&1 &
	NSPAWN_PID=$!
	_tap_pids="$_tap_pids $NSPAWN_PID"
}

# boot_stop: the container is thrown away, so no clean shutdown: SIGKILL
# to its init ends its PID namespace (every process in it), then nspawn.
boot_stop() {
	[ -n "${NSPAWN_PID:-}" ] || return 0
	# IP_BOOT_KEEP=DIR keeps every boot's console and journal there; a
	# boot that failed keeps them in build/boot-logs/ (to find out why).
	keep=${IP_BOOT_KEEP:-}
	[ -z "${B_FAILED:-}" ] || keep=${keep:-$TOP/build/boot-logs}
	B_FAILED=
	if [ -n "$keep" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		mkdir -p "$keep"
		nsenter -t "$(pgrep -P "$NSPAWN_PID" | head -1)" -a journalctl -b --no-pager \
		    >"$keep/journal-$MACHINE.log" 2>&1 || :
	fi
	for c in $(pgrep -P "$NSPAWN_PID" 2>/dev/null); do kill -KILL "$c" 2>/dev/null || :; done
	i=0
	while kill -0 "$NSPAWN_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$NSPAWN_PID" 2>/dev/null || :
	wait "$NSPAWN_PID" 2>/dev/null || :
	NSPAWN_PID=
	[ -z "$keep" ] || { mkdir -p "$keep" && cp "$CONSOLE" "$keep/"; }
	boot_umount "$R"
	rm -rf "$R" "$T/up-${R##*/root-}" "$T/work-${R##*/root-}"
}

B_MOUNTS=
boot_umount() {	# boot_umount [DIR]: one overlay, or all that are left
	for m in ${1:-$B_MOUNTS}; do
		case " $B_MOUNTS " in *" $m "*) umount "$m" 2>/dev/null || umount -l "$m" || : ;; esac
	done
	if [ -n "${1:-}" ]; then
		B_MOUNTS=$(printf '%s\n' $B_MOUNTS | grep -vxF "$1" | tr '\n' ' ')
	else
		B_MOUNTS=
	fi
}

# boot_steps: the INSTALL-PARTY step timings of the last boot, one line.
boot_times() {
	grep -ao 'INSTALL-PARTY TIMES .*' "$CONSOLE" | tail -1 | tr -d '\r' | sed 's/^INSTALL-PARTY TIMES //'
}
