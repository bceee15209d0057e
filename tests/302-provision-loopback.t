#!/bin/sh
# ip-provision without root, the way the demo runs it: an sshd started by
# the current user on a high port (key login as that user), a web server on
# another high port, the setup marker made by hand.
. "$(dirname "$0")/lib.sh"

[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
ME=$(id -un)
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd

ssh-keygen -q -t ed25519 -N '' -f "$T/hk" -C hk
ssh-keygen -q -t ed25519 -N '' -f "$T/id" -C id
cp "$T/id.pub" "$T/ak"
PORT=$(free_port)
cat >"$T/sshd.conf" <<EOF
Port $PORT
ListenAddress 127.0.0.1
$(python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null && echo "ListenAddress ::1")
HostKey $T/hk
PidFile $T/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $T/ak
StrictModes no
LogLevel ERROR
EOF
bg /usr/sbin/sshd -D -e -f "$T/sshd.conf" 2>"$T/sshd.log"
wait_port "$PORT" || skip_all "sshd did not start: $(head -3 "$T/sshd.log")"

mkdir -p "$T/www" "$T/setup"
echo hello >"$T/www/index.html"
WPORT=$(free_port)
bg python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$WPORT" >/dev/null 2>&1
wait_port "$WPORT"
date >"$T/setup/done"
write_config "$T/c.yaml" demo
sed -i 's/connectivity_check_timeout: 300/connectivity_check_timeout: 10/' "$T/c.yaml"
printf '#!/bin/sh\necho "post-install as $(id -un)"\n' >"$T/post.sh"

{
	echo '{"type":"name","name":"first","namespace":"demo"}'
	echo '{"type":"instance","name":"ann","namespace":"demo","domain":"ann.demo.example.com","ipv4":"127.0.0.1"}'
	echo '{"type":"record","name":"bob","namespace":"demo","domain":"bob.demo.example.com","rtype":"A","target":"127.0.0.1"}'
	echo '{"type":"server","name":"cyd","namespace":"demo","domain":"cyd.demo.example.com","instance":null,"record":null}'
} >"$T/in.json"

export XDG_STATE_HOME="$T/state"
run ip-provision -c "$T/c.yaml" -u "$ME" -i "$T/id" --ssh-port "$PORT" \
    --setup-dir "$T/setup" -s "$T/post.sh" --no-sudo --log-dir "$T/logs" \
    --web-scheme http --web-port "$WPORT" <"$T/in.json"
is "$rc" 1 "runs, and fails for the object without an address"
is "$(printf '%s\n' "$out" | sed -n 1p | jq -r .type)" name "objects of other types pass through first"
is "$(printf '%s\n' "$out" | jq -r 'select(.provision.status=="ok") | .name' | sort | tr '\n' ' ')" "ann bob " \
    "instance (ipv4) and record (target) objects provisioned"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="ann") | [.provision.script.exit, .provision.web.status] | @tsv')" "0	200" \
    "script and web check reported"
is "$(printf '%s\n' "$out" | jq -r 'select(.type=="error") | .name + ": " + .message')" "cyd: no address to provision" \
    "an error object for the server without an address"
like "$(cat "$T/logs/ann.log")" "^post-install as $ME$" "script ran as the login user (--no-sudo)"
[ -s "$T/state/install-party/demo/known_hosts" ]; ok $? "known_hosts under XDG_STATE_HOME, per namespace"
IP_KNOWN_HOSTS=$T/other-kh run ip-provision -c "$T/c.yaml" -u "$ME" -i "$T/id" --ssh-port "$PORT" \
    --no-wait-setup --no-web -C true <"$T/in.json"
[ -s "$T/other-kh" ]; ok $? "IP_KNOWN_HOSTS overrides it"
run ip-provision -c "$T/c.yaml" -s "$T/post.sh" -C true </dev/null
is "$rc" 2 "-s and -C together are a usage error"
run ip-provision -c "$T/c.yaml" --web-scheme ftp </dev/null
is "$rc" 2 "an unknown web scheme is a usage error"

# an IPv6-only instance
if grep -q '::1' "$T/sshd.conf"; then
	echo '{"type":"instance","name":"eve","domain":"eve.demo.example.com","ipv4":null,"ipv6":"::1"}' >"$T/eve.json"
	run ip-provision -c "$T/c.yaml" -u "$ME" -i "$T/id" --ssh-port "$PORT" --no-wait-setup --no-web -C true <"$T/eve.json"
	is "$rc/$(printf '%s\n' "$out" | jq -r .provision.address)" "0/::1" "an instance with only an IPv6 address"
