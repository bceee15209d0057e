#!/bin/sh
# Config loading: every README field validated, errors located, secrets kept quiet.
. "$(dirname "$0")/lib.sh"

C=$T/config.yaml
write_config "$C"

# config_error DESC REGEX: ip-names on $C must fail with exit 2 and REGEX on stderr.
config_error() {
	run ip-names -c "$C"
	is "$rc" 2 "$1: exit 2"
	like "$err" "$2" "$1: message"
	is "$out" "" "$1: nothing on stdout"
}
edit() { write_config "$C"; sed -i "$1" "$C"; }

run ip-names -c "$C"
is "$rc" 0 "the README's shape loads"
is "$err" "" "no warnings for a clean file"

edit 's/^  namespace: .*/  namespace: My_Event/'
config_error "namespace not a label" "config.yaml:2:14: general.namespace: not a DNS label"
edit '/^  namespace:/d'
config_error "missing namespace" "config.yaml:2:3: general: missing key 'namespace'"
edit 's/^  namespace: .*/&\n  element_sha256: abc/'
config_error "element_sha256 not 64 hex digits: the config fails, not each server" \
    "config.yaml:3:19: general.element_sha256: expected 64 hexadecimal digits"
edit 's/^  connectivity_check_timeout: .*/  connectivity_check_timeout: soon/'
config_error "timeout not a number" "config.yaml:4:31: general.connectivity_check_timeout: expected an integer"
edit 's/^  connectivity_check_timeout: .*/  connectivity_check_timeout: 0/'
config_error "timeout zero" "general.connectivity_check_timeout: must be between 1 and"
edit 's/^  connectivity_check_timeout: .*/  connectivity_check_timeout: "300"/'
config_error "timeout quoted" "general.connectivity_check_timeout: expected an integer"
edit '/^  connectivity_check_timeout:/d'
config_error "missing timeout" "general: missing key 'connectivity_check_timeout'"
edit 's/^  riot_version: .*/  riot_version: [1, 2]/'
config_error "riot_version a list" "config.yaml:3:17: general.riot_version: expected a string, found a list"
edit 's/^  riot_version: .*/  riot_version: "v1.4; rm -rf \/"/'
config_error "riot_version not a version" "general.riot_version: expected a version"
edit 's/^  user: .*/  user: Bad User/'
config_error "bad user" "config.yaml:6:9: instances.user: not a valid user name"
edit 's/^  user: .*/  user: root/'
config_error "root user" "instances.user: must not be root"
edit 's/^  password: .*/  password: ""/'
config_error "empty password" "config.yaml:7:13: instances.password: must not be empty"
edit '/^  password:/d'
config_error "missing password" "instances: missing key 'password'"
edit 's/^  provider: openstack/  provider: aws/'
config_error "unknown instances provider" "config.yaml:8:13: instances.provider: unknown provider \\(known: openstack, hetzner, exec, or an executable ip-instances-NAME on PATH\\)"
edit 's/^  provider: ovh/  provider: route53/'
config_error "unknown dns provider" "dns.provider: unknown provider \\(known: ovh, hetzner, rfc2136, exec, or an executable ip-dns-NAME on PATH\\)"
edit 's/^    api_version: 2/    - api_version/'
config_error "args not a mapping" "config.yaml:10:5: instances.args: expected a mapping, found a list"
edit '/^  args:/,+1d'
config_error "missing args" "instances: missing key 'args'"
edit 's/^  zone: .*/  zone: Example..com/'
config_error "bad zone" "config.yaml:12:9: dns.zone: not a DNS zone name"
edit 's/^dns:/dns: 5\nxdns:/'
config_error "dns not a mapping" "dns: expected a mapping, found a value"
edit '/^dns:/,$d'
config_error "missing dns section" "config.yaml:1:1: \\(top level\\): missing key 'dns'"
edit 's/^  user: superevent/  user: superevent\n  user: again/'
config_error "duplicate key" "config.yaml:7:3: instances.user: duplicate key"
edit 's/^  zone: .*/  zone: *anchor/'
config_error "alias" "aliases are not supported"
edit 's/^  zone: .*/  zone: [unclosed/'
config_error "YAML syntax" "config.yaml:[0-9]+:[0-9]+: invalid YAML"
printf -- '- just\n- a list\n' > "$C"
config_error "not a mapping" "config.yaml:1:1: expected a mapping"
: > "$C"
config_error "empty file" "config.yaml: the file is empty"
write_config "$C"; printf -- '---\nfoo: 1\n' >> "$C"
config_error "two documents" "more than one YAML document"
python3 -c 'print("a:" + " [" * 40 + "]" * 40)' > "$C"
config_error "deep nesting" "nested too deeply"

