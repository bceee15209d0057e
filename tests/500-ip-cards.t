#!/bin/sh
# ip-cards: the cards' contents, host keys from ip-provision's known_hosts,
# escaping, and what headless Chromium makes of the HTML: a screenshot, a
# PDF whose text has every domain and password, QR codes that decode.
. "$(dirname "$0")/lib.sh"

C=$T/c.yaml
write_config "$C"
sed -i 's/^  password: superevent2019/  password: "a long and random host secret, 2026"\n  passwords: per-server/' "$C"
NS=my-super-event
server() {	# server NAME ADDR [STATE]
	printf '{"type":"server","name":"%s","namespace":"%s","domain":"%s.%s.example.com","state":"%s","instance":{"type":"instance","ipv4":"%s"},"record":{"target":"%s"}}\n' \
	    "$1" "$NS" "$1" "$NS" "${3:-complete}" "$2" "$2"
}
fp() { ssh-keygen -lf "$1" | awk '{print $2}'; }

# known_hosts as ip-provision writes it, and as OpenSSH may rewrite it
for k in a b c d; do ssh-keygen -q -t ed25519 -N '' -f "$T/hk$k" -C "$k"; done
ssh-keygen -q -t ecdsa -N '' -f "$T/hkd-ecdsa" -C d
key() { cut -d' ' -f1,2 "$1"; }
{
	echo "# a comment"
	echo "garbage"
	echo "127.0.0.1 $(key "$T/hka.pub") install-party"
	echo "[127.0.0.2]:2222 $(key "$T/hkb.pub") install-party"
	echo "127.0.0.2 ssh-ed25519 AAAA-not-base64"
	echo "127.0.0.4 $(key "$T/hkd-ecdsa.pub")"
	echo "127.0.0.4 $(key "$T/hkd.pub")"
	echo "@revoked 127.0.0.5 $(key "$T/hka.pub")"
} >"$T/kh"
echo "127.0.0.3 $(key "$T/hkc.pub")" >"$T/kh-hashed"
ssh-keygen -q -H -f "$T/kh-hashed" >/dev/null 2>&1
rm -f "$T/kh-hashed.old"
grep -q '^|1|' "$T/kh-hashed" && cat "$T/kh-hashed" >>"$T/kh"

{
	server alice 127.0.0.1
	server bob 127.0.0.2
	server carol 127.0.0.3
	server dave 127.0.0.4
	server erin 127.0.0.5
	server gone 127.0.0.6 orphan-instance
	echo '{"type":"error","name":"zed","stage":"dns-create","message":"m"}'
	for n in frank grace heidi ivan; do server "$n" 192.0.2.9; done
} >"$T/s.json"

run ip-cards -c "$C" --known-hosts "$T/kh" --json "$T/s.json"
is "$rc" 0 "--json: exit 0"
printf '%s\n' "$out" >"$T/j"
hk() { jq -r "select(.name==\"$1\") | .host_key" "$T/j"; }
is "$(hk alice)" "$(fp "$T/hka.pub")" "the host key recorded for the address, as ssh-keygen -l shows it"
is "$(hk bob)" null "a key recorded for another port is not this one's"
is "$(hk carol)" "$(fp "$T/hkc.pub")" "a hashed known_hosts name is found"
is "$(hk dave)" "$(fp "$T/hkd.pub")" "of several, the ED25519 key, as ip-provision prefers"
is "$(jq -r 'select(.name=="dave") | .host_key_type' "$T/j")" ssh-ed25519 "with its type"
is "$(hk erin)" null "a @revoked line is no record"
is "$(jq -r 'select(.name=="gone") | has("password")' "$T/j")" false "an orphan is passed on without a password"
is "$(jq -r 'select(.type=="error") | .name' "$T/j")" zed "other objects are passed on"
is "$(jq -r 'select(.password != null) | .name' "$T/j" | tr '\n' ' ')" "alice bob carol dave erin frank grace heidi ivan " "a password for each card's server"
run ip-cards -c "$C" --known-hosts "$T/kh" --ssh-port 2222 --json "$T/s.json"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="bob") | .host_key')" "$(fp "$T/hkb.pub")" "--ssh-port: the key recorded for [addr]:port"

# the HTML
run ip-cards -c "$C" --known-hosts "$T/kh" "$T/s.json"
is "$rc" 0 "HTML: exit 0"
printf '%s\n' "$out" >"$T/cards.html"
is "$(grep -c '<div class="card">' "$T/cards.html")" 9 "a card per server with an instance and a record"
is "$(grep -c '<section class="page">' "$T/cards.html")" 2 "8 to a page: 9 cards, 2 pages"
unlike "$out" "gone\\.$NS" "no card for an orphan"
like "$err" "gone: orphan-instance: no card" "and it says so"
like "$out" "ssh superevent@alice\\.$NS\\.example\\.com" "the login line"
like "$out" "$(fp "$T/hka.pub" | sed 's/+/\\+/g')" "alice's host key fingerprint"
like "$out" "not recorded yet: ask the host before the first login" "a server with no recorded key says so"
like "$out" "listen on 127\\.0\\.0\\.1:8008" "the homeserver port note"
like "$out" "<svg class=\"qr\"" "a QR code, as inline SVG"
like "$out" "@page\\{size:A4" "A4 by default"
unlike "$out" "<script|<link|<img|<iframe|@import|url\\(|src=" "self-contained: no script, link, image, import or URL to fetch"
is "$(sed 's/<wbr>//g' "$T/cards.html" | grep -o 'https\?://[^"<]*' | grep -v '^https://[a-z]*\.my-super-event\.example\.com/$' | sort -u)" \
    "http://www.w3.org/2000/svg" "the only URLs: the Element URLs and the SVG namespace"
