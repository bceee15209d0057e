#!/bin/sh
# ip-instances check and create -x on Hetzner Cloud: no quotas to tell
# ("unknown"), the server type and the image looked up, the end time in a
# label (ISO 8601's basic format), ip-join --expired on it.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/hetzner_lib.sh"

hz_start --namespace party --build-delay 0.1 --rate-limit 36000
C=$T/c.yaml
hz_config "$C" party
ip-names -c "$C" -N 3 >"$T/n3"

run ip-instances -c "$C" check "$T/n3"
is "$rc" 0 "check: exit 0"
like "$err" "quota: unknown \(Hetzner Cloud's API publishes no quotas\): not checked" "the quota is unknown, and said so"
is "$(printf '%s\n' "$out" | jq -c '[.ok, .limits, .per_server, .image.id, .image.status]')" \
    '[true,null,{"cores":2,"ram":4096},"debian-12","available"]' "the server type's cores and memory, the image"
is "$(hz_count '.method!="GET"')" 0 "check sends no write"
is "$(hz_count '.path=="/v1/server_types" and .query=="name=cx22"')" 1 "GET /server_types?name=cx22"

hz_config "$T/bad.yaml" party
sed -i -e 's/server_type: cx22/server_type: cx99/' -e 's/image: debian-12/image: debian-99/' "$T/bad.yaml"
run ip-instances -c "$T/bad.yaml" check "$T/n3"
is "$rc" 1 "missing server type and image: exit 1"
like "$err" "server type cx99: no such server type \(instances.args.server_type; GET /server_types\)" "the missing server type"
like "$err" "image debian-99: no such image \(instances.args.image; GET /images\)" "the missing image"
hz_config "$T/id.yaml" party
sed -i 's/image: debian-12/image: "114690387"/' "$T/id.yaml"
run ip-instances -c "$T/id.yaml" check "$T/n3"
is "$rc:$(hz_count '.path=="/v1/images/114690387"')" "0:1" "an image by id: GET /images/ID"
sed -i 's/image: "114690387"/image: "114690388"/' "$T/id.yaml"
run ip-instances -c "$T/id.yaml" check "$T/n3"
like "$rc:$err" "image 114690388: no such image" "an unknown id: refused"

# the end time as a label: letters and digits only
before=$(date +%s)
ip-names -c "$C" late soon >"$T/e"
run ip-instances -c "$C" create -x 8h "$T/e"
is "$rc" 0 "create -x 8h"
lab=$(hz_state '.servers[] | select(.name=="party-late") | .labels["install-party-expires"]' | tr -d '"')
like "$lab" '^[0-9]{8}T[0-9]{6}Z$' "label install-party-expires in the basic format ($lab)"
exp=$(printf '%s\n' "$out" | jq -r 'select(.name=="late") | .expires')
is "$exp" "$(echo "$lab" | sed 's/^\(....\)\(..\)\(..\)T\(..\)\(..\)\(..\)Z$/\1-\2-\3T\4:\5:\6Z/')" "the instance object: the same time, extended"
d=$(( $(date -d "$exp" +%s) - before ))
[ "$d" -ge 28800 ] && [ "$d" -le 28830 ]; ok $? "8 hours from the start of the run ($d s)"
ip-names -c "$C" gone | ip-instances -c "$C" create -x 1s >/dev/null 2>&1
sleep 1.1
run ip-instances -c "$C" ls
is "$(printf '%s\n' "$out" | jq -r 'select(.expires != null) | .name' | sort | tr '\n' ' ')" "gone late soon " "ls: expires read back"
is "$(printf '%s\n' "$out" | ip-join -c "$C" --expired | jq -r .name)" "gone" "ip-join --expired: only the ended one"
if command -v valgrind >/dev/null; then
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    "$IP_PLAIN_BINDIR/ip-instances" -c "$T/bad.yaml" check "$T/n3"
	is "$rc" 1 "valgrind: the Hetzner check refusing: clean"
else
	skip "valgrind is not installed"
fi
done_testing
