#!/bin/sh
# Benchmark: the stream tools on a large namespace.  Joins N instances and N
# records (default 100000 each) and prints the tables: wall time and peak
# memory (maximum resident set) of ip-join and ip-table.
# usage: bench/stream.sh [N]
set -eu
TOP=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
PATH=$TOP/build/bin:/usr/bin:/bin:$PATH
n=${1:-100000}
T=$(mktemp -d "${TMPDIR:-/tmp}/install-party-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
cat > "$T/c.yaml" <<CONFIG
general: {namespace: big, riot_version: v1.4.2, connectivity_check_timeout: 300}
instances: {user: u, password: p4ssw0rd, provider: openstack, args: {}}
dns: {zone: example.com, provider: ovh, args: {}}
CONFIG
chmod 600 "$T/c.yaml"
python3 - "$n" "$T" <<'PY'
import json, sys
n, t = int(sys.argv[1]), sys.argv[2]
with open(t + "/i", "w") as i, open(t + "/r", "w") as r:
    for k in range(n):
        name = "s%07d" % k
        ip = "10.%d.%d.%d" % (k >> 16 & 255, k >> 8 & 255, k & 255)
        i.write(json.dumps({"type": "instance", "name": name, "instance": "big-" + name,
                            "id": "%032x" % k, "status": "ACTIVE", "ipv4": ip}) + "\n")
        r.write(json.dumps({"type": "record", "name": name, "subdomain": name + ".big",
                            "domain": name + ".big.example.com", "id": str(10**17 + k),
                            "rtype": "A", "target": ip}) + "\n")
PY
measure() {	# measure LABEL CMD...
	label=$1
	shift
	/usr/bin/time -f "$label: %es, %MkB peak" "$@" > "$T/out" 2> "$T/time" || :
	grep -v "^Command exited" "$T/time" | tail -n 3
}
measure "ip-join of $n + $n objects" ip-join -c "$T/c.yaml" "$T/i" "$T/r"
ip-join -c "$T/c.yaml" "$T/i" "$T/r" > "$T/servers"
measure "ip-table of $n servers" ip-table "$T/servers"
measure "ip-names -N 10000" ip-names -c "$T/c.yaml" -N 10000
