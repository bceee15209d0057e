# shellcheck shell=sh disable=SC2034
# tests/boot/run.sh: the boot variants (sourced by tests/5NN-boot-*.t after
# tests/lib.sh and tests/boot/lib.sh, with SUITE and VARIANTS set).  Each
# variant is one boot of a fresh copy of the root file system; each ends
# with the organiser's own path: ip-provision --cloud-init logging in with
# the attendee's password, then ip-provision -C as the attendee.

# boot_tweak VARIANT: change the unpacked root ($R) as that kind of image would be.
boot_tweak() {
	case $1 in
	lock)	# apt-daily holding apt's lists lock for 40 s from early boot
		cat >"$R/etc/systemd/system/hold-apt-lists.service" <<'EOF'
[Unit]
Description=hold apt's lists lock for 40 s (as apt-daily at boot)
DefaultDependencies=no
After=local-fs.target
Before=cloud-init-local.service
[Service]
Type=simple
ExecStart=/usr/bin/python3 -c 'import fcntl, time; f = open("/var/lib/apt/lists/lock", "w"); fcntl.lockf(f, fcntl.LOCK_EX); open("/run/lists-locked", "w"); time.sleep(40)'
[Install]
WantedBy=sysinit.target
EOF
		mkdir -p "$R/etc/systemd/system/sysinit.target.wants"
		ln -s ../hold-apt-lists.service "$R/etc/systemd/system/sysinit.target.wants/"
		;;
	ubuntu-sshd)	# Ubuntu's cloud images turn password logins off in drop-ins
		printf 'PasswordAuthentication no\n' >"$R/etc/ssh/sshd_config.d/50-cloud-init.conf"
		printf '# cloud images\nPasswordAuthentication no\n' \
		    >"$R/etc/ssh/sshd_config.d/60-cloudimg-settings.conf"
		;;
	sshd-late)	# sshd starts only after the script's ssh step
		# (cloud-init.service Wants=sshd.service: a condition holds it back)
		mkdir -p "$R/etc/systemd/system/ssh.service.d"
		printf '[Unit]\nConditionPathExists=/run/ssh-late-ok\n' \
		    >"$R/etc/systemd/system/ssh.service.d/late.conf"
		cat >"$R/etc/systemd/system/ssh-late.service" <<'EOF'
[Unit]
Description=start sshd late (after the setup's ssh step)
[Service]
Type=simple
ExecStart=/bin/sh -c 'while [ ! -e /etc/ssh/sshd_config.d/01-install-party.conf ]; do sleep 0.5; done; sleep 2; systemctl is-active -q ssh.service || touch /run/sshd-was-late; touch /run/ssh-late-ok; systemctl start ssh.service'
[Install]
WantedBy=multi-user.target
EOF
		ln -s ../ssh-late.service "$R/etc/systemd/system/multi-user.target.wants/"
		;;
	esac
}

# boot_web_checks: what Caddy serves, over HTTPS with pebble's certificate.
boot_web_checks() {
	c="curl -sS --max-time 20 --resolve $DOMAIN:443:$IP --cacert $T/pebble-root.pem"
	run $c "https://$DOMAIN/"
	like "$out" "Element boot test" "$V: / is Element, over HTTPS with pebble's certificate"
	run $c "https://$DOMAIN/config.json"
	bu=$(printf '%s' "$out" | jq -r '.default_server_config["m.homeserver"].base_url' 2>/dev/null)
	is "$bu" "https://$DOMAIN" "$V: /config.json has the right base_url"
	run $c -D "$T/h" "https://$DOMAIN/.well-known/matrix/client"
	is "$(printf '%s' "$out" | jq -r '.["m.homeserver"].base_url' 2>/dev/null)" "https://$DOMAIN" \
	    "$V: .well-known/matrix/client is JSON"
	hdr=$(tr -d '\r' <"$T/h")
	like "$hdr" "^(access-control-allow-origin|Access-Control-Allow-Origin): \*$" "$V: with the CORS header"
	like "$hdr" "^(content-type|Content-Type): application/json" "$V: as application/json"
	run $c -D "$T/h" "https://$DOMAIN/.well-known/matrix/server"
	is "$(printf '%s' "$out" | jq -r '.["m.server"]' 2>/dev/null)" "$DOMAIN:443" \
	    "$V: .well-known/matrix/server is JSON"
	like "$(tr -d '\r' <"$T/h")" "^(content-type|Content-Type): application/json" "$V: as application/json"
}

# provision [ip-provision options]: the organiser's path; sets out/err/rc.
# In the background and waited for, so a signal reaches our trap at once
# (a shell runs traps only after a foreground child ends).
provision() {
	printf '%s\n' "$ITEM" >"$T/item"
	ip-provision -c "$CONF" --known-hosts "$KH" --ca-file "$T/pebble-root.pem" --setup-timeout 240 "$@" \
	    <"$T/item" >"$T/.out" 2>"$T/.err" &
	_p=$!
	_tap_pids="$_tap_pids $_p"
	wait "$_p"
	rc=$?
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
	if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' "$T/.err"; then
		fail "no sanitizer report from ip-provision"; diag "$(head -30 "$T/.err")"
	fi
}

