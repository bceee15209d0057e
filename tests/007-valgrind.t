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
# ip-check: its threads and the runner, every check failing fast (nothing
# listens on the loopback port), other objects and a server without address.
port=$(free_port)
{
	printf '{"type":"server","name":"a","domain":"a.my-super-event.example.com","state":"complete","instance":{"ipv4":"127.0.0.1"},"record":{"target":"127.0.0.1"}}\n'
	printf '{"type":"server","name":"b","state":"orphan-record","instance":null,"record":null}\nnot json\n'
	printf '{"type":"error","name":"c","stage":"x","message":"m"}\n'
} > "$T/check.in"
run vg "$P/ip-check" --known-hosts "$T/none" --timeout 2 --nameserver "127.0.0.1:$port" \
	--ssh-port "$port" --web-port "$port" "$T/check.in"
is "$rc" 1 "ip-check, every check failing: clean, exit 1"
printf '%s\n' "$out" > "$T/checked"
is "$(jq -r 'select(.type == "server") | "\(.name) \(.check.stage)"' "$T/checked" | sort | tr '\n' ' ')" \
	"a none b none " "ip-check: both servers written, stage none"
run vg "$P/ip-table" --status "$T/checked"
is "$rc" 1 "ip-table --status: clean"
run vg "$P/ip-names" -c "$C" -x "$T/servers" -N 5
is "$rc" 0 "ip-names --existing: clean"
write_config "$C"; sed -i 's/^  user: .*/  user: [x/' "$C"
run vg "$P/ip-names" -c "$C"
is "$rc" 2 "a YAML error: clean, exit 2"
write_config "$C"; sed -i 's/^  zone: .*/  zone: Bad/' "$C"
run vg "$P/ip-join" -c "$C" "$T/in"
is "$rc" 2 "a config error: clean, exit 2"
done_testing
