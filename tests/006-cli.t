#!/bin/sh
# Every tool: --help (stdout, exit 0), --version, bad option (exit 2), man page.
. "$(dirname "$0")/lib.sh"

for bin in "$IP_BINDIR"/ip-*; do
	t=$(basename "$bin")
	run "$t" --help
	is "$rc" 0 "$t --help: exit 0"
	like "$out" "^usage: $t " "$t --help: usage on stdout"
	help=$out
	run "$t" -h
	like "$out" "^usage: $t " "$t -h: usage"
	run "$t" --version
	like "$out" "^$t [0-9]+\.[0-9]+" "$t --version"
	run "$t" --no-such-option
	is "$rc" 2 "$t: unknown option: exit 2"
	like "$err" "usage: $t" "$t: unknown option: usage on stderr"
	ok "$([ -f "$TOP/man/$t.1" ]; echo $?)" "$t has a man page"
	if [ -f "$TOP/man/$t.1" ]; then
		# every long option in --help is documented in the man page
		# options are where help defines them: "[--x", "| --x", "  --x", "-x, --x"
		for o in $(printf '%s\n' "$help" | grep -oE -- '(^ +|\[|\| |, )--[a-z][a-z0-9-]+' |
		    grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
			grep -qE -- "(Fl |, )-${o#--}( |\$)" "$TOP/man/$t.1" ||
			    fail "$t: $o in the man page"
		done
	fi
done
done_testing
