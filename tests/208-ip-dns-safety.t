#!/bin/sh
# ip-dns against forged input and lost answers: delete looks each record up
# in the zone and deletes only a server's own A/AAAA records; create looks
# a record up after a lost answer or a 5xx before asking again; DNS names
# are case-insensitive.  All checked in the OVH simulator's state.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/ovh_env.sh"

# 1. Forged record ids: the zone's www, apex A and TXT, a member's TXT and
# MX, another namespace's record, another member's: nothing is deleted.
ovh_start party --record "alice.party:A:203.0.113.5" --record "bob.party:A:203.0.113.6"
protected=$(ovh_state '[.records[] | select(.protected)] | length')
forge() {	# forge NAME SUBDOMAIN-OF-THE-ZONE-RECORD TYPE: NAME's object, that record's id
	id=$(ovh_state ".records[] | select(.subDomain == \"$2\" and .fieldType == \"$3\") | .id" | tr -d '"')
	printf '{"type":"record","name":"%s","namespace":"party","subdomain":"%s.party","zone":"example.com","id":"%s","rtype":"A"}\n' "$1" "$1" "$id"
}
{
	forge alice www A
	forge alice "" A
	forge alice "" TXT
	forge alice txt.party TXT
	forge alice mx.party MX
	forge alice party A
	forge alice a.b.party A
	forge alice bob.other-party A
	forge alice bob.party A
	forge bob bob.partyx A
} > "$T/forged"
printf '{"type":"record","name":"alice","namespace":"party","subdomain":"alice.party\\u0000x","zone":"example.com","id":"%s"}\n' \
    "$(ovh_state '.records[] | select(.subDomain == "www") | .id' | tr -d '"')" >> "$T/forged"
n0=$(ovh_count '.method == "DELETE"')
run sh -c "ip-dns -c '$OVH_CFG' delete < '$T/forged'"
is "$(ovh_state '.violations | length')" 0 "forged ids: no untouchable record was deleted"
is "$(ovh_state '[.records[] | select(.protected)] | length')" "$protected" "forged ids: every record outside the namespace is there"
is "$(ovh_state '[.records[] | select(.subDomain == "bob.party")] | length')" 1 "forged ids: bob's record, in alice's object, is there"
is "$(ovh_count '.method == "DELETE"')" "$n0" "forged ids: no DELETE sent at all"
is "$rc" 1 "forged ids: exit 1"
is "$(printf '%s\n' "$out" | jq -r 'select(.type == "error") | .name' | sort | uniq -c | tr -s ' ' | tr '\n' ,)" \
    " 7 alice, 1 bob," "forged ids: an error object for each A record that is not the server's own"
like "$err" "alice: the zone's record with this id is another server's: nothing deleted" "forged ids: says why"
# The genuine ones still go.
run sh -c "ip-dns -c '$OVH_CFG' ls | ip-dns -c '$OVH_CFG' delete"
is "$rc:$(ovh_state '[.records[] | select(.subDomain == "alice.party" or .subDomain == "bob.party")] | length')" "0:0" \
    "the records ls gives are deleted"

# 2. Case: aaa.Party is member aaa's record: listed, joined and deleted.
ovh_start party --record "aaa.Party:A:203.0.113.9" --record "BBB.PARTY:AAAA:2001:db8::9"
run ip-dns -c "$OVH_CFG" ls
is "$(printf '%s\n' "$out" | jq -r '.name' | sort | tr '\n' ' ')" "aaa bbb " "upper-case records: listed as members aaa and bbb"
printf '%s\n' "$out" > "$T/recs"
run sh -c "ip-join -c '$OVH_CFG' '$T/recs' | ip-dns -c '$OVH_CFG' delete"
is "$rc" 0 "upper-case records: joined and deleted, exit 0"
is "$(ovh_state '[.records[] | select(.subDomain | ascii_downcase | endswith(".party"))] | map(select(.protected | not)) | length')" 0 \
    "upper-case records: gone from the zone"
