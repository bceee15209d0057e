#!/bin/sh
# NDJSON input: every bad line is named by file and line, the rest goes on.
. "$(dirname "$0")/lib.sh"

C=$T/config.yaml
write_config "$C"
inst() { printf '{"type":"instance","name":"%s","instance":"my-super-event-%s","status":"ACTIVE","ipv4":"203.0.113.%s"}' "$1" "$1" "$2"; }
names() { printf '%s\n' "$1" | jq -r 'select(.type=="server") | .name' | tr '\n' ' '; }

{ inst a 1; echo; echo; printf '   \n'; inst b 2; echo; } > "$T/blank"
run ip-join -c "$C" "$T/blank"
is "$rc" 0 "blank lines: exit 0"
is "$(names "$out")" "a b " "blank lines are skipped"

{ inst a 1; printf '\r\n'; inst b 2; printf '\r\n'; } > "$T/crlf"
run ip-join -c "$C" "$T/crlf"
is "$(names "$out")" "a b " "CRLF line ends are accepted"

{ inst a 1; echo; printf '{"type":"instance","name":"b\377"}\n'; inst c 3; echo; } > "$T/utf8"
run ip-join -c "$C" "$T/utf8"
is "$rc" 1 "invalid UTF-8: exit 1"
like "$err" "utf8:2: invalid UTF-8" "invalid UTF-8: file and line"
is "$(names "$out")" "a c " "invalid UTF-8: other lines still read"

{ echo '[1,2]'; echo '"str"'; echo '42'; echo 'null'; inst a 1; echo; } > "$T/kinds"
run ip-join -c "$C" "$T/kinds"
is "$(printf '%s\n' "$err" | grep -c 'not a JSON object')" 4 "arrays and scalars are refused, each"
like "$err" "kinds:3: not a JSON object" "their line is named"
is "$(names "$out")" "a " "objects around them still read"

{ printf '{"type":"x","password":"hunter2-pw"'; echo; inst a 1; echo; } > "$T/bad"
run ip-join -c "$C" "$T/bad"
like "$err" "bad:1: invalid JSON$" "invalid JSON: file and line"
unlike "$err" "hunter2" "invalid JSON: the line is not echoed"
is "$(names "$out")" "a " "invalid JSON: following lines still read (no chunk lost)"

{ inst a 1; inst b 2; echo; } > "$T/two"
run ip-join -c "$C" "$T/two"
like "$err" "two:1: more than one JSON value" "two values on one line are refused"

{ inst a 1; echo; inst b 2; } > "$T/nonl"
run ip-join -c "$C" "$T/nonl"
is "$(names "$out")" "a b " "a complete last line without newline is read"
{ inst a 1; echo; printf '{"type":"instance","na'; } > "$T/trunc"
run ip-join -c "$C" "$T/trunc"
is "$rc" 1 "truncated last line: exit 1"
like "$err" "trunc:2: invalid JSON" "truncated last line: reported"

python3 -c '
import json
print(json.dumps({"type":"instance","name":"big","instance":"my-super-event-big","ipv4":"203.0.113.1","pad":"x"*1000000}))
print(json.dumps({"type":"instance","name":"huge","instance":"my-super-event-huge","pad":"x"*2100000}))
print(json.dumps({"type":"instance","name":"after","instance":"my-super-event-after"}))' > "$T/long"
run ip-join -c "$C" "$T/long"
like "$err" "long:2: line too long" "a 2 MB line is refused with its line number"
is "$(names "$out")" "after big " "a 1 MB line is read, and the line after a refused one too"
is "$rc" 1 "a refused long line: exit 1 (from a file)"
run sh -c "cat '$T/long' | ip-join -c '$C'"
is "$rc" 1 "a refused long line: exit 1 (from a pipe too)"
is "$(names "$out")" "after big " "a refused long line from a pipe: the others are read"

: > "$T/empty"
run ip-join -c "$C" "$T/empty"
is "$rc:$out:$err" "0::" "empty input: nothing, exit 0"

inst a 1 > "$T/f1"; echo >> "$T/f1"
run sh -c "printf '%s\n' '{\"type\":\"instance\",\"name\":\"b\",\"instance\":\"my-super-event-b\"}' | ip-join -c '$C' '$T/f1' -"
is "$(names "$out")" "a b " "files and - (stdin) together"
run sh -c "printf '[1]\n' | ip-join -c '$C'"
like "$err" "<stdin>:1: not a JSON object" "stdin is named <stdin>"
run ip-join -c "$C" "$T/nope"
is "$rc" 2 "missing input file: exit 2"
like "$err" "nope: No such file" "missing input file: named"

# Output: one compact object per line, streamed.
run sh -c "ip-names -c '$C' -N 50 | jq -c . | wc -l"
is "$out" 50 "ip-names output is one JSON object per line"

# libjq 1.6 leaks the string of [1"b"] (a value, then a string without a
# comma): the ASan build must still end cleanly, exit 1 (tests/lsan.supp).
printf '{"a":[1"b"]}\n{"type":"x","s":["p""q"]}\n{"type":"x"}\n' > "$T/jqleak"
run ip-join -c "$C" "$T/jqleak"
is "$rc" 1 "invalid JSON that libjq 1.6 leaks on: exit 1, no leak report"
like "$err" "jqleak:2: invalid JSON" "and the line is reported"

done_testing
