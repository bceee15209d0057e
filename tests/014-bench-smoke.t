#!/bin/sh
# make bench's script runs (at -N 2, the smoke run) and prints its table.
. "$(dirname "$0")/lib.sh"
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
[ -x /usr/bin/time ] || skip_all "/usr/bin/time is not installed"
run sh "$TOP/bench/run.sh" --smoke
is "$rc" 0 "bench/run.sh --smoke: exit 0"
is "$(printf '%s\n' "$out" | head -1 | tr -s ' ')" "figure measured bound ok" "the table's header"
like "$out" '^create -N 2 \(smoke\) +[0-9.]+s +< 30 s +yes$' "the create row, measured beside its bound"
like "$out" '^requests per server, -N 2 +[0-9.]+ ' "requests per server"
grep -q '^bench:' "$TOP/Makefile" && pass "make bench exists" || fail "make bench exists"
grep -q 'bench' "$TOP/Makefile" && ! grep -A6 '^check:' "$TOP/Makefile" | grep -q 'bench' &&
    pass "make check does not run the whole bench" || fail "make check does not run the whole bench"
done_testing
