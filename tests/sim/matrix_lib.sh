# shellcheck shell=sh
# tests/sim/matrix_lib.sh: N attendees' servers as ip-check sees them, on
# loopback: server i is 127.0.100.i, DOMAIN = sI.NS.example.com.  Real Caddy
# (its internal CA, `tls internal`) serves each domain on its own address,
# Element's files from $MX/www/DOMAIN, and reverse_proxy /_matrix/* and
# /.well-known/matrix/* to tests/sim/matrix_sim.py; a real BIND serves the
# zone; our sshd answers SSH; $MX/known_hosts holds the keys "recorded".
# Needs $T, $TOP and bg.  Sets MX, MX_WEB_PORT, MX_SSH_PORT, MX_DNS_PORT,
# MX_CA, MX_SIM_LOG, MX_KNOBS, MX_CHECK_ARGS (ip-check's options) and
# writes $MX/servers (the server objects, as ip-join gives them).
#
# matrix_start NS N [I:MODE]...   where MODE (the web server's and the
# host's side; the homeserver's are matrix_sim.py knobs, in $MX_KNOBS) is
#   absent     no homeserver: /_matrix/* goes to a port where nothing listens
#   notls      no site for the domain in Caddy (TLS fails)
#   nodns      no DNS record          wrongdns  the record points elsewhere
#   nossh      nothing on the SSH port
#   badkey     known_hosts records another host key
#   badelement config.json's base_url is another server's
matrix_start() {
	_ns=$1 _n=$2
	shift 2
	MX=$T/mx
	mkdir -p "$MX/www" "$MX/caddy"
	MX_KNOBS=$MX/knobs.json MX_SIM_LOG=$MX/sim.log
	[ -f "$MX_KNOBS" ] || echo '{}' > "$MX_KNOBS"
	: > "$MX_SIM_LOG"
	_mode() {	# _mode I: this server's mode, or ""
		for _m in $_modes; do
			case $_m in "$1":*) echo "${_m#*:}"; return ;; esac
		done
	}
	_modes="$*"
	MX_WEB_PORT=$(party_port) MX_SSH_PORT=$(party_port) MX_DNS_PORT=$(party_port)
	_dead=$(party_port) _http=$(party_port)

	bg python3 "$TOP/tests/sim/matrix_sim.py" --port-file "$MX/sim.port" \
	    --knobs "$MX_KNOBS" --log "$MX_SIM_LOG"
	party_wait "$MX/sim.port" "the Matrix simulator" || return 1
	_sim=127.0.0.1:$(cat "$MX/sim.port") _probe=""

	# The zone, the site list and the sshd addresses, server by server.
	{
		echo "\$TTL 60"
		echo "@ IN SOA ns.example.com. host.example.com. 1 3600 600 86400 60"
		echo "@ IN NS ns.example.com."
		echo "ns IN A 127.0.0.1"
	} > "$MX/example.com.zone"
	: > "$MX/sites"
	: > "$MX/servers"
	ssh-keygen -q -t ed25519 -N '' -f "$MX/host" -C mx-host
	ssh-keygen -q -t ed25519 -N '' -f "$MX/other" -C mx-other
	: > "$MX/known_hosts"
	_i=1
	while [ "$_i" -le "$_n" ]; do
		_a=127.0.100.$_i _d=s$_i.$_ns.example.com _m=$(_mode "$_i")
		case $_m in
		nodns) ;;
		wrongdns) echo "s$_i.$_ns IN A 127.0.99.$_i" >> "$MX/example.com.zone" ;;
		*) echo "s$_i.$_ns IN A $_a" >> "$MX/example.com.zone" ;;
		esac
		[ "$_m" = nossh ] || echo "$_a" >> "$MX/ssh-addresses"
		_key=$MX/host.pub
		[ "$_m" = badkey ] && _key=$MX/other.pub
		echo "[$_a]:$MX_SSH_PORT $(cut -d' ' -f1,2 "$_key")" >> "$MX/known_hosts"
		mkdir -p "$MX/www/$_d"
		printf '<!doctype html><title>Element</title>\n' > "$MX/www/$_d/index.html"
		_base=https://$_d
		[ "$_m" = badelement ] && _base=https://other.$_ns.example.com
		printf '{"default_server_config":{"m.homeserver":{"base_url":"%s","server_name":"%s"}},"brand":"Element"}\n' \
		    "$_base" "$_d" > "$MX/www/$_d/config.json"
		if [ "$_m" != notls ]; then
			_up=$_sim
			[ -n "$_probe" ] || _probe="$_d:$MX_WEB_PORT:$_a"
			[ "$_m" = absent ] && _up=127.0.0.1:$_dead
			cat >> "$MX/sites" <<SITE
