#!/bin/sh
# tests/fuzz/run.sh FUZZER ARGS...: a libFuzzer target with the options
# every run uses.  Leaks are checked (libjq 1.6's one known leak is
# suppressed, see tests/lsan.supp), except for the config loader, whose
# errors end in ip_die: it frees nothing on purpose, by design.
dir=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
leaks=1
case $1 in */fuzz_config) leaks=0 ;; esac
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks:fast_unwind_on_malloc=0
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$dir/tests/lsan.supp:print_suppressions=0}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
f=$1
shift
exec "$f" -detect_leaks=$leaks -rss_limit_mb=1024 -max_len=65536 "$@"