boot_variant() {
	V=$SUITE/$1
	name=$(printf '%s' "$1" | tr -cd 'a-z0-9')$B_SEQ
	CONF=$T/conf-$name.yaml
	case $1 in
	sig) boot_config "$CONF" "element_key_fingerprint: $EL_FPR" ;;
	fail) boot_config "$CONF" "element_sha256: $(printf '%064d' 0)" ;;
	*) boot_config "$CONF" "element_sha256: $EL_SHA" ;;
	esac
	if ! boot_prepare "$SUITE" "$name" "$CONF"; then
		fail "$V: prepare the root file system"
		return
	fi
	boot_tweak "$1"
	case $1 in
	caddy-404) mv "$W/cloudsmith/public" "$W/cloudsmith/gone" ;;
	caddy-down) boot_host dl.cloudsmith.io "$NET.250" ;;
	esac
	boot_start
	provision --cloud-init -v
	t=$(( $(date +%s) - B_T0 ))
	case $1 in
	caddy-404) mv "$W/cloudsmith/gone" "$W/cloudsmith/public" ;;
	caddy-down) boot_host dl.cloudsmith.io "$HOSTIP" ;;
	esac
	if [ "$1" = fail ]; then
		is "$rc" 1 "$V: a failing step fails ip-provision --cloud-init"
		like "$err" "setup failed: step=element line=[0-9]+ status=[0-9]+" \
		    "$V: which reports the step and line from the failed marker"
		boot_stop
		diag "$V: $t s"
		return
	fi
	is "$rc" 0 "$V: ip-provision --cloud-init logs in with the password, setup done, web up ($t s)"
	[ "$rc" = 0 ] || {
		B_FAILED=1
		diag "ip-provision: $(tail -5 "$T/.err")"
		diag "console and journal kept in ${IP_BOOT_KEEP:-$TOP/build/boot-logs}/"
		diag "$(grep -a 'INSTALL-PARTY\|cloud-init\|Failed' "$CONSOLE" | tail -40)"
	}
	times=$(boot_times)
	diag "$V: $t s; steps:$times"
	printf '%s %s %s\n' "$V" "$t" "$times" >>"$BOOT_TIMES"
	boot_web_checks
	provision -C 'sudo -n true && systemctl is-active caddy' --log-dir "$T/logs-$name"
	is "$rc" 0 "$V: ip-provision -C: sudo -n true and caddy active, as the attendee"
	like "$(cat "$T/logs-$name/$name.log" 2>/dev/null)" "^active" "$V: systemctl is-active caddy says active"
	case $1 in
	lock)
		grep -aq 'INSTALL-PARTY WAIT apt-get' "$CONSOLE"
		ok $? "$V: the script waited for apt's lock, saying so"
		;;
	ubuntu-sshd)
		provision -C 'sudo sshd -T | grep -i "^passwordauthentication"' --log-dir "$T/logs-$name"
		like "$(cat "$T/logs-$name/$name.log")" "passwordauthentication yes" "$V: sshd takes the password despite 50- and 60- drop-ins"
		;;
	sshd-late)
		provision -C 'test -e /run/sshd-was-late'
		is "$rc" 0 "$V: sshd really was not running during the ssh step"
		;;
	caddy-404|caddy-down)
		grep -aq "INSTALL-PARTY WARNING Caddy's repository" "$CONSOLE"
		ok $? "$V: the console says Caddy's repository cannot be used"
		provision -C 'test ! -e /etc/apt/sources.list.d/caddy-stable.list && sudo apt-get update -q'
		is "$rc" 0 "$V: no Caddy sources list left behind; apt-get update works"
		;;
	second-run)
		provision -C 'sudo bash /var/lib/cloud/instance/user-data.txt && test -s /var/lib/install-party/done' \
		    --log-dir "$T/logs-$name"
		is "$rc" 0 "$V: a second run of the script succeeds"
		like "$(cat "$T/logs-$name/$name.log")" "INSTALL-PARTY DONE" "$V: and ends with DONE"
		boot_web_checks
		;;
	esac
	boot_stop
}

boot_main() {
	why=$(boot_skip_reason)
	[ -z "$why" ] || skip_all "$why"
	BOOT_TIMES=$TOP/build/boot-times-$SUITE.txt
	mkdir -p "$TOP/build"
	: >"$BOOT_TIMES"
	t0=$(date +%s)
	tarball=$("$BOOT/rootfs.sh" "$SUITE") || { fail "$SUITE: root file system"; done_testing; exit; }
	diag "$SUITE: root file system ready after $(( $(date +%s) - t0 )) s: $tarball"
	boot_net
	for v in $VARIANTS; do
		boot_variant "$v"
	done
	done_testing
}
