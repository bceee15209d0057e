#!/bin/sh
# install-party cards against the simulators: after create, a card per
# server with the host key ip-provision recorded; shared and per-server
# passwords; --json, -s, --pdf (and without Chromium); never a password
# in a -v log.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"

party_start party-c
SSHPORT=$(printf '%s\n' "$INSTALL_PARTY_PROVISION_ARGS" | sed -n 's/.*--ssh-port \([0-9]*\).*/\1/p')
HOSTFP=$(ssh-keygen -lf "$T/party-host.pub" | awk '{print $2}')

run install-party create -N 2
is "$rc" 0 "create -N 2 (shared password)"
names=$(install-party list --json | jq -r 'select(.state=="complete") | .name' | sort)
set -- $names
A=$1 B=$2

run install-party cards --ssh-port "$SSHPORT"
is "$rc" 0 "cards: exit 0"
printf '%s\n' "$out" >"$T/shared.html"
is "$(grep -c '<div class="card">' "$T/shared.html")" 2 "a card per server"
like "$out" "$A\\.party-c\\.example\\.com" "with the first server's domain"
is "$(grep -o 'SHA256:[A-Za-z0-9+/]*' "$T/shared.html" | sort -u)" "$HOSTFP" "the host key ip-provision recorded at create"
like "$out" "the one given by the host" "shared mode: the card refers to the host"
unlike "$out$err" "party-password-2026" "and the shared password is printed nowhere"
run install-party cards
like "$out" "not recorded yet" "without --ssh-port, the key recorded for port 22 is looked for (none)"

run install-party cards --json --ssh-port "$SSHPORT"
is "$(printf '%s\n' "$out" | jq -r 'select(.state=="complete") | "\(.password) \(.host_key)"' | sort -u)" "null $HOSTFP" \
    "--json: server objects, password null in shared mode, the host key"

# per-server passwords: the same servers, every card its own password
sed -i 's/^  password: party-password-2026$/  password: "the party secret, long and random enough"\n  passwords: per-server/' "$T/party.yaml"
run install-party -v cards --json -s "$A"
is "$rc" 0 "cards --json -s NAME: exit 0"
is "$(printf '%s\n' "$out" | jq -r .name)" "$A" "only that server"
PA=$(printf '%s\n' "$out" | jq -r .password)
like "$PA" '^[2-9a-km-np-z]{4}-[2-9a-km-np-z]{4}-[2-9a-km-np-z]{4}$' "its derived password"
unlike "$err" "$PA|party secret" "-v: neither the password nor the secret in the messages"
PB=$(install-party cards --json -s "$B" 2>/dev/null | jq -r .password)
[ -n "$PB" ] && [ "$PB" != "$PA" ]; ok $? "another server, another password"

run install-party -v create -n carol
is "$rc" 0 "create with per-server passwords"
PC=$(install-party cards --json -s carol 2>/dev/null | jq -r .password)
unlike "$err" "$PC|party secret" "create -v: carol's password is in no message"
hash=$(curl -s "$PARTY_OS_URL/_sim/servers" | jq -r '.servers[] | select(.name=="party-c-carol") | .user_data' |
    sed -n "s/^PWHASH='\\(.*\\)'\$/\\1/p")
python3 -W ignore -c 'import crypt,sys; sys.exit(crypt.crypt(sys.argv[1], sys.argv[2]) != sys.argv[2])' "$PC" "$hash"
ok $? "carol's user data holds the hash of the password on carol's card"

run install-party cards -s nobody
is "$rc" 1 "cards -s with an unknown name: exit 1"
like "$err" "nobody: no such server" "and says so"

# --pdf
if command -v chromium >/dev/null && command -v pdftotext >/dev/null; then
	run install-party -v cards --pdf "$T/cards.pdf" --paper letter --ssh-port "$SSHPORT"
	is "$rc" 0 "cards --pdf: exit 0"
	like "$err" "cards written to $T/cards.pdf" "and says where"
	unlike "$err" "$PA|$PC|party secret" "-v --pdf: no password in the messages"
	is "$(stat -c %a "$T/cards.pdf")" 600 "the PDF is readable by its owner only"
	like "$(pdfinfo "$T/cards.pdf")" "Page size: +612(\\.[0-9]+)? x 792(\\.[0-9]+)? pts \\(letter\\)" "on Letter paper"
	txt=$(pdftotext "$T/cards.pdf" -)
	missing=""
	for x in "$A.party-c.example.com" "$B.party-c.example.com" carol.party-c.example.com "$PA" "$PB" "$PC" "$HOSTFP"; do
		printf '%s\n' "$txt" | grep -qF -- "$x" || missing="$missing $x"
	done
	is "$missing" "" "the PDF has every domain, password and the host key"
else
	skip "chromium or poppler-utils is not installed"
fi
n=$(wc -l <"$PARTY_OS_LOG")
run env INSTALL_PARTY_CHROMIUM=/nonexistent/chromium install-party cards --pdf "$T/none.pdf"
is "$rc" 2 "--pdf without Chromium: exit 2"
like "$err" "--pdf needs headless Chromium, which is not installed" "says so clearly"
like "$err" "apt-get install chromium" "and how to get it"
[ ! -e "$T/none.pdf" ] && [ "$(wc -l <"$PARTY_OS_LOG")" = "$n" ]; ok $? "before anything is listed or written"
run install-party cards --pdf "$T/x.pdf" --json
is "$rc" 2 "--pdf and --json together: a usage error"
run install-party cards --paper a5
is "$rc" 2 "--paper a5: a usage error"
run install-party cards -h
is "$rc" 0 "cards -h: exit 0"
like "$out" "usage: install-party cards" "its usage"

done_testing
