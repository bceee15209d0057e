#!/bin/sh
# ip-join: servers by name, states, exact namespace membership, selection.
. "$(dirname "$0")/lib.sh"

C=$T/config.yaml
write_config "$C" my-party
inst() { printf '{"type":"instance","name":"%s","namespace":"my-party","instance":"%s","id":"%s","status":"ACTIVE","ipv4":%s}\n' "$1" "$2" "$3" "$4"; }
rec() { printf '{"type":"record","name":"%s","subdomain":"%s","domain":"%s.example.com","id":"%s","rtype":"%s","target":"%s"}\n' "$1" "$2" "$2" "$3" "$4" "$5"; }
{
	inst alice my-party-alice i1 '"203.0.113.1"'
	inst bob my-party-bob i2 '"203.0.113.2"'
	inst db-x my-party-db-x i3 '"203.0.113.3"'
	inst ghost my-party-ghost i4 null
	printf '{"type":"error","name":"zed","stage":"instances-create","message":"quota"}\n'
} > "$T/instances"
{
	rec carol carol.my-party 900719925474099312 A 198.51.100.3
	rec alice alice.my-party 900719925474099311 A 203.0.113.1
	rec alice alice.my-party 900719925474099315 AAAA 2001:db8::1
	rec bob bob.my-party 900719925474099313 A 203.0.113.99
	rec db-x db-x.my-party 900719925474099314 A 203.0.113.3
} > "$T/records"
states() { printf '%s\n' "$1" | jq -r 'select(.type=="server") | "\(.name)=\(.state)"' | tr '\n' ' '; }

run ip-join -c "$C" "$T/instances" "$T/records"
is "$rc" 1 "an error object in the input: exit 1"
is "$(states "$out")" "alice=mismatch bob=mismatch carol=orphan-record db-x=complete ghost=orphan-instance " \
    "states, sorted by name (AAAA without instance IPv6 is a mismatch)"
like "$(printf '%s\n' "$out" | head -1)" '"type":"error","name":"zed"' "errors pass through first"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="alice") | .record.id')" 900719925474099311 "the record shown is the A record; big ids stay exact"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="alice") | .records | length')" 2 "all records of a name are kept"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="carol") | .domain')" carol.my-party.example.com "orphan record has its domain"

grep -v error "$T/instances" > "$T/inst-ok"
run sh -c "cat '$T/records' | ip-join -c '$C' '$T/inst-ok' -"
is "$rc" 0 "no errors: exit 0"
is "$(states "$out")" "alice=mismatch bob=mismatch carol=orphan-record db-x=complete ghost=orphan-instance " "any order, files and stdin"

# Other namespaces never join, whatever the stream says.
{
	inst x my-party-x i5 null | sed 's/"instance":"my-party-x"/"instance":"other-my-party-x"/'
	inst y my-partyx-y i6 null
	printf '{"type":"instance","name":"z","namespace":"party","instance":"party-z"}\n'
	rec w w.my-party.other 1 A 1.2.3.4
	rec a a.b.my-party 2 A 1.2.3.4
} > "$T/foreign"
run ip-join -c "$C" "$T/foreign"
is "$(states "$out")" "" "foreign instances and records are dropped"
is "$rc" 1 "foreign objects: exit 1"
is "$(printf '%s\n' "$err" | grep -c ignored)" 5 "each foreign object is reported"

# Selection for deletion.
cat "$T/inst-ok" "$T/records" > "$T/all"
run ip-join -c "$C" --all "$T/all"
is "$(states "$out" | wc -w | tr -d ' ')" 5 "--all selects everything"
run ip-join -c "$C" -a -e bob --exclude carol "$T/all"
is "$(states "$out")" "alice=mismatch db-x=complete ghost=orphan-instance " "--all --exclude"
run ip-join -c "$C" -s bob --server db-x "$T/all"
is "$(states "$out")" "bob=mismatch db-x=complete " "--server, repeated"
run ip-join -c "$C" -s bob -s nobody "$T/all"
is "$rc:$out" "1:" "an unknown --server selects nothing at all"
like "$err" "nobody: no such server in namespace my-party" "and names the unknown server"
run ip-join -c "$C" -a -e nobody "$T/all"
like "$err" "nobody: excluded, but there is no such server" "an unknown --exclude is a warning"
is "$(states "$out" | wc -w | tr -d ' ')" 5 "and does not stop the selection"
run ip-join -c "$C" -a -s bob "$T/all"
is "$rc" 2 "--all with --server: usage error"
run ip-join -c "$C" -e bob "$T/all"
is "$rc" 2 "--exclude without --all: usage error"
run ip-join -c "$C" -s 'Bad!' "$T/all"
is "$rc" 2 "a bad --server name: usage error"

# Dashed namespace: db-x is a name of my-party; my-party-db is no namespace of ours.
write_config "$C" my-party-db
run ip-join -c "$C" "$T/all"
is "$(states "$out")" "" "namespace my-party-db sees none of my-party's servers"

# A NUL inside a name is not the name: "my-party-abc\u0000x" is no member.
{
	printf '{"type":"instance","name":"abc","namespace":"my-party","instance":"my-party-abc\\u0000x","id":"n1","ipv4":"203.0.113.9"}\n'
	printf '{"type":"instance","name":"abc\\u0000x","namespace":"my-party","instance":"my-party-abc","id":"n2","ipv4":"203.0.113.9"}\n'
	printf '{"type":"instance","name":"abc","namespace":"my-party\\u0000x","instance":"my-party-abc","id":"n3","ipv4":"203.0.113.9"}\n'
	printf '{"type":"record","name":"abc","subdomain":"abc.my-party\\u0000x","id":"1","rtype":"A","target":"203.0.113.9"}\n'
	printf '{"type":"instance","name":"abc","namespace":"my-party","id":"n4","ipv4":"203.0.113.9"}\n'
} > "$T/nul"
write_config "$C" my-party
run ip-join -c "$C" "$T/nul"
is "$out" "" "a NUL inside a name, an instance name, a namespace or a subdomain: no member"
is "$rc" 1 "and each is reported (exit 1)"
is "$(printf '%s\n' "$err" | grep -c ignored)" 5 "one message each (a missing instance name too)"

done_testing
