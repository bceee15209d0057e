#!/bin/sh
# The simulator's --loopback-servers demo knob: each new server's public IPv4
# is its own loopback address, so later stages can reach "the server".
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/openstack_lib.sh"

os_start --loopback-servers --build-delay 0.1
C=$T/c.yaml
os_config "$C" party /v3
run sh -c "ip-names -c '$C' a b c | ip-instances -c '$C' -j 3 create"
is "$rc" 0 "create three: exit 0"
is "$(printf '%s\n' "$out" | jq -r .ipv4 | sort -u | grep -c '^127\.0\.100\.[0-9]*$')" 3 "three distinct 127.0.100.N addresses"
like "$(printf '%s\n' "$out" | jq -r .ipv6 | head -1)" '^fd00:100::' "an IPv6 address too"
run ip-instances -c "$C" ls
is "$(printf '%s\n' "$out" | jq -r 'select(.name=="a" or .name=="b" or .name=="c") | .ipv4' | grep -c '^127\.0\.100\.')" 3 "ls shows the same addresses"

done_testing
