#!/bin/sh
# The plain build under valgrind: no invalid access, no leak, on odd input too.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || skip_all "valgrind is not installed"

C=$T/config.yaml
write_config "$C"
vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@"; }
P=$IP_PLAIN_BINDIR
{
	printf '{"type":"instance","name":"a","instance":"my-super-event-a","ipv4":"1.2.3.4","status":"ACTIVE"}\n\n'
	printf '{"type":"record","name":"a","subdomain":"a.my-super-event","rtype":"A","target":"1.2.3.4"}\r\n'
	printf '{"type":"record","name":"b","subdomain":"b.my-super-event","rtype":"A","target":"1.2.3.5"}\n'
	printf '[1]\n{"bad\n\377\n{"type":"error","name":"c","stage":"x","message":"m"}\n{"type":"instance"'
} > "$T/in"

run vg "$P/ip-names" -c "$C" -N 20
is "$rc" 0 "ip-names -N: clean"
run vg "$P/ip-names" -c "$C" alice Bad
is "$rc" 2 "ip-names with a bad name: clean, exit 2"
run vg "$P/ip-join" -c "$C" "$T/in"
is "$rc" 1 "ip-join on odd input: clean, exit 1"
"$P/ip-join" -c "$C" "$T/in" > "$T/servers" 2>/dev/null
run vg "$P/ip-join" -c "$C" -s nobody "$T/in"
is "$rc" 1 "ip-join unknown server: clean"
run vg "$P/ip-table" "$T/servers"
is "$rc" 1 "ip-table: clean"
run vg "$P/ip-table" -S create "$T/servers"
is "$rc" 1 "ip-table --summary create: clean"
run vg "$P/ip-table" -S delete "$T/servers"
is "$rc" 1 "ip-table --summary delete: clean"
run vg "$P/ip-table" --progress "$T/in" "$T/servers"
is "$rc" 1 "ip-table --progress on odd input: clean"
run vg "$P/ip-names" -c "$C" -x "$T/servers" -N 5
is "$rc" 0 "ip-names --existing: clean"
write_config "$C"; sed -i 's/^  user: .*/  user: [x/' "$C"
run vg "$P/ip-names" -c "$C"
is "$rc" 2 "a YAML error: clean, exit 2"
write_config "$C"; sed -i 's/^  zone: .*/  zone: Bad/' "$C"
run vg "$P/ip-join" -c "$C" "$T/in"
is "$rc" 2 "a config error: clean, exit 2"
done_testing