$_d {
	bind $_a
	tls internal
	reverse_proxy /_matrix/* $_up
	reverse_proxy /.well-known/matrix/* $_sim
	root * $MX/www/$_d
	file_server
}
SITE
		fi
		printf '{"type":"server","name":"s%d","state":"complete","domain":"%s","instance":{"type":"instance","name":"s%d","instance":"%s-s%d","domain":"%s","status":"ACTIVE","ipv4":"%s"},"record":{"type":"record","name":"s%d","domain":"%s","subdomain":"s%d.%s","target":"%s"}}\n' \
		    "$_i" "$_d" "$_i" "$_ns" "$_i" "$_d" "$_a" "$_i" "$_d" "$_i" "$_ns" "$_a" >> "$MX/servers"
		_i=$((_i + 1))
	done

	cat > "$MX/named.conf" <<NAMED
options {
	directory "$MX";
	pid-file "$MX/named.pid";
	listen-on port $MX_DNS_PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
};
controls { };
zone "example.com" { type primary; file "$MX/example.com.zone"; };
NAMED
	bg /usr/sbin/named -g -c "$MX/named.conf" > "$MX/named.log" 2>&1

	# sshd listens on 16 addresses at most: one sshd per 16 servers.
	if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; fi
	split -l 16 -d "$MX/ssh-addresses" "$MX/ssh-group."
	for _g in "$MX"/ssh-group.*; do
		{
			echo "Port $MX_SSH_PORT"
			sed 's/^/ListenAddress /' "$_g"
			echo "HostKey $MX/host"
			echo "PidFile $_g.pid"
			echo "UsePAM no"
			echo "PasswordAuthentication no"
			echo "KbdInteractiveAuthentication no"
			echo "LogLevel ERROR"
			echo "MaxStartups 200"	# every server is probed at once
		} > "$_g.conf"
		bg /usr/sbin/sshd -D -e -f "$_g.conf" 2> "$_g.log"
	done

	cat > "$MX/Caddyfile" <<CADDY
{
	admin off
	skip_install_trust
	local_certs
	https_port $MX_WEB_PORT
	http_port $_http
	auto_https disable_redirects
	storage file_system $MX/caddy
	log {
		output discard
	}
}
import $MX/sites
CADDY
	XDG_DATA_HOME=$MX/caddy XDG_CONFIG_HOME=$MX/caddy \
	    bg caddy run --config "$MX/Caddyfile" --adapter caddyfile > "$MX/caddy.log" 2>&1
	MX_CA=$MX/caddy/pki/authorities/local/root.crt
	# Caddy listens once its certificates are issued (internal CA: at once).
	_i=0
	until [ -s "$MX_CA" ] && [ -s "$MX/named.pid" ] && { [ -z "$_probe" ] ||
	    curl -s -o /dev/null --cacert "$MX_CA" --resolve "$_probe" \
	    "https://${_probe%%:*}:$MX_WEB_PORT/"; }; do
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || { echo "matrix_lib: Caddy or named did not start" >&2
			tail -5 "$MX/caddy.log" "$MX/named.log" >&2; return 1; }
		sleep 0.05
	done
	MX_CHECK_ARGS="--nameserver 127.0.0.1:$MX_DNS_PORT --web-port $MX_WEB_PORT --ssh-port $MX_SSH_PORT --ca-file $MX_CA --known-hosts $MX/known_hosts"
	export MX_CHECK_ARGS
}

# matrix_knobs JSON: the homeserver simulator's knobs, {"DOMAIN": ["knob"]}.
matrix_knobs() {
	printf '%s\n' "$1" > "$MX_KNOBS.tmp" && mv "$MX_KNOBS.tmp" "$MX_KNOBS"
}
