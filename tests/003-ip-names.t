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

done_testing
