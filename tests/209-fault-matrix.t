#!/bin/sh
# The fault matrix: every fault knob of both simulators, through the real
# tools (ip-names | ip-instances create | ip-dns create, then ls, ip-join,
# ip-dns delete | ip-instances delete), each checked in the simulators'
# state: no server or record twice, none made that the stream does not
# report, nothing outside the namespace touched, exit codes as documented
# (0 all done, 1 some item failed with an error object, 2 could not start).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"
. "$TOP/tests/sim/ovh_env.sh"

os_start --build-delay 0.2 --fail-pattern '^fm-k[0-9]+e$'
ovh_start fm
C=$T/fm.yaml
os_config "$C" fm /v3
sed -i '/^dns:/,$d' "$C"
{
	echo "dns:"
	echo "  zone: example.com"
	echo "  provider: ovh"
	echo "  args:"
	echo "    endpoint: $OVH_URL/1.0"
	echo "    application_key: sim-ak"
	echo "    application_secret: sim-as"
	echo "    consumer_key: sim-ck"
} >> "$C"
printf '#!/bin/sh\necho first boot\n' > "$T/ud.sh"
others() { os_servers | jq '[.servers[] | select(.name | startswith("fm-") | not)] | length'; }
others0=$(others)
decoys0=$(ovh_state '[.records[] | select(.protected)] | length')
OS0='{"error_rate":0,"error_first":0,"throttle_rate":0,"throttle_first":0,"retry_after":1,"drop_rate":0,"drop_first":0,"slow_rate":0,"lose_create_first":0,"quota":null,"token_uses":0}'
OVH0='{"error_rate":0,"drop_rate":0,"lose_rate":0,"latency_ms":0,"rate_limit":0,"id_zero":0}'
calm() {
	os_knobs "$OS0"
	curl -s -o /dev/null -X POST "$OS_URL/_sim/reset-counters"
	curl -s -o /dev/null -X POST -d "$OVH0" "$OVH_URL/_sim/knobs"
}
set_knobs() {	# set_knobs OS-KNOBS OVH-KNOBS [OVH-FAIL]
	calm
	[ -z "$1" ] || os_knobs "$1"
	[ -z "$2" ] || curl -s -o /dev/null -X POST -d "$2" "$OVH_URL/_sim/knobs"
	[ -z "${3:-}" ] || curl -s -o /dev/null -X POST -d "$3" "$OVH_URL/_sim/fail"
}
ours() {	# "NAME STATUS" of the cloud's servers of this round
	os_servers | jq -r --arg p "fm-$k" '.servers[] | select(.name | startswith($p)) |
	    select(."OS-EXT-STS:task_state" != "deleting") | "\(.name) \(.status)"' | sort
}
recs() {	# "SUBDOMAIN TYPE" of the zone's records of this round
	curl -s "$OVH_URL/_sim/state" | jq -r --arg p "$k" '.records[] |
	    select(.subDomain | ascii_downcase | startswith($p)) | "\(.subDomain) \(.fieldType)"' | sort
}
errs() { jq -r "select(.type == \"error\" and .stage == \"$2\") | .name" "$1" | sort; }
count() { grep -c . || :; }
has() { [ "$(jq -s --arg v "$2" "[.[] | select($3)] | length" "$1")" -gt 0 ]; }	# has FILE VALUE FILTER

