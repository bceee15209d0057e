#!/bin/sh
# ip-instances check (quota, image, flavor, names, certificate budget),
# create -x (the end time in the metadata), ip-join --expired, ip-table -x.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

os_start --quota 20 --quota-cores 14 --quota-ram 40960
C=$T/c.yaml
os_config "$C" party /v3
writes() { os_count '.service=="compute" and .method!="GET"'; }
seed() {	# seed NAME AGE-SECONDS [METADATA-JSON]
	curl -s -o /dev/null -X POST -d "{\"name\":\"$1\",\"created_ago\":$2,\"metadata\":${3:-{\}}}" \
	    "$OS_URL/_sim/seed"
}
# RegionOne holds 10 servers (1 vCPU, 2048 MB each) before the tests.
ip-names -c "$C" -N 30 >"$T/n30"
ip-names -c "$C" -N 3 >"$T/n3"

run ip-instances -c "$C" check "$T/n30"
is "$rc" 1 "30 servers over the quota: exit 1"
like "$err" "ip-instances: the project has room for 10 more instances \(quota 20, used 10\); asked for 30$" \
    "the refusal names the numbers"
like "$err" "room for 4 more cores \(quota 14, used 10\); 30 servers of flavor d2-2 need 30 \(1 each\)" \
    "cores: named with the flavor's vCPUs"
like "$err" "room for 20480 MB more of RAM \(quota 40960, used 20480\); 30 servers of flavor d2-2 need 61440 MB \(2048 MB each\)" \
    "RAM: named with the flavor's RAM"
is "$(printf '%s\n' "$out" | jq -c '[.type, .ok, .asked, .limits.instances, .per_server]')" \
    '["check",false,30,{"max":20,"used":10},{"cores":1,"ram":2048}]' "the check object says the same"
is "$(writes)" 0 "check sends no write"
is "$(os_count '.path|endswith("/limits")')" 1 "GET /limits once"

run ip-instances -c "$C" check "$T/n3"
is "$rc:$(printf '%s\n' "$out" | jq -c '[.ok, .problems]')" '0:[true,[]]' "3 servers fit: exit 0"
like "$err" "quota: room for 10 more instances \(quota 20, used 10\); room for 4 more cores" "what fits is said"
ip-names -c "$C" -N 5 >"$T/n5"
run ip-instances -c "$C" check "$T/n5"
is "$rc" 1 "5 servers: cores are short though instances are not"
unlike "$err" "more instances \(quota 20, used 10\); asked" "only the short resource is refused"

# unlimited (-1) passes: the simulator's defaults are -1 as nova's
os_knobs '{"quota": null, "quota_cores": null, "quota_ram": null}'
run ip-instances -c "$C" check "$T/n30"
is "$rc" 0 "-1 (unlimited) quotas pass"
is "$(printf '%s\n' "$out" | jq -c '.limits.instances')" '{"max":-1,"used":10}' "nova's -1 kept as it is"
like "$err" "quota: instances unlimited; cores unlimited; ram unlimited" "unlimited said"

# a bigger flavor, at a microversion where the image proxy is gone
os_knobs '{"quota_cores": 30}'
os_config "$T/mv.yaml" party /v3
sed -i -e 's/flavor_id: d2-2/flavor_id: b2-7/' -e 's/api_version: 2$/api_version: "2.37"/' "$T/mv.yaml"
: >"$OS_LOG"
run ip-instances -c "$T/mv.yaml" check "$T/n30"
like "$err" "room for 20 more cores \(quota 30, used 10\); 30 servers of flavor b2-7 need 60 \(2 each\)" \
    "flavor b2-7: 2 vCPUs each"
is "$(printf '%s\n' "$out" | jq -r '.image.name')" "Debian 12" "the image is found at 2.37 too (asked at 2.1)"
is "$(jq -rs '[.[] | select(.path|contains("/images/")) | .status] | join(",")' "$OS_LOG")" 200 "the image proxy call: 200"
os_knobs '{"quota_cores": null}'

# image and flavor missing
os_config "$T/bad.yaml" party /v3
sed -i -e 's/flavor_id: d2-2/flavor_id: d2-999/' -e "s/image_id: $OS_IMAGE/image_id: 00000000-1111-2222-3333-444444444444/" "$T/bad.yaml"
run ip-instances -c "$T/bad.yaml" check "$T/n3"
is "$rc" 1 "missing image and flavor: exit 1"
like "$err" "image 00000000-1111-2222-3333-444444444444: no such image \(instances.args.image_id; nova GET /images: HTTP 404\)" \
    "the missing image named with its setting"