# Unknown keys are warned about (typos), with their place.
edit 's/^  namespace: my-super-event/  namespace: my-super-event\n  namepsace: typo/'
run ip-names -c "$C"
is "$rc" 0 "unknown key: still runs"
like "$err" "config.yaml:3:3: general.namepsace: unknown key" "unknown key: warned with its place"

# The file holds secrets: warn when others can read it, as ssh does.
write_config "$C"; chmod 644 "$C"
run ip-names -c "$C"
like "$err" "readable by group or others" "world-readable file: warned"
chmod 600 "$C"

# Where the file comes from: -c, then $INSTALL_PARTY_CONFIG, then ./config.yaml.
write_config "$T/env.yaml" env-ns
run env INSTALL_PARTY_CONFIG="$T/env.yaml" ip-names alice
like "$out" '"namespace":"env-ns"' "INSTALL_PARTY_CONFIG is used"
mkdir "$T/cwd"; write_config "$T/cwd/config.yaml" cwd-ns
run sh -c "cd '$T/cwd' && ip-names alice"
like "$out" '"namespace":"cwd-ns"' "./config.yaml is the default"
run env INSTALL_PARTY_CONFIG="$T/env.yaml" ip-names -c "$C" alice
like "$out" '"namespace":"my-super-event"' "-c wins over the environment"
mkdir "$T/empty"; run sh -c "cd '$T/empty' && ip-names alice"
is "$rc" 2 "no config: exit 2"
like "$err" "config.yaml: No such file or directory" "no config: says which file"
run ip-names -c "$T"
like "$err" "is a directory" "a directory is refused"

# Passwords and API secrets never appear in messages.
write_config "$C"
sed -i 's/^    endpoint: ovh-eu/    endpoint: ovh-eu\n    application_secret: S3cr3tValue\n    bogus: [S3cr3tValue/' "$C"
run ip-names -c "$C"
unlike "$err" "S3cr3tValue" "secrets are not echoed in YAML errors"
sed -i 's/^  password: .*/  password: hunter2-pw/; s/^  user: .*/  user: "Hunter2 hunter2-pw"/' "$C"
run ip-names -c "$C"
unlike "$err" "hunter2-pw" "the password is not echoed"

# Size: a configuration is small; a big file is refused, not parsed.
write_config "$C"
python3 -c 'import sys; sys.stdout.write("# padding\n" * 110000)' >> "$C"
run ip-names -c "$C" alice
is "$rc" 2 "a file over 1 MiB: exit 2"
like "$err" "config.yaml: larger than 1 MiB" "a file over 1 MiB: says so"
run sh -c "cat '$C' | ip-names -c /dev/stdin alice"
like "$rc:$err" "^2:.*/dev/stdin: larger than 1 MiB" "over 1 MiB from a pipe: refused too"
# Marks are kept where messages can point, not per node: a file of 1 MiB
# of small nodes loads in bounded memory (the plain build: no ASan shadow).
write_config "$C"
python3 -c '
import sys
out = ["  junk:"]
n = 0
while sum(map(len, out)) < 900000:
    out.append("    k%d: {a: [1, 2, {b: c}]}" % n); n += 1
sys.stdout.write("\n".join(out) + "\n")' > "$T/junk"
sed -i "/^  connectivity_check_timeout/r $T/junk" "$C"
run /usr/bin/time -f 'maxrss=%M' "$IP_PLAIN_BINDIR/ip-names" -c "$C" alice
rss=$(printf '%s\n' "$err" | sed -n 's/^maxrss=//p')
is "$rc" 0 "1 MiB of nodes: loads"
ok "$([ "${rss:-999999}" -lt 100000 ] && echo 0 || echo 1)" "1 MiB of nodes: under 100 MB (got ${rss:-?} KB)"
like "$err" "config.yaml:5:3: general.junk: unknown key" "1 MiB of nodes: the unknown key is still located"

# Escape sequences in keys, file names or values never reach the terminal raw.
write_config "$C"
printf '  "\\e]0;owned\\a\\e[2J": 1\n' >> "$T/esc"
sed -i "/^  connectivity_check_timeout/r $T/esc" "$C"
run ip-names -c "$C" alice
like "$err" "unknown key" "a key with escapes: warned about"
is "$(printf '%s' "$err" | tr -d '\n' | LC_ALL=C tr -d '\040-\176' | od -An -c | tr -d ' ')" "" "a key with escapes: no control byte on stderr"
esc=$(printf '\033[31mred\302\233x')
run ip-names -c "$T/$esc.yaml" alice
like "$err" "\\?\\[31mred\\?x.yaml: No such file" "a file name with ESC and a C1 CSI: shown as ?"

done_testing
