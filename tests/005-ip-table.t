#!/bin/sh
# ip-table: the README's list tables, byte for byte as python-tabulate's psql.
. "$(dirname "$0")/lib.sh"

C=$T/config.yaml
write_config "$C" my-party
cat > "$T/stream" <<'EOS'
{"type":"instance","name":"alice","instance":"my-party-alice","status":"ACTIVE","ipv4":"203.0.113.1"}
{"type":"record","name":"alice","subdomain":"alice.my-party","domain":"alice.my-party.example.com","rtype":"A","target":"203.0.113.1","id":"1"}
{"type":"instance","name":"bob","instance":"my-party-bob","status":"ACTIVE","ipv4":"203.0.113.2"}
{"type":"record","name":"bob","subdomain":"bob.my-party","domain":"bob.my-party.example.com","rtype":"A","target":"203.0.113.99","id":"2"}
{"type":"instance","name":"12345","instance":"my-party-12345","status":"BUILD","ipv4":null}
{"type":"record","name":"carol","subdomain":"carol.my-party","domain":"carol.my-party.example.com","rtype":"A","target":"198.51.100.3","id":"3"}
EOS
ip-join -c "$C" "$T/stream" > "$T/servers"

# The expected output is made by python-tabulate itself from the same data.
python3 - "$T/servers" > "$T/expected" <<'PY'
import json, sys
from tabulate import tabulate
main, oi, od = [], [], []
for line in open(sys.argv[1]):
    s = json.loads(line)
    i, r = s["instance"], s["record"]
    if i and r:
        st = i["status"] if s["state"] != "mismatch" else "%s (DNS points to %s)" % (i["status"], r["target"])
        main.append([s["name"], i["instance"], r["domain"], st, i["ipv4"]])
    elif i:
        oi.append([s["name"], i["instance"], i["status"], i["ipv4"]])
    else:
        od.append([s["name"], r["domain"], r["target"]])
print(tabulate(main, headers=["Name", "Instance name", "Domain", "Status", "IPv4"], tablefmt="psql"))
if oi:
    print("\nORPHANED INSTANCES")
    print(tabulate(oi, headers=["Name", "Instance name", "Status", "IPv4"], tablefmt="psql"))
if od:
    print("\nORPHANED DOMAINS")
    print(tabulate(od, headers=["Name", "Domain", "Target"], tablefmt="psql"))
PY
run ip-table "$T/servers"
is "$rc" 0 "exit 0"
printf '%s\n' "$out" > "$T/got"
same_file "$T/got" "$T/expected" "tables are byte for byte python-tabulate's psql"
like "$out" "DNS points to 203.0.113.99" "a mismatch is visible"

run sh -c "ip-table -H < '$T/servers'"
unlike "$out" "ORPHANED" "-H hides the orphan tables"
run ip-table --hide-orphans "$T/servers"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 6 "--hide-orphans: only the main table"

run sh -c ": | ip-table"
is "$out" "+--------+-----------------+----------+----------+--------+
| Name   | Instance name   | Domain   | Status   | IPv4   |
|--------+-----------------+----------+----------+--------|
+--------+-----------------+----------+----------+--------+" "no servers: the empty grid, as tabulate prints it"

# Display width, not bytes: wide and accented characters keep the grid straight.
printf '%s\n' '{"type":"server","name":"x","instance":{"instance":"my-party-x","status":"日本語","ipv4":"1.2.3.4"},"record":{"domain":"x.my-party.example.com","target":"1.2.3.4"}}' \
	'{"type":"server","name":"y","instance":{"instance":"my-party-y","status":"héllo\u001b[31m","ipv4":"1.2.3.5"},"record":{"domain":"y.my-party.example.com","target":"1.2.3.5"}}' > "$T/wide"
run ip-table "$T/wide"
widths=$(printf '%s\n' "$out" | python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(" ".join(sorted(set(str(w(l.rstrip("\n"))) for l in sys.stdin))))')
is "$widths" "$(printf '%s\n' "$out" | head -1 | awk '{print length($0)}')" "every line has the same display width"
unlike "$out" "$(printf '\033')" "control characters from providers are not printed"

printf '%s\n' '{"type":"error","name":"bob","stage":"dns-delete","message":"HTTP 500"}' > "$T/err"
run ip-table "$T/err"
is "$rc" 1 "an error object: exit 1"
like "$err" "ip-table: bob: HTTP 500" "an error object is said on stderr"

# Summaries for the wrapper: the original tool's words.
ok_srv() { printf '{"type":"server","name":"%s","domain":"%s.my-party.example.com","provision":{"status":"ok"}}\n' "$1" "$1"; }
err_obj() { printf '{"type":"error","name":"%s","stage":"%s","message":"%s"}\n' "$1" "$2" "$3"; }
{ ok_srv a; ok_srv b; } > "$T/s1"
run ip-table -S create "$T/s1"
is "$rc:$out" "0:All servers have been created:
	- a.my-party.example.com
	- b.my-party.example.com" "create summary: all created"
{ ok_srv a; err_obj b instances-create "ERROR: No valid host was found"; ok_srv c; } > "$T/s2"
run ip-table --summary create "$T/s2"
is "$rc" 1 "create summary with a failure: exit 1"
is "$out" "2 servers over 3 have been created:
	- a.my-party.example.com
	- c.my-party.example.com
Failed (left in place for \`install-party list\`; not recreated):
	- b (instances-create): ERROR: No valid host was found" "create summary: K over N, and why the others failed"
{ err_obj a dns-create "HTTP 500"; err_obj b provision "ssh: timeout"; } > "$T/s3"
run ip-table -S create "$T/s3"
like "$out" "^All servers have failed to create." "create summary: all failed"
printf '%s\n' '{"type":"server","name":"a","domain":"a.my-party.example.com","instance":{"instance":"my-party-a"},"deleted":{"records":1,"instance":true}}' \
	'{"type":"server","name":"c","domain":"c.my-party.example.com","dry_run":true,"deleted":{"records":1}}' > "$T/d1"
run ip-table -S delete "$T/d1"
is "$rc:$out" "0:Deleted a: instance my-party-a, record a.my-party.example.com
Would delete c: record c.my-party.example.com" "delete summary: one line per server, dry-run said"
run sh -c ": | ip-table -S delete"
is "$rc:$out" "0:Nothing to delete." "delete summary of nothing: exit 0"
run ip-table -S bogus "$T/d1"
is "$rc" 2 "unknown summary mode: usage error"

done_testing