is "$(ovh_state '.violations | length')" 0 "upper-case records: nothing else touched"

# 3. Lost answers and 5xx on the record POST: looked up, never doubled.
ovh_start party
create_one() {	# create_one NAME FAIL-JSON: one instance through ip-dns create
	curl -s -X POST -d "$2" "$OVH_URL/_sim/fail" > /dev/null
	ovh_instance "$1" 203.0.113.20 > "$T/in"
	run sh -c "ip-dns -c '$OVH_CFG' create < '$T/in'"
}
count() { ovh_state "[.records[] | select(.subDomain == \"$1.party\")] | length"; }
id_of() { ovh_state ".records[] | select(.subDomain == \"$1.party\") | .id" | tr -d '"'; }
posts() { ovh_count '.method == "POST" and (.path | endswith("/record"))'; }
p0=$(posts)
create_one lost1 '{"count":1,"method":"POST","path":"/record","after":true,"drop":true}'
is "$rc:$(count lost1)" "0:1" "answer lost after the record was made: exit 0, one record"
is "$(printf '%s\n' "$out" | jq -r '.record.id')" "$(id_of lost1)" "answer lost: the server object has the record that exists"
is "$(($(posts) - p0))" 1 "answer lost: not asked again"
p0=$(posts)
create_one late500 '{"count":1,"method":"POST","path":"/record","after":true,"status":500}'
is "$rc:$(count late500)" "0:1" "a 500 after the record was made: exit 0, one record"
is "$(($(posts) - p0))" 1 "a 500 after the record was made: not asked again"
p0=$(posts)
create_one early500 '{"count":2,"method":"POST","path":"/record","status":500}'
is "$rc:$(count early500)" "0:1" "two 500s before anything was made: asked again, one record"
is "$(($(posts) - p0))" 3 "two 500s: three POSTs"
p0=$(posts)
create_one dropped '{"count":1,"method":"POST","path":"/record","drop":true}'
is "$rc:$(count dropped)" "0:1" "a connection dropped before the write: asked again, one record"
p0=$(posts)
create_one always '{"count":5,"method":"POST","path":"/record","status":500}'
is "$rc:$(count always)" "1:0" "a POST that keeps failing: exit 1, no record"
is "$(($(posts) - p0))" 3 "a POST that keeps failing: three POSTs at most"
like "$out" '"type":"error","name":"always"' "a POST that keeps failing: an error object"

# 4. A fifth of all requests fail (500): no server without DNS for that,
# no record twice, none made but reported failed.
ovh_start party --error-rate 0.2 --seed 7
i=0
while [ $i -lt 30 ]; do ovh_instance "e$i" "203.0.113.$((i + 100))"; i=$((i + 1)); done > "$T/in30"
run sh -c "ip-dns -c '$OVH_CFG' create < '$T/in30'"
okn=$(printf '%s\n' "$out" | jq -r 'select(.type == "server") | .name' | sort)
failed=$(printf '%s\n' "$out" | jq -r 'select(.type == "error") | .name' | sort)
made=$(ovh_state '[.records[] | select(.subDomain | test("^e[0-9]+[.]party$")) | .subDomain | rtrimstr(".party")] | sort | .[]' | tr -d '"')
is "$(ovh_state '[.records[] | select(.subDomain | test("^e[0-9]+[.]party$")) | .subDomain] | group_by(.) | map(select(length > 1)) | length')" 0 \
    "20 % errors: no record twice"
is "$(printf '%s\n' "$okn" | grep -c .)" "$(printf '%s\n' "$made" | grep -c . )" "20 % errors: every record made is reported made"
is "$okn" "$made" "20 % errors: the same servers"
ok "$([ "$(printf '%s\n' "$failed" | grep -c .)" -le 2 ] && echo 0 || echo 1)" \
    "20 % errors: at most 2 of 30 without DNS (got $(printf '%s\n' "$failed" | grep -c .))"
done_testing
