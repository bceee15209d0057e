#!/bin/sh
# ip-names: random or given names, validated, with every derived field.
. "$(dirname "$0")/lib.sh"

C=$T/config.yaml
write_config "$C" my-super-event

run ip-names -c "$C" alice
is "$out" '{"type":"name","name":"alice","namespace":"my-super-event","instance":"my-super-event-alice","subdomain":"alice.my-super-event","domain":"alice.my-super-event.example.com","zone":"example.com"}' "a given name gets every derived field"

run ip-names -c "$C"
like "$out" '"name":"[a-z]{5}"' "no argument: one random 5-letter name"

ip-names -c "$C" -N 1000 > "$T/many"
is "$(wc -l < "$T/many" | tr -d ' ')" 1000 "-N 1000 gives 1000 lines"
is "$(jq -r .name "$T/many" | sort -u | wc -l | tr -d ' ')" 1000 "-N 1000: all distinct"
is "$(jq -r .name "$T/many" | grep -cvE '^[a-z]{5}$')" 0 "-N 1000: all 5 lower-case letters"
is "$(jq -r .name "$T/many" | cut -c1 | sort -u | wc -l | tr -d ' ')" 26 "-N 1000: every letter appears first somewhere"
run ip-names -c "$C" --number 3
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3 "--number works as -N"

for bad in Alice -bob bob- 'bo b' 'a.b' 'é' "$(printf 'x%.0s' $(seq 64))" ''; do
	run ip-names -c "$C" alice "$bad"
	is "$rc:$out" "2:" "bad name '$bad': exit 2 and nothing emitted"
done
like "$err" "name 2: not a DNS label: empty name" "the bad name's position is said"
run ip-names -c "$C" "$(printf 'x%.0s' $(seq 63))"
is "$rc" 0 "a 63-character name is fine"
run ip-names -c "$C" alice alice
is "$rc:$out" "2:" "a name given twice: refused"
run ip-names -c "$C" -N 2 alice
is "$rc" 2 "-N with names: usage error"
run ip-names -c "$C" -N 0
is "$rc" 2 "-N 0: usage error"
run ip-names -c "$C" -N x
like "$err" "-N: expected a number" "-N x: says what is expected"

write_config "$C" ns
sed -i "s/^  zone: .*/  zone: $(printf 'a%.0s' $(seq 62)).$(printf 'b%.0s' $(seq 62)).$(printf 'c%.0s' $(seq 62)).com/" "$C"
run ip-names -c "$C" "$(printf 'x%.0s' $(seq 63))"
like "$err" "longer than 253" "a domain over 253 characters is refused"

# --existing: names in use are never made and refused when given.
write_config "$C"
python3 -c '
import itertools, json, string
for t in itertools.islice(itertools.product(string.ascii_lowercase, repeat=5), 0, 3000):
    print(json.dumps({"type": "server", "name": "".join(t)}))' > "$T/used"
run ip-names -c "$C" -x "$T/used" -N 500
jq -r .name "$T/used" > "$T/used-names"
is "$(printf '%s\n' "$out" | jq -r .name | grep -cFxf "$T/used-names")" 0 "random names avoid the 3000 in use"
run ip-names -c "$C" --existing "$T/used" zzzzz aaaab
is "$rc:$out" "2:" "a given name in use: nothing emitted"
like "$err" "aaaab: already exists in namespace my-super-event" "and said why"
printf '[1]\n' > "$T/badx"
run ip-names -c "$C" -x "$T/badx" alice
is "$rc" 2 "a bad --existing file: exit 2"

done_testing