# knob LABEL OS-KNOBS OVH-KNOBS [OVH-FAIL]: one round of five servers (the
# fifth ends in ERROR when the round is "an ERROR server")
n=0
knob() {
	label=$1
	shift
	n=$((n + 1)) k=k$n
	if [ "$label" = quota ]; then
		q=$(os_servers | jq '[.servers[] | select(.region == "RegionOne")] | length')
		set -- "{\"quota\":$((q + 2))}" ""
	fi
	e=${k}x
	[ "$label" = "an ERROR server" ] && e=${k}e
	ip-names -c "$C" "${k}a" "${k}b" "${k}c" "${k}d" "$e" > "$T/names"
	set_knobs "$@"
	ip-instances -c "$C" -j 5 -u "$T/ud.sh" create < "$T/names" > "$T/inst" 2> "$T/inst.err"
	rci=$?
	ip-dns -c "$C" create < "$T/inst" > "$T/dns" 2> "$T/dns.err"
	rcd=$?
	calm
	cloud=$(ours) zone=$(recs)
	is "$(printf '%s\n' "$cloud" | awk 'NF { print $1 }' | uniq -d)$(printf '%s\n' "$zone" | uniq -d)" "" \
	    "$label: no server and no record twice"
	lost=""
	# every server the cloud has is in the stream: made, or failed with why
	for s in $(printf '%s\n' "$cloud" | awk 'NF { print $1 }'); do
		has "$T/inst" "$s" '.instance == $v or ("fm-" + .name) == $v' || lost="$lost $s"
	done
	# every record the zone has is a server's that ip-dns reports made
	for r in $(printf '%s\n' "$zone" | awk 'NF { print tolower($1) }' | sed 's/\.fm$//'); do
		has "$T/dns" "$r" '.type == "server" and .name == $v' || lost="$lost record:$r"
	done
	# and an ACTIVE server is never reported failed by ip-instances
	for s in $(errs "$T/inst" instances-create); do
		printf '%s\n' "$cloud" | grep -q "^fm-$s ACTIVE$" && lost="$lost active:$s"
	done
	is "$lost" "" "$label: nothing made that the stream does not report as made"
	ei=$(errs "$T/inst" instances-create | count)
	ed=$(errs "$T/dns" dns-create | count)
	is "$rci:$rcd" "$([ "$ei" -gt 0 ] && echo 1 || echo 0):$([ "$ed" -gt 0 ] && echo 1 || echo 0)" \
	    "$label: exit codes ($ei instance and $ed DNS failures)"
	[ -z "${IP_FAULT_VERBOSE:-}" ] || diag "$label: $(cat "$T/inst.err" "$T/dns.err" | head -3)"

	# delete every server of the namespace under the same faults
	set_knobs "$@"
	ip-instances -c "$C" ls > "$T/ls.i" 2> /dev/null
	rli=$?
	ip-dns -c "$C" ls > "$T/ls.d" 2> /dev/null
	rld=$?
	if [ "$rli" = 0 ] && [ "$rld" = 0 ]; then
		ip-join -c "$C" -a "$T/ls.i" "$T/ls.d" 2> /dev/null |
		    { ip-dns -c "$C" delete 2> /dev/null; echo $? > "$T/rc.dd"; } |
		    ip-instances -c "$C" delete > "$T/del" 2> /dev/null
		rdi=$?
		rdd=$(cat "$T/rc.dd")
		bad=$(jq -r 'select(.type == "error") | .stage' "$T/del" | sort -u | tr '\n' ' ')
		if [ "$rdd:$rdi" = 0:0 ]; then
			is "$bad" "" "$label: delete: exit 0, no error object"
		elif [ "$rdd:$rdi:$bad" = "2:0:" ]; then
			# the zone listing failed for good (every retry a 500): ip-dns
			# could not start, so it passed nothing on and nothing was deleted
			pass "$label: delete: the zone could not be listed: exit 2, nothing deleted"
		else
			like "$rdd:$rdi:$bad" "^[012]:[01]:.*delete" "$label: delete: exit 1 (2: the zone could not be listed), with error objects"
		fi
	else
		like "$rli:$rld" "^[02]:[02]$" "$label: a listing that fails: exit 2, nothing deleted"
	fi
	calm
	is "$(others):$(ovh_state '.violations | length'):$(ovh_state '[.records[] | select(.protected)] | length')" \
	    "$others0:0:$decoys0" "$label: nothing outside the namespace touched"
	# a delete without faults finishes the job
	ip-instances -c "$C" ls > "$T/ls.i" 2> /dev/null
	ip-dns -c "$C" ls > "$T/ls.d" 2> /dev/null
	ip-join -c "$C" -a "$T/ls.i" "$T/ls.d" 2> /dev/null |
	    ip-dns -c "$C" delete 2> /dev/null | ip-instances -c "$C" --wait delete > /dev/null 2>&1
	is "$(ours | count):$(recs | count)" "0:0" "$label: then nothing of the round is left"
}

knob "no fault" "" ""
knob "nova 500s" '{"error_rate":0.3}' ""
knob "nova 429 + Retry-After" '{"throttle_first":3,"retry_after":1}' ""
knob "nova drops before the write" '{"drop_first":3}' ""
knob "nova loses create answers" '{"lose_create_first":2}' ""
knob "nova slow answers" '{"slow_rate":0.5,"slow":0.3}' ""
knob "an ERROR server" "" ""
knob quota
knob "token expiry" '{"token_uses":3}' ""
knob "OVH 500s" "" '{"error_rate":0.2}'
knob "OVH 429 + Retry-After" "" "" '{"count":3,"status":429,"retry_after":"1"}'
knob "OVH drops before the write" "" '{"drop_rate":0.2}'
knob "OVH loses answers after the write" "" '{"lose_rate":0.2}'
knob "OVH late 500 on POST" "" "" '{"count":2,"method":"POST","path":"/record","after":true,"status":500}'
knob "OVH slow" "" '{"latency_ms":150}'
knob "OVH id 0" "" '{"id_zero":3}'
knob "OVH rate limit" "" '{"rate_limit":6}'
done_testing
