# shellcheck shell=sh disable=SC2034 # DNS_* are read by the tests
# tests/sim/dns_lib.sh: a real named (BIND 9) or knotd (Knot DNS) on
# 127.0.0.1 and a free port, with a zone, a TSIG key allowed to transfer
# and update that zone only, and decoy records.  Sourced after lib.sh.
#   dns_start bind|knot   sets DNS_PORT, DNS_CFG (an ip-dns config), DNS_KEY
#                         (the secret), or returns 1 with $DNS_WHY
#   dns_dig ARGS...       dig at the server, short answers, sorted

DNS_ZONE=example.com
DNS_NS=party
DNS_KEY=$(head -c 32 /dev/urandom | base64)
DNS_OTHER_KEY=$(head -c 32 /dev/urandom | base64)

# The zone: members alice (A, AAAA) and big (40 A: too large for UDP),
# decoys of every kind, and bulk TXT records so that an AXFR takes
# several messages.
dns_zone_file() {
	cat <<EOF2
\$ORIGIN $DNS_ZONE.
\$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 60
@ NS ns1
ns1 A 127.0.0.1
@ A 192.0.2.1
www A 192.0.2.2
$DNS_NS A 192.0.2.3
note.$DNS_NS TXT "not an address"
alias.$DNS_NS CNAME www
bob.other A 192.0.2.5
deep.carol.$DNS_NS A 192.0.2.6
alice.$DNS_NS A 198.51.100.1
alice.$DNS_NS AAAA 2001:db8::1
EOF2
	i=1
	while [ $i -le 40 ]; do echo "big.$DNS_NS A 10.0.0.$i"; i=$((i + 1)); done
	i=1
	while [ $i -le 1500 ]; do
		echo "r$i.bulk TXT \"filler record number $i of the bulk set, long enough to fill messages\""
		i=$((i + 1))
	done
}

dns_write_config() {	# dns_write_config FILE SECRET [KEYNAME]
	cat >"$1" <<EOF2
general:
  namespace: $DNS_NS
  riot_version: v1.4.2
  connectivity_check_timeout: 300
instances:
  user: superevent
  password: superevent2019
  provider: openstack
  args:
    api_version: 2
dns:
  zone: $DNS_ZONE
  provider: rfc2136
  ttl: 120
  args:
    server: 127.0.0.1
    port: $DNS_PORT
    key_name: ${3:-ip-key}
    key_secret: "$2"
    key_algorithm: hmac-sha256
    timeout: 5
EOF2
	chmod 600 "$1"
}

_dns_wait() {	# until the server answers the zone's SOA
	n=0
	while [ $n -lt 100 ]; do
		if dig +short +time=1 +tries=1 @127.0.0.1 -p "$DNS_PORT" "$DNS_ZONE" SOA 2>/dev/null | grep -q hostmaster; then
			return 0
		fi
		sleep 0.1; n=$((n + 1))
	done
	return 1
}

# Servers need no privilege (ports above 1024): as root, they run as
# nobody, in a directory of their own.
_dns_unpriv() {	# _dns_unpriv DIR CMD...
	d=$1; shift
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		chown -R nobody "$d"
		chmod 711 "$T"
		bg setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@" >"$d/log" 2>&1
	else
		bg "$@" >"$d/log" 2>&1
	fi
}

_dns_bind() {
	d=$T/bind; mkdir -p "$d"
	command -v named >/dev/null || { DNS_WHY="named (bind9) is not installed"; return 1; }
	dns_zone_file >"$d/zone"
	printf '%s\n' "\$ORIGIN other.test." "\$TTL 300" "@ SOA ns1.other.test. h.other.test. 1 3600 600 86400 60" \
	    "@ NS ns1.other.test." "ns1 A 127.0.0.1" >"$d/other"
	cat >"$d/named.conf" <<EOF2
options {
	directory "$d";
	listen-on port $DNS_PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	pid-file "$d/named.pid";
	session-keyfile none;
	managed-keys-directory "$d";
	recursion no;
	notify no;
	dnssec-validation no;
	allow-transfer { none; };
};
controls { };
logging { channel c { stderr; severity info; }; category default { c; }; category update { c; }; category xfer-out { c; }; };
key "ip-key" { algorithm hmac-sha256; secret "$DNS_KEY"; };
key "other-key" { algorithm hmac-sha256; secret "$DNS_OTHER_KEY"; };
zone "$DNS_ZONE" {
	type primary; file "$d/zone";
	update-policy { grant ip-key zonesub ANY; };
	allow-transfer { key ip-key; };
};
zone "other.test" {
	type primary; file "$d/other";
	update-policy { grant other-key zonesub ANY; };
	allow-transfer { key other-key; };
};
EOF2
	_dns_unpriv "$d" named -g -n 1 -4 -c "$d/named.conf"
}

_dns_knot() {
	d=$T/knot; mkdir -p "$d/db"
	command -v knotd >/dev/null || { DNS_WHY="knotd (knot) is not installed"; return 1; }
	dns_zone_file >"$d/zone"
	printf '%s\n' "\$ORIGIN other.test." "\$TTL 300" "@ SOA ns1.other.test. h.other.test. 1 3600 600 86400 60" \
	    "@ NS ns1.other.test." "ns1 A 127.0.0.1" >"$d/other"
	cat >"$d/knot.conf" <<EOF2
server:
    rundir: "$d"
    listen: 127.0.0.1@$DNS_PORT
log:
  - target: stderr
    any: info
database:
    storage: "$d/db"
control:
    listen: "$d/knot.sock"
key:
  - id: ip-key
    algorithm: hmac-sha256
    secret: $DNS_KEY
  - id: other-key
    algorithm: hmac-sha256
    secret: $DNS_OTHER_KEY
acl:
  - id: ip-acl
    key: ip-key
    action: [transfer, update]
  - id: other-acl
    key: other-key
    action: [transfer, update]
zone:
  - domain: $DNS_ZONE
    file: "$d/zone"
    acl: ip-acl
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: changes
  - domain: other.test
    file: "$d/other"
    acl: other-acl
    zonefile-sync: -1
EOF2
	_dns_unpriv "$d" knotd -c "$d/knot.conf"
}

dns_start() {	# dns_start bind|knot
	DNS_PORT=$(free_port)
	DNS_WHY=""
	"_dns_$1" || return 1
	if ! _dns_wait; then
		DNS_WHY="$1 did not start: $(tail -3 "$T/$1/log" | tr '\n' ' ')"
		return 1
	fi
	DNS_CFG=$T/$1.yaml
	dns_write_config "$DNS_CFG" "$DNS_KEY"
	return 0
}

dns_dig() {	# dns_dig NAME TYPE: the answer's data, sorted, one a line
	dig +short +tcp +time=2 +tries=1 @127.0.0.1 -p "$DNS_PORT" "$@" | sort
}