like "$err" "flavor d2-999: no such flavor \(instances.args.flavor_id; nova GET /flavors: HTTP 404\)" \
    "the missing flavor named with its setting"
os_knobs '{"image_status": "SAVING"}'
run ip-instances -c "$C" check "$T/n3"
is "$rc" 1 "an image not ACTIVE: exit 1"
like "$err" "image $OS_IMAGE: status SAVING, not ACTIVE" "an image not ACTIVE is refused"
os_knobs '{"image_status": "ACTIVE"}'

# names: one already used
printf '%s\n' "$(ip-names -c "$C" alpha)" >"$T/alpha"
run ip-instances -c "$C" check "$T/alpha"
is "$rc" 1 "a name in use: exit 1"
like "$err" "alpha: instance party-alpha already exists" "a name in use is refused"

# the certificate budget: 4 of the namespace's servers are a day old;
# two made 3 and 6 days ago count, one of 8 days does not
seed party-c3 259200 '{"install-party":"party"}'
seed party-c6 518400 '{"install-party":"party"}'
seed party-c8 691200 '{"install-party":"party"}'
ip-names -c "$C" -N 44 >"$T/n44"
ip-names -c "$C" -N 45 >"$T/n45"
run ip-instances -c "$C" check "$T/n44"
is "$rc:$(printf '%s\n' "$out" | jq -c '.certificates')" '0:{"budget":50,"recent":6,"after":50}' "6 recent + 44 = 50: fits"
run ip-instances -c "$C" check "$T/n45"
is "$rc" 1 "6 recent + 45 = 51: refused"
like "$err" "certificates: 6 server\(s\) of the namespace were made in the last 7 days, 45 more make 51, over the budget of 50" \
    "the budget's numbers"
like "$err" "general.acme_ca: letsencrypt-staging for a rehearsal, another zone, another CA, or --force" "the ways out"
run ip-instances -c "$C" check -f "$T/n45"
is "$rc:$(printf '%s\n' "$out" | jq -c '[.ok, (.warnings|length)]')" '0:[true,1]' "--force: a warning, exit 0"
like "$err" "over the budget of 50 .*going on \(--force\)" "--force: still said"
sed 's/^  connectivity_check_timeout: 300/&\n  certificate_budget: 10/' "$C" >"$T/b10.yaml"
chmod 600 "$T/b10.yaml"
run ip-instances -c "$T/b10.yaml" check "$T/n5"
is "$rc" 1 "general.certificate_budget: 10"
like "$err" "6 server\(s\) .* 5 more make 11, over the budget of 10" "general.certificate_budget: the numbers"
sed 's/^  connectivity_check_timeout: 300/&\n  acme_ca: letsencrypt-staging/' "$C" >"$T/stg.yaml"
chmod 600 "$T/stg.yaml"
run ip-instances -c "$T/stg.yaml" check "$T/n45"
is "$rc" 0 "letsencrypt-staging: no weekly budget"
like "$err" "general.acme_ca is letsencrypt-staging: no weekly budget to check" "and says so"
is "$(writes)" 0 "still no write after every check"

# create -x: the end time in the metadata; ls shows it
before=$(date +%s)
ip-names -c "$C" e1 e2 >"$T/e"
run ip-instances -c "$C" create -x 8h "$T/e"
is "$rc" 0 "create -x 8h"
exp=$(os_servers | jq -r '.servers[] | select(.name=="party-e1") | .metadata["install-party-expires"]')
like "$exp" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "metadata install-party-expires is ISO 8601 UTC"
d=$(( $(date -d "$exp" +%s) - before ))
[ "$d" -ge 28800 ] && [ "$d" -le 28830 ]; ok $? "8 hours from the start of the run ($d s)"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="e2") | .expires')" "$exp" "the instance object carries it"
sed 's/^  connectivity_check_timeout: 300/&\n  lifetime: 3d/' "$C" >"$T/lt.yaml"
chmod 600 "$T/lt.yaml"
ip-names -c "$C" e3 | ip-instances -c "$T/lt.yaml" create >/dev/null 2>&1
exp3=$(os_servers | jq -r '.servers[] | select(.name=="party-e3") | .metadata["install-party-expires"]')
d=$(( $(date -d "$exp3" +%s) - before ))
[ "$d" -ge 259200 ] && [ "$d" -le 259260 ]; ok $? "general.lifetime: 3d ($d s)"
ip-names -c "$C" e4 | ip-instances -c "$T/lt.yaml" create -x 1s >/dev/null 2>&1
is "$(os_servers | jq -r '.servers[] | select(.name=="party-e4") | .metadata | keys | join(",")')" \
    "install-party,install-party-expires" "-x wins over general.lifetime"
