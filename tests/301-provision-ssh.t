#!/bin/sh
# ip-provision against real OpenSSH servers on loopback addresses: logins,
# host keys, commands, scripts, markers, timeouts, parallelism, web check.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root (a throw-away user and sshd on 127.0.0.x)"
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
command -v sudo >/dev/null || skip_all "sudo is not installed"

chmod 755 "$T"	# the test user reads its setup markers and key under $T
U=iptest$$
PW='pw'\''d "x$y` z;|\'
HASH=$(python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$PW")
useradd -M -d "$T/home" -s /bin/sh "$U" || skip_all "useradd failed"
cleanup_user() {
	rm -f "/etc/sudoers.d/ip-test-$U"
	userdel "$U" 2>/dev/null
}
at_exit cleanup_user
usermod -p "$HASH" "$U"
mkdir -p "$T/home" && chown "$U" "$T/home"
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$U" >"/etc/sudoers.d/ip-test-$U"
chmod 0440 "/etc/sudoers.d/ip-test-$U"
mkdir -p /run/sshd

ssh-keygen -q -t ed25519 -N '' -f "$T/id" -C test
cp "$T/id.pub" "$T/authorized_keys"
ssh-keygen -q -t ed25519 -N '' -f "$T/hk1" -C hk1
ssh-keygen -q -t ed25519 -N '' -f "$T/hk2" -C hk2

PORT=$(free_port)
start_sshd() {	# start_sshd TAG HOSTKEY PORT ADDR...
	tag=$1 hk=$2 port=$3; shift 3
	{
		echo "Port $port"
		for a; do echo "ListenAddress $a"; done
		echo "HostKey $hk"
		echo "PidFile $T/sshd-$tag.pid"
		echo "UsePAM no"
		echo "PasswordAuthentication yes"
		echo "KbdInteractiveAuthentication no"
		echo "PubkeyAuthentication yes"
		echo "AuthorizedKeysFile $T/authorized_keys"
		echo "StrictModes no"
		echo "AllowUsers $U"
		echo "MaxStartups 50"
		echo "LogLevel ERROR"
	} >"$T/sshd-$tag.conf"
	/usr/sbin/sshd -D -e -f "$T/sshd-$tag.conf" 2>>"$T/sshd-$tag.log" &
	eval "SSHD_$tag=$!"
	_tap_pids="$_tap_pids $!"
	python3 - "$port" "$@" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
end = time.time() + 10
for a in sys.argv[2:]:
    while True:
        try:
            socket.create_connection((a, port), 0.2).close(); break
        except OSError:
            if time.time() > end: sys.exit(1)
            time.sleep(0.05)
PY
}
stop_sshd() { eval "kill \$SSHD_$1; wait \$SSHD_$1" 2>/dev/null; }
start_sshd a "$T/hk1" "$PORT" 127.0.0.1

conf() {	# conf FILE TIMEOUT
	write_config "$1" ev
	python3 - "$1" "$U" "$2" "$PW" <<'PY'
import json, sys
f, user, timeout, pw = sys.argv[1:]
s = open(f).read().replace("user: superevent", "user: " + user)
s = s.replace("connectivity_check_timeout: 300", "connectivity_check_timeout: " + timeout)
s = s.replace("password: superevent2019", "password: " + json.dumps(pw))
open(f, "w").write(s)
PY
}
conf "$T/c.yaml" 20
conf "$T/short.yaml" 2
KH=$T/kh
server() {	# server NAME ADDR: a server object as ip-dns create makes them
	printf '{"type":"server","name":"%s","namespace":"ev","domain":"%s.ev.example.com","state":"complete","instance":{"type":"instance","name":"%s","ipv4":"%s"},"record":{"type":"record","target":"%s"}}\n' "$1" "$1" "$1" "$2" "$2"
}
P() { ip-provision --known-hosts "$KH" --ssh-port "$PORT" "$@"; }
ip_q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
get() { printf '%s\n' "$out" | jq -r "$1"; }

# password login, a command, output prefixed by name, TOFU
server bob 127.0.0.1 >"$T/bob.json"
run P -c "$T/c.yaml" -C 'echo hi; echo oops >&2' <"$T/bob.json"
is "$rc" 0 "password login and a command"
is "$(get .provision.command.exit)" 0 "command exit status in the stream"
like "$err" "^bob: hi$" "stdout prefixed by the server name on stderr"
like "$err" "^bob: oops$" "stderr prefixed too"
unlike "$err$out" "pw'd" "the password appears nowhere"
run P -c "$T/c.yaml" -C "printf '%s\\n' $(ip_q "$PW")" <"$T/bob.json"
like "$err" "^bob: \\*\\*\\*$" "command output echoing the password is redacted on stderr"
like "$(get .provision.host_key)" "^SHA256:[A-Za-z0-9+/]{43}$" "host key fingerprint reported"
is "$(get '.record.target')" 127.0.0.1 "the object passes through with its fields"
want_fp=$(ssh-keygen -lf "$T/hk1.pub" | awk '{print $2}')
is "$(get .provision.host_key)" "$want_fp" "fingerprint is OpenSSH's"
ssh-keygen -F "[127.0.0.1]:$PORT" -f "$KH" >/dev/null
ok $? "host key stored (trust on first use) in OpenSSH's known_hosts format"

# key login, exit codes
conf "$T/badpw.yaml" 2
sed -i "s/^  password: .*/  password: wrong-password/" "$T/badpw.yaml"
run P -c "$T/badpw.yaml" -i "$T/id" -C 'exit 7' <"$T/bob.json"
is "$rc" 1 "a failing command makes the run fail"
is "$(get .type)/$(get .stage)" "error/provision" "an error object for it"
like "$(get .message)" "command: the command exited with status 7" "naming the step and the status"
run P -c "$T/badpw.yaml" -i "$T/id" -C 'true' <"$T/bob.json"
is "$rc/$(get .provision.status)" "0/ok" "ed25519 key login"

# wrong password: refused, bounded by connectivity_check_timeout
start=$(date +%s)
run P -c "$T/badpw.yaml" -C true <"$T/bob.json"
took=$(( $(date +%s) - start ))
is "$rc" 1 "wrong password fails"
like "$(get .message)" "^ssh: gave up after [0-9]+ tries in 2 s: login refused" "message says login refused"
[ "$took" -le 6 ]; ok $? "and gives up within the timeout (${took}s)"

# nothing listening
NOPORT=$(free_port)
start=$(date +%s)
run ip-provision -c "$T/short.yaml" --known-hosts "$KH" --ssh-port "$NOPORT" -C true <"$T/bob.json"
took=$(( $(date +%s) - start ))
is "$rc" 1 "nothing listening fails"
like "$(get .message)" "ssh: gave up after [0-9]+ tries.*connect: Connection refused" "message says why"
[ "$took" -le 6 ]; ok $? "within the timeout (${took}s)"

# wait for the first-boot marker, then upload + run a script with sudo
SD=$T/setup
mkdir -p "$SD" && chmod 755 "$SD"
printf '#!/bin/sh\necho "uid=$(id -u)"\necho to-stderr >&2\nseq 1 20000\necho "$0" >%s/script-path\nexit 0\n' "$T" >"$T/post.sh"
( sleep 2; date >"$SD/done" ) &
start=$(date +%s)
run P -c "$T/c.yaml" --setup-dir "$SD" -s "$T/post.sh" --log-dir "$T/logs" --no-web <"$T/bob.json"
is "$rc" 0 "waits for the completion marker, then runs the script"
setup_s=$(get .provision.seconds.setup)
is "$(python3 -c "print(int($setup_s >= 0.5))")" 1 "the wait lasted until the marker appeared (${setup_s}s)"
is "$(get .provision.script.exit)" 0 "script exit status reported"
is "$(get .provision.log)" "$T/logs/bob.log" "log path reported"
log=$(cat "$T/logs/bob.log")
like "$log" "^uid=0$" "script ran with sudo"
like "$log" "^to-stderr$" "its stderr is logged"
is "$(grep -c '^[0-9][0-9]*$' "$T/logs/bob.log")" 20000 "all 20000 lines streamed to the log"
like "$log" "^==> exit status 0$" "the log ends with the exit status"
sp=$(cat "$T/script-path" 2>/dev/null)
[ -n "$sp" ] && [ ! -e "$sp" ]; ok $? "the uploaded script is removed after the run"

printf '#!/bin/sh\necho failing\nexit 3\n' >"$T/fail.sh"
run P -c "$T/c.yaml" --setup-dir "$SD" -s "$T/fail.sh" --log-dir "$T/logs" --no-web <"$T/bob.json"
is "$rc" 1 "a failing script fails the server"
like "$(get .message)" "^script: the script exited with status 3; see $T/logs/bob.log$" "with its status and log"

# the setup's failure marker is reported with its line
rm -f "$SD/done"
echo "step=caddy line=142 status=100" >"$SD/failed"
run P -c "$T/c.yaml" --setup-dir "$SD" --no-web <"$T/bob.json"
is "$rc" 1 "a failed first-boot setup fails the server"
like "$(get .message)" "setup: the first-boot setup failed: step=caddy line=142 status=100" "the failure marker's step and line"
rm -f "$SD/failed"
run P -c "$T/c.yaml" --setup-dir "$SD" --setup-timeout 1 --no-web <"$T/bob.json"
like "$(get .message)" "setup: the first-boot setup did not finish in 1 s" "a setup that never ends times out"

# web check: the domain pinned to the server's address
mkdir -p "$T/www" && echo hello >"$T/www/index.html"
WPORT=$(free_port)
bg python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$WPORT" >/dev/null 2>&1
wait_port "$WPORT"
date >"$SD/done"
run P -c "$T/c.yaml" --setup-dir "$SD" --web-scheme http --web-port "$WPORT" <"$T/bob.json"
is "$rc/$(get .provision.web.status)" "0/200" "web check reaches the server for its domain"
is "$(get .provision.web.dns)" pending "and says the name does not resolve yet"
run P -c "$T/short.yaml" --no-wait-setup --web-scheme http --web-port "$NOPORT" <"$T/bob.json"
like "$rc/$(get .message)" "^1/web: http://bob.ev.example.com:$NOPORT/ after [0-9]+ tries" "a web server that never answers fails the web step"

# a changed host key is refused
stop_sshd a
start_sshd b "$T/hk2" "$PORT" 127.0.0.1
cp "$KH" "$T/kh.before"
run P -c "$T/c.yaml" -C true <"$T/bob.json"
is "$rc" 1 "a changed host key fails"
like "$(get .message)" "ssh: the host key of 127.0.0.1 port $PORT CHANGED" "with a clear message"
like "$err" "remove its line from $KH" "saying what to do"
cmp -s "$KH" "$T/kh.before"; ok $? "known_hosts is left alone"
printf 'garbage line\n|1|bad|hash ssh-ed25519 AAAA\n' >"$T/kh.bad"
cat "$KH" >>"$T/kh.bad"
stop_sshd b
start_sshd c "$T/hk1" "$PORT" 127.0.0.1
run ip-provision -c "$T/c.yaml" --known-hosts "$T/kh.bad" --ssh-port "$PORT" -C true <"$T/bob.json"
is "$rc" 0 "bad known_hosts lines do not hide the good ones after them"
stop_sshd c

# ten servers at once on ten loopback addresses (two sshd)
start_sshd d "$T/hk1" "$PORT" 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6
start_sshd e "$T/hk2" "$PORT" 127.0.0.7 127.0.0.8 127.0.0.9 127.0.0.10 127.0.0.11
: >"$T/ten.json"
for i in 2 3 4 5 6 7 8 9 10 11; do server "s$i" "127.0.0.$i" >>"$T/ten.json"; done
echo '{"type":"error","name":"zed","stage":"dns-create","message":"earlier failure"}' >>"$T/ten.json"
start=$(date +%s)
run P -c "$T/c.yaml" -j 10 -C 'sleep 2; echo done' --log-dir "$T/ten" <"$T/ten.json"
took=$(( $(date +%s) - start ))
is "$rc" 0 "ten servers"
is "$(printf '%s\n' "$out" | jq -r 'select(.provision.status=="ok") | .name' | sort | tr '\n' ' ')" \
    "s10 s11 s2 s3 s4 s5 s6 s7 s8 s9 " "ten objects with provision status ok"
is "$(printf '%s\n' "$out" | jq -r 'select(.type=="error") | .message')" "earlier failure" "error objects pass through"
[ "$took" -le 8 ]; ok $? "in parallel (${took}s for 10 x 2s)"
is "$(cat "$T"/ten/s*.log | grep -c '^done$')" 10 "one log file per server"

# instances.passwords: per-server: ip-provision logs in with the server's own
# derived password (the same one ip-cards prints), not the secret
conf "$T/per.yaml" 3
sed -i 's/^  password: .*/  password: "the host secret of this party, long enough"\n  passwords: per-server/' "$T/per.yaml"
server bob 127.0.0.2 >"$T/bob2.json"
server alice 127.0.0.2 >"$T/alice2.json"
bobpw=$(ip-cards -c "$T/per.yaml" --known-hosts "$KH" --json <"$T/bob2.json" 2>/dev/null | jq -r .password)
like "$bobpw" '^[2-9a-km-np-z]{4}-[2-9a-km-np-z]{4}-[2-9a-km-np-z]{4}$' "per-server: bob's derived password"
usermod -p "$(python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$bobpw")" "$U"
run P -v -c "$T/per.yaml" -C 'echo in' <"$T/bob2.json"
is "$rc/$(get .provision.status)" "0/ok" "per-server: ip-provision logs in to bob with bob's password"
like "$err" "^bob: in$" "and runs the command"
unlike "$err$out" "$bobpw|host secret" "ip-provision -v: neither the password nor the secret in its messages"
run P -c "$T/per.yaml" -C true <"$T/alice2.json"
like "$rc/$(get .message)" "^1/ssh: .*login refused" "alice's password does not open bob's account"
unlike "$err$out" "$bobpw" "still no password in the messages"
bobkey=$(ip-cards -c "$T/per.yaml" --known-hosts "$KH" --ssh-port "$PORT" --json <"$T/bob2.json" 2>/dev/null | jq -r .host_key)
is "$bobkey" "$(ssh-keygen -lf "$T/hk1.pub" | awk '{print $2}')" "ip-cards shows the host key ip-provision recorded"

done_testing
