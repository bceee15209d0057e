#!/bin/sh
# ip-dns: the OVH request signature against published test vectors, and the
# simulator's check against the same vectors.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/ovh_env.sh"

# Vectors from OVH's own clients' unit tests (python-ovh tests/test_client.py,
# also in php-ovh and go-ovh): this AS/CK, timestamp and URL.
AS=9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk
CK=5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY
TS=1457018875
URL=https://eu.api.ovh.com/1.0/auth
ovh_config "$T/c.yaml" my-super-event ovh-eu some-ak "$AS" "$CK"

sig() {	# sig METHOD URL TS BODY
	printf '%s\n%s\n%s\n%s\n' "$1" "$2" "$3" "$4" | ip-dns -c "$T/c.yaml" sign
}
run sig GET "$URL" $TS ""
is "$out" '$1$e9556054b6309771395efa467c22e627407461ad' "GET vector (python-ovh, php-ovh, go-ovh)"
run sig DELETE "$URL" $TS ""
is "$out" '$1$a1eecd00b3b02b6cf5708b84b9ff42059a950d85' "DELETE vector"
run sig POST "$URL" $TS '{"a":"b","c":"d"}'
is "$out" '$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1' "POST vector with body"
run sig PUT "$URL" $TS '{"a":"b","c":"d"}'
is "$out" '$1$8a75a9e7c8e7296c9dbeda6a2a735eb6bd58ec4b' "PUT vector with body"

# The vector of OVH's "first steps with the API" guide (other keys).
ovh_config "$T/d.yaml" my-super-event ovh-eu some-ak EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1
run sh -c "printf 'GET\nhttps://eu.api.ovh.com/1.0/domains/\n1366560945\n\n' | ip-dns -c '$T/d.yaml' sign"
is "$out" '$1$d3705e8afb27a0d2970a322b96550abfc67bb798' "OVH guide vector"

# A query string is part of what is signed (independent: python hashlib).
Q="https://eu.api.ovh.com/1.0/domain/zone/example.com/record?fieldType=A&subDomain=bob.ev"
want=$(python3 -c 'import hashlib,sys; print("$1$"+hashlib.sha1("+".join(sys.argv[1:]).encode()).hexdigest())' "$AS" "$CK" GET "$Q" "" $TS)
run sig GET "$Q" $TS ""
is "$out" "$want" "query string signed (checked with python hashlib)"
unlike "$err" "$AS" "the secret is never printed"

# The simulator computes the same values.
run python3 -c '
import sys; sys.path.insert(0, sys.argv[1])
from ovh_sim import sign
a, c, u = "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk", "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY", "https://eu.api.ovh.com/1.0/auth"
print(sign(a, c, "GET", u, "", "1457018875"), sign(a, c, "POST", u, "{\"a\":\"b\",\"c\":\"d\"}", "1457018875"))
' "$TOP/tests/sim"
is "$out" '$1$e9556054b6309771395efa467c22e627407461ad $1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1' "simulator signs like the published vectors"

done_testing