run ip-instances -c "$C" check -x 2h "$T/n3"
d=$(( $(date -d "$(printf '%s\n' "$out" | jq -r .expires)" +%s) - before ))
[ "$d" -ge 7200 ] && [ "$d" -le 7260 ]; ok $? "check -x 2h: the end time in the check object ($d s)"
run ip-instances -c "$C" create -x 3x "$T/e"
like "$rc:$err" "^2:ip-instances: -x: not a duration" "-x 3x: a usage error"
sed 's/^  connectivity_check_timeout: 300/&\n  lifetime: soon/' "$C" >"$T/bad-lt.yaml"
chmod 600 "$T/bad-lt.yaml"
run ip-instances -c "$T/bad-lt.yaml" ls
is "$rc" 2 "a bad general.lifetime: exit 2"
like "$err" "bad-lt.yaml:5:13: general.lifetime: expected a duration such as 8h or 3d" "a bad general.lifetime names file:line:col"

# ip-join --expired: exactly the servers whose end time has passed
seed party-old1 7200 '{"install-party":"party","install-party-expires":"2020-01-01T00:00:00Z"}'
seed party-old2 7200 '{"install-party":"party","install-party-expires":"2026-01-01T10:00:00+01:00"}'
seed party-bogus 7200 '{"install-party":"party","install-party-expires":"yesterday"}'
seed party-x-old 7200 '{"install-party":"party-x","install-party-expires":"2020-01-01T00:00:00Z"}'
seed other-old 7200 '{"install-party":"other","install-party-expires":"2020-01-01T00:00:00Z"}'
sleep 1.2	# e4 ends after 1 s
ip-instances -c "$C" ls >"$T/inst"
printf '%s\n' '{"type":"record","name":"old1","subdomain":"old1.party","domain":"old1.party.example.com","zone":"example.com","id":"1","rtype":"A","target":"198.51.100.9"}' \
    '{"type":"record","name":"lonely","subdomain":"lonely.party","domain":"lonely.party.example.com","zone":"example.com","id":"2","rtype":"A","target":"198.51.100.8"}' >"$T/recs"
run ip-join -c "$C" --expired "$T/inst" "$T/recs"
is "$(printf '%s\n' "$out" | jq -r '.name' | sort | tr '\n' ' ')" "e4 old1 old2 " "--expired: e4, old1, old2; not e1-e3 (future), bogus, records alone, other namespaces"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="old1") | .record.id')" 1 "an expired server's record comes with it"
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="old2") | .instance.expires')" "2026-01-01T09:00:00Z" "end times are read in UTC"
run ip-join -c "$C" --expired -a "$T/inst"
is "$rc" 2 "--expired with --all: a usage error"

# ip-table: the original table without -x; an Expires column with it
ip-join -c "$C" "$T/inst" >"$T/servers"
run ip-table -H "$T/servers"
unlike "$out" "Expires" "no Expires column by default"
run ip-table -x "$T/servers"
like "$out" "^\| Name +\| Instance name +\| Status +\| IPv4 +\| Expires +\|$" "-x: an Expires column (orphaned instances)"
like "$out" "^\| e1 +\| party-e1 +\| ACTIVE +\| [0-9.]+ +\| $exp \|$" "-x: e1's end time"

# the plain build under valgrind: the check (a refusal), --expired, -x, -S check
if command -v valgrind >/dev/null; then
	vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@"; }
	os_knobs '{"quota": 12}'
	run vg "$IP_PLAIN_BINDIR/ip-instances" -c "$C" check "$T/n5"
	is "$rc" 1 "valgrind: ip-instances check refusing: clean"
	printf '%s\n' "$out" >"$T/check"
	run vg "$IP_PLAIN_BINDIR/ip-table" -S check "$T/check"
	is "$rc:$(printf '%s\n' "$out" | head -1)" "1:The check failed; nothing would be created:" "valgrind: ip-table -S check: clean"
	run vg "$IP_PLAIN_BINDIR/ip-join" -c "$C" --expired "$T/inst" "$T/recs"
	is "$rc" 0 "valgrind: ip-join --expired: clean"
	run vg "$IP_PLAIN_BINDIR/ip-table" -x "$T/servers"
	is "$rc" 0 "valgrind: ip-table -x: clean"
else
	skip "valgrind is not installed"
fi
done_testing