run ip-cards -c "$C" --known-hosts "$T/kh" --ssh-port 2222 --paper letter "$T/s.json"
like "$out" "@page\\{size:letter" "--paper letter"
like "$out" "ssh -p 2222 superevent@bob" "--ssh-port: the login line says -p"

# hostile input: escaped, never markup
HOSTILE='x"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;'\'
python3 - "$HOSTILE" >"$T/hostile.json" <<'PY'
import json, sys
h = sys.argv[1]
print(json.dumps({"type": "server", "name": h, "domain": h + ".my-super-event.example.com",
    "state": "complete", "instance": {"ipv4": "127.0.0.1 " + h}}))
PY
run ip-cards -c "$C" --known-hosts "$T/kh" "$T/hostile.json"
is "$rc" 0 "hostile name and domain: a card"
unlike "$out" "<script|<img|onerror=alert\\(2\\)>" "no markup comes through"
python3 - "$HOSTILE" "$T/.out" <<'PY'
import html.parser, sys
want, path = sys.argv[1], sys.argv[2]
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.cls = None; s.domains = []; s.tags = set()
    def handle_starttag(s, tag, attrs):
        s.tags.add(tag); s.cls = dict(attrs).get("class")
    def handle_endtag(s, tag):
        s.cls = None
    def handle_data(s, d):
        if s.cls == "domain": s.domains.append(d)
p = P(); p.feed(open(path).read())
ok = p.domains == [want + ".my-super-event.example.com"] and not ({"script", "img"} & p.tags)
sys.exit(0 if ok else 1)
PY
ok $? "the domain reads back exactly as text, and no script or img element exists"

# empty input
run ip-cards -c "$C" --known-hosts "$T/kh" /dev/null
is "$rc" 1 "no server: exit 1"
like "$err" "no server to make a card for" "and says so"

# what a browser makes of it: headless Chromium
CHROME=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROME" ] || ! command -v pdftotext >/dev/null || ! command -v zbarimg >/dev/null; then
	skip "chromium, poppler-utils or zbar-tools is not installed"
	done_testing
	exit
fi
sandbox=""
[ "$(id -u)" = 0 ] && sandbox=--no-sandbox
chrome() { timeout 120 "$CHROME" --headless $sandbox --disable-gpu --no-first-run --hide-scrollbars \
    --user-data-dir="$T/chromium" "$@" >>"$T/chromium.log" 2>&1; }
chrome --force-device-scale-factor=2 --window-size=900,1300 --screenshot="$T/cards.png" "file://$T/cards.html"
is "$(head -c 8 "$T/cards.png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n' "Chromium: a PNG screenshot of the cards"
# IP_KEEP_CARDS=DIR keeps the screenshot and the HTML, to look at the layout.
[ -n "${IP_KEEP_CARDS:-}" ] && cp "$T/cards.png" "$T/cards.html" "$IP_KEEP_CARDS/"
zbarimg -q --raw "$T/cards.png" 2>/dev/null | sort >"$T/qr-screen"
is "$(wc -l <"$T/qr-screen" | tr -d ' ')" 8 "the screenshot's first page: 8 QR codes decode"
is "$(head -1 "$T/qr-screen")" "https://alice.$NS.example.com/" "back to the Element URL"

chrome --no-pdf-header-footer --print-to-pdf="$T/cards.pdf" "file://$T/cards.html"
pdfinfo "$T/cards.pdf" >"$T/pdfinfo" 2>&1
like "$(cat "$T/pdfinfo")" "Pages: +2" "Chromium: a PDF of 2 pages"
like "$(cat "$T/pdfinfo")" "Page size: +59[45](\\.[0-9]+)? x 84[12](\\.[0-9]+)? pts \\(A4\\)" "on A4 paper"
pdftotext "$T/cards.pdf" "$T/cards.txt"
missing=""
for n in alice bob carol dave erin frank grace heidi ivan; do
	grep -qF "$n.$NS.example.com" "$T/cards.txt" || missing="$missing $n"
	grep -qF "$(jq -r "select(.name==\"$n\") | .password" "$T/j")" "$T/cards.txt" || missing="$missing $n-password"
done
is "$missing" "" "pdftotext: every domain and every password is in the PDF"
pdftoppm -r 200 -png "$T/cards.pdf" "$T/page"
zbarimg -q --raw "$T"/page-*.png 2>/dev/null | sort >"$T/qr-pdf"
is "$(tr '\n' ' ' <"$T/qr-pdf")" "$(for n in alice bob carol dave erin frank grace heidi ivan; do printf 'https://%s.%s.example.com/ ' "$n" "$NS"; done)" \
    "every card's QR code in the PDF decodes to its Element URL"

ip-cards -c "$C" --known-hosts "$T/kh" --paper letter "$T/s.json" >"$T/letter.html" 2>/dev/null
chrome --no-pdf-header-footer --print-to-pdf="$T/letter.pdf" "file://$T/letter.html"
like "$(pdfinfo "$T/letter.pdf" 2>&1)" "Page size: +61[12](\\.[0-9]+)? x 79[12](\\.[0-9]+)? pts \\(letter\\)" "--paper letter: a Letter PDF"
like "$(pdfinfo "$T/letter.pdf" 2>&1)" "Pages: +2" "with 8 cards a page too"

if command -v valgrind >/dev/null; then
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    "$IP_PLAIN_BINDIR/ip-cards" -c "$C" --known-hosts "$T/kh" "$T/s.json" "$T/hostile.json"
	is "$rc" 0 "valgrind: ip-cards is clean"
fi

done_testing
