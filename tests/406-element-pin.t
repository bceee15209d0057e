#!/bin/sh
# The web client's tarball: its SHA-256 made on our side (no signature check
# needed on the servers), and what happens when it cannot be fetched.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

os_start --build-delay 0.1
bg python3 "$TOP/tests/sim/web_sim.py" --port-file "$T/web.port" --addresses 127.0.100.1 --log "$T/web.log"
i=0; while ! [ -s "$T/web.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
W=http://127.0.100.1:$(cat "$T/web.port")
C=$T/c.yaml
conf() {	# conf VERSION URL-LINE
	os_config "$C" pin /v3
	sed -i "s|^  riot_version: .*|  riot_version: $1|" "$C"
	[ -n "$2" ] && sed -i "s|^  riot_version: .*|&\n  element_url: $2|" "$C"
	:
}
ud() { curl -s "$OS_URL/_sim/servers" | jq -r --arg n "pin-$1" '.servers[] | select(.name==$n) | .user_data'; }

conf v1.4.2 "$W/riot-{version}.tar.gz"
run sh -c "ip-names -c '$C' a | ip-instances -c '$C' create -u '$TOP/share/setup.sh.in'"
is "$rc" 0 "create with a mirror URL: exit 0"
want=$(printf 'stand-in tarball /riot-v1.4.2.tar.gz\n' | sha256sum | cut -d' ' -f1)
like "$(ud a)" "^ELEMENT_SHA256='$want'$" "the SHA-256 of the fetched release is pinned"
like "$(ud a)" "^ELEMENT_URL='http://127.0.100.1:[0-9]+/riot-v1.4.2.tar.gz'$" "{version} in element_url is the version"
is "$(grep -c 'riot-v1.4.2' "$T/web.log")" 1 "fetched once"

# Riot (signed by a key that expired in 2021): no fetch, no creation.
conf v1.4.2 "$W/missing/riot-{version}.tar.gz"
run sh -c "ip-names -c '$C' b | ip-instances -c '$C' create -u '$TOP/share/setup.sh.in'"
is "$rc" 2 "an old Riot that cannot be fetched: exit 2"
like "$err" "signing key expired in 2021: set general.element_sha256" "and says what to do"
is "$(ud b)" "" "and nothing is created"

# Element: the servers can check the signature themselves.
conf v1.11.85 "$W/missing/element-{version}.tar.gz"
run sh -c "ip-names -c '$C' c | ip-instances -c '$C' create -u '$TOP/share/setup.sh.in'"
is "$rc" 0 "a recent Element that cannot be fetched: created anyway"
like "$err" "each server checks its signature instead" "with a warning"
like "$(ud c)" "^ELEMENT_SHA256=''$" "and no pinned SHA-256"

# A SHA-256 in the config wins: nothing is fetched.
conf v1.4.2 "$W/riot-{version}.tar.gz"
sed -i "s|^  riot_version: .*|&\n  element_sha256: $(printf 'ab%.0s' $(seq 32))|" "$C"
: > "$T/web.log"
run sh -c "ip-names -c '$C' d | ip-instances -c '$C' create -u '$TOP/share/setup.sh.in'"
is "$rc:$(wc -l < "$T/web.log" | tr -d ' ')" "0:0" "general.element_sha256 set: nothing fetched"
like "$(ud d)" "^ELEMENT_SHA256='$(printf 'ab%.0s' $(seq 32))'$" "the configured SHA-256 is used"

conf v1.11.85 "http://example.com/element.tar.gz"
run ip-names -c "$C" x
is "$rc" 2 "element_url over plain http to another host: refused"
like "$err" "general.element_url: http:// is only allowed for loopback" "with the reason"
done_testing