else
	skip "no IPv6 loopback here"
fi

# https: the certificate is checked for the domain while connecting to the address
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ann.demo.example.com \
    -addext subjectAltName=DNS:ann.demo.example.com -keyout "$T/tls.key" -out "$T/tls.crt" 2>/dev/null
SPORT=$(free_port)
bg python3 -c '
import http.server, ssl, sys, os
os.chdir(sys.argv[4])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()' "$SPORT" "$T/tls.crt" "$T/tls.key" "$T/www" >/dev/null 2>&1
wait_port "$SPORT"
sed -n 2p "$T/in.json" >"$T/ann.json"
run ip-provision -c "$T/c.yaml" -u "$ME" -i "$T/id" --ssh-port "$PORT" --no-wait-setup \
    --web-port "$SPORT" --ca-file "$T/tls.crt" <"$T/ann.json"
is "$rc/$(printf '%s\n' "$out" | jq -r .provision.web.status)" "0/200" "https web check with the domain pinned and its certificate verified"
sed 's/connectivity_check_timeout: 10/connectivity_check_timeout: 2/' "$T/c.yaml" >"$T/short.yaml"
chmod 600 "$T/short.yaml"
run ip-provision -c "$T/short.yaml" -u "$ME" -i "$T/id" --ssh-port "$PORT" --no-wait-setup \
    --web-port "$SPORT" <"$T/ann.json"
like "$rc/$(printf '%s\n' "$out" | jq -r .message)" "^1/web: https://ann.demo.example.com:$SPORT/ after [0-9]+ tries: .*certificate" "an untrusted certificate fails the web step"

# a port that accepts but never speaks SSH: bounded by the timeout
MPORT=$(free_port)
bg python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(50)
held = []
while True:
    c, _ = s.accept(); held.append(c)' "$MPORT"
wait_port "$MPORT"
start=$(date +%s)
run ip-provision -c "$T/short.yaml" -u "$ME" -i "$T/id" --ssh-port "$MPORT" -C true <"$T/ann.json"
took=$(( $(date +%s) - start ))
like "$rc/$(printf '%s\n' "$out" | jq -r .message)" "^1/ssh: gave up after [0-9]+ tries in 2 s: SSH handshake" "a silent port fails at the handshake"
[ "$took" -le 5 ]; ok $? "within the timeout (${took}s)"

# the plain build under valgrind: threads, libssh2, libcurl, crypt
if command -v valgrind >/dev/null; then
	vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@"; }
	run vg "$IP_PLAIN_BINDIR/ip-provision" -c "$T/c.yaml" -u "$ME" -i "$T/id" --ssh-port "$PORT" \
	    --setup-dir "$T/setup" -s "$T/post.sh" --no-sudo --log-dir "$T/logs" \
	    --web-scheme http --web-port "$WPORT" <"$T/in.json"
	is "$rc" 1 "valgrind: a provisioning run is clean (exit 1 for the server without address)"
	run vg "$IP_PLAIN_BINDIR/ip-provision" -c "$T/c.yaml" --render "$TOP/share/setup.sh.in" <"$T/ann.json"
	is "$rc" 0 "valgrind: --render is clean"
else
	skip "valgrind is not installed"; skip "valgrind is not installed"
fi

# SIGTERM (or Ctrl-C): no new servers, the ones in flight finish
{
	echo '{"type":"instance","name":"ann","domain":"ann.demo.example.com","ipv4":"127.0.0.1"}'
	echo '{"type":"instance","name":"amy","domain":"amy.demo.example.com","ipv4":"127.0.0.1"}'
} >"$T/two.json"
ip-provision -c "$T/c.yaml" -u "$ME" -i "$T/id" --ssh-port "$PORT" -j 1 \
    -C 'sleep 2' <"$T/two.json" >"$T/int.out" 2>"$T/int.err" &
pid=$!
for _ in $(seq 100); do grep -q 'ann: logged in' "$T/int.err" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
is "$?" 1 "interrupted: exit 1"
is "$(jq -r '.name + " " + .provision.status' "$T/int.out")" "ann ok" "the server in flight finished, no new one started"
like "$(cat "$T/int.err")" "interrupted: no new servers; finishing 1 in flight" "and says so"

done_testing
