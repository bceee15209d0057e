#!/bin/sh
# The libFuzzer targets (tests/fuzz/, built by `make check` as
# build/fuzz/bin/): each replays its corpus, then fuzzes a few seconds.
# `make fuzz` runs them long and merges what they find into the corpus.
. "$(dirname "$0")/lib.sh"
FB=$TOP/build/fuzz/bin
secs=${IP_FUZZ_SECONDS:-3}
[ -x "$FB/fuzz_names" ] || skip_all "no fuzz targets (make fuzz-build)"
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	f=$(basename "$src" .c)
	n=${f#fuzz_}
	[ -x "$FB/$f" ] || { fail "$f is built"; continue; }
	seeds=$(find "$TOP/tests/fuzz/corpus/$n" -type f | wc -l)
	ok "$([ "$seeds" -gt 0 ] && echo 0 || echo 1)" "$n: a seed corpus ($seeds inputs)"
	# shellcheck disable=SC2046 # the corpus files, one word each
	sh "$TOP/tests/fuzz/run.sh" "$FB/$f" $(find "$TOP/tests/fuzz/corpus/$n" -type f) > "$T/$n.replay" 2>&1
	rc=$?
	is "$rc" 0 "$n: the corpus replays cleanly"
	[ "$rc" = 0 ] || diag "$(grep -E 'ERROR|fuzz:|SUMMARY' "$T/$n.replay" | head -5)"
	mkdir -p "$T/new-$n"
	sh "$TOP/tests/fuzz/run.sh" "$FB/$f" -max_total_time="$secs" -artifact_prefix="$T/new-$n/" \
	    "$T/new-$n" "$TOP/tests/fuzz/corpus/$n" > "$T/$n.fuzz" 2>&1
	rc=$?
	is "$rc" 0 "$n: ${secs} s of fuzzing find nothing"
	if [ "$rc" != 0 ]; then
		diag "$(grep -E 'ERROR|fuzz:|SUMMARY' "$T/$n.fuzz" | head -5)"
		# keep what it found: it joins the corpus once fixed
		mkdir -p "$TOP/build/fuzz/found"
		cp "$T/new-$n"/crash-* "$T/new-$n"/leak-* "$T/new-$n"/timeout-* "$TOP/build/fuzz/found/" 2>/dev/null
	fi
done
done_testing
