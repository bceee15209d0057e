#!/bin/sh
# One set of rules: every value the configuration and the renderer accept,
# the setup script's check step accepts, and every value they refuse, it
# refuses too.  Each value goes through ip-provision --render (from the
# config file) and, set by hand into a rendered script, through the
# script's check step alone (INSTALL_PARTY_TEST_CHECK_ONLY).
. "$(dirname "$0")/lib.sh"

TMPL=$TOP/share/setup.sh.in
conf() {	# conf FILE KEY VALUE: a config with general.KEY (or instances.user)
	{
		printf 'general:\n  namespace: ev\n  riot_version: v1.11.2\n'
		printf '  connectivity_check_timeout: 30\n  element_sha256: %064d\n' 0
		[ "$2" = user ] || printf '  %s: %s\n' "$2" "$3"
		[ "$2" = acme_ca ] && printf '  acme_email: a@example.com\n'
		printf 'instances:\n  user: %s\n  password: pw\n' "$([ "$2" = user ] && echo "$3" || echo alice)"
		printf '  provider: openstack\n  args: {}\n'
		printf 'dns:\n  zone: example.com\n  provider: ovh\n  args: {}\n'
	} >"$1"
	chmod 600 "$1"
}
item='{"type":"server","name":"bob","domain":"bob.ev.example.com"}'
conf "$T/base.yaml" homeserver_port 8008
echo "$item" | ip-provision -c "$T/base.yaml" --render "$TMPL" >"$T/base.sh" || { fail "a base script"; done_testing; exit 1; }

# check KEY VAR VALUE...: the renderer's verdict and the script's agree.
# shellcheck disable=SC2016
check() {
	key=$1 var=$2
	shift 2
	for v; do
		if [ "$key" = homeserver_port ]; then conf "$T/c.yaml" "$key" "$v"; else conf "$T/c.yaml" "$key" "\"$v\""; fi
		if echo "$item" | ip-provision -c "$T/c.yaml" --render "$TMPL" >"$T/r.sh" 2>"$T/r.err"; then
			rv=accepts
		else
			rv=refuses
		fi
		# Accepted: the rendered script itself must pass its check.  Refused:
		# the raw value, set into a good script, must fail the check.
		if [ "$rv" = accepts ]; then
			cp "$T/r.sh" "$T/s.sh"
		else
			q=$(printf '%s' "$v" | sed "s/'/'\\\\''/g")
			awk -v var="$var" -v val="$q" 'index($0, var "=") == 1 && !done { print var "='\''" val "'\''"; done = 1; next } { print }' \
			    "$T/base.sh" >"$T/s.sh"
			grep -q "^$var=" "$T/s.sh" || fail "$var is in the script"
		fi
		if INSTALL_PARTY_TEST_CHECK_ONLY=1 INSTALL_PARTY_TEST_ROOT=$T/root bash "$T/s.sh" >/dev/null 2>&1; then
			sv=accepts
		else
			sv=refuses
		fi
		is "$sv" "$rv" "$key '$v': renderer and script agree ($rv)"
	done
}

check user ATTENDEE alice _svc a-b_c9 Alice 9lives root "$(printf 'a%.0s' $(seq 33))" ''
check homeserver_port HS_PORT 8008 1 65535 0 65536 99999 08008 -1
check element_version ELEMENT_VERSION v1.11.2 1.11.2 v1.12.0-rc.1 x1 'v1 2' V1.2
check element_url ELEMENT_URL \
    'https://example.org/e-{version}.tar.gz' 'https://mirror.example:8443/a/b.tgz' \
    'https://h/~u/%41+b.tgz' 'http://127.0.0.1:8080/e.tgz' 'http://localhost/e.tgz' \
    'http://example.org/e.tgz' 'https://example.org/a?b=c' 'https://u@example.org/e' \
    'https://example.org/a b' 'ftp://example.org/e' 'https://example.org/{versio}'
check acme_ca ACME_CA letsencrypt letsencrypt-staging zerossl \
    'https://acme.example:14000/dir' 'https://acme.example/dir?x' 'http://127.0.0.1/dir' \
    'lets-encrypt' 'https://acme.example/d ir'
check acme_email ACME_EMAIL admin@example.com a.b+c@sub.example.org x@localhost \
    '@example.com' 'a@b@example.com' 'a b@example.com' 'a@Example.com' 'a@-x.example'
check element_key_fingerprint ELEMENT_KEY_FPR 712BFBEE92DCA45252DB17D7C7BE97EFA179B100 \
    712bfbee92dca45252db17d7c7be97efa179b100 712BFBEE92DCA45252DB17D7C7BE97EFA179B10 \
    '712B FBEE 92DC A452 52DB 17D7 C7BE 97EF A179 B100'

done_testing
