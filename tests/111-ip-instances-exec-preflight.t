#!/bin/sh
# ip-instances check and create -x with an external provider (ip-provider(7),
# tests/sim/ip-instances-fakecloud): the optional preflight operation's
# numbers, "unknown" without it, the end time in the create request and
# back from ls.
. "$(dirname "$0")/lib.sh"
D=$T/fake
mkdir -p "$D/instances"
printf 'tok-1234\n' >"$D/token"
cat >"$T/c.yaml" <<EOF
general:
  namespace: party
  riot_version: v1.4.2
  connectivity_check_timeout: 300
instances:
  user: superevent
  password: superevent2019
  provider: exec
  args:
    command: $TOP/tests/sim/ip-instances-fakecloud
    dir: $D
    token: tok-1234
dns:
  zone: example.com
  provider: ovh
  args:
    endpoint: ovh-eu
EOF
chmod 600 "$T/c.yaml"
C=$T/c.yaml
ip-names -c "$C" -N 4 >"$T/n4"

run ip-instances -c "$C" check "$T/n4"
is "$rc" 0 "no preflight operation: the check passes"
like "$err" "quota: unknown \([a-z-]+ answers no preflight: .*unknown operation preflight\): not checked" \
    "and the quota is unknown, said with the provider's words"

printf '%s\n' '{"type":"preflight","limits":{"instances":{"max":5,"used":2},"cores":{"max":-1,"used":0}},"per_server":{"cores":2,"ram":1024},"flavor":{"name":"small"},"problems":["image foo: not found"]}' >"$D/preflight"
run ip-instances -c "$C" check "$T/n4"
is "$rc" 1 "preflight: refused"
like "$err" "the project has room for 3 more instances \(quota 5, used 2\); asked for 4" "the provider's numbers, our sums"
like "$err" "ip-instances: image foo: not found" "the provider's problems"
like "$err" "cores unlimited; ram unknown" "unlimited and unknown pass"

before=$(date +%s)
ip-names -c "$C" ex1 | ip-instances -c "$C" create -x 3h >/dev/null 2>&1
run ip-instances -c "$C" ls
exp=$(printf '%s\n' "$out" | jq -r 'select(.name=="ex1") | .expires')
d=$(( $(date -d "$exp" +%s) - before ))
[ "$d" -ge 10800 ] && [ "$d" -le 10830 ]; ok $? "create -x 3h: the end time went to the provider and came back ($d s)"
done_testing
