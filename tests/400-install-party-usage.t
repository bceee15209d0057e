#!/bin/sh
# install-party: the README's interface, and every usage error (exit 2).
. "$(dirname "$0")/lib.sh"
PATH=$TOP/build/bin:$PATH	# the wrapper is a script: the same in both builds
C=$T/config.yaml
write_config "$C"
export INSTALL_PARTY_CONFIG="$C"

run install-party
is "$rc" 2 "no mode: exit 2"
like "$err" "modes:" "no mode: the modes are listed"
run install-party frobnicate
is "$rc" 2 "unknown mode: exit 2"
like "$err" "unknown mode: frobnicate \\(modes: create, list, delete, cards, status\\)" "unknown mode: lists the modes"
run install-party -h
is "$rc" 0 "-h: exit 0"
like "$out" "^usage: install-party" "-h: usage on stdout"
run install-party --version
like "$out" "^install-party [0-9]" "--version"
for m in create list delete status; do
	run install-party "$m" -h
	is "$rc:$(printf '%s\n' "$out" | head -1 | cut -d' ' -f1-3)" "0:usage: install-party $m" "$m -h: its usage, exit 0"
	run install-party "$m" --help
	is "$rc" 0 "$m --help"
	run install-party "$m" --bogus
	is "$rc" 2 "$m with an unknown option: exit 2"
done
for o in --name --number --post-install-script --jobs --log-dir --json; do
	like "$(install-party create -h)" -- "$o" "create -h shows $o"
done
for o in --hide-orphans --json; do
	like "$(install-party list -h)" -- "$o" "list -h shows $o"
done
for o in --all --exclude --server --dry-run --jobs; do
	like "$(install-party delete -h)" -- "$o" "delete -h shows $o"
done

# The README's exclusions, before anything is sent anywhere.
usage_error() {	# usage_error DESC REGEX ARGS...
	d=$1 re=$2; shift 2
	run install-party "$@"
	is "$rc" 2 "$d: exit 2"
	like "$err" "$re" "$d: says why"
}
usage_error "-n with -N" "cannot be used together" create -n alice -N 2
usage_error "--name with --number" "cannot be used together" create --number 2 --name alice
usage_error "-N 0" "takes a positive number" create -N 0
usage_error "-N abc" "takes a positive number" create -N abc
usage_error "bad name" "not a server name" create -n 'Bad Name'
usage_error "-n without its value" "needs an argument" create -n
usage_error "-a with -s" "cannot be used together" delete -a -s alice
usage_error "-e without -a" "can only be used with -a/--all" delete -e alice
usage_error "neither -a nor -s" "one of -a/--all, -s/--server or --expired is needed" delete
usage_error "-d alone" "one of -a/--all, -s/--server or --expired is needed" delete -d
usage_error "--expired with -s" "--expired goes with neither -a, -e nor -s" delete --expired -s alice
usage_error "--expired with -e" "--expired goes with neither -a, -e nor -s" delete --expired -e alice
usage_error "--expires-in 0h" "--expires-in takes a duration such as 8h or 3d" create --expires-in 0h
usage_error "--expires-in 8" "--expires-in takes a duration such as 8h or 3d" create --expires-in 8
usage_error "--expires-in without its value" "needs an argument" create --expires-in
usage_error "bad -s name" "not a server name" delete -s 'x;rm'
usage_error "list with a stray argument" "unknown argument" list extra
usage_error "unreadable post-install script" "cannot read the post-install script" create -s "$T/nope.sh"

run env IP_DATADIR="$T/nowhere" install-party create -N 1
is "$rc" 2 "no first-boot template: exit 2"
like "$err" "nowhere/setup.sh.in: missing" "no first-boot template: named"

# Configuration: $INSTALL_PARTY_CONFIG, -c before or after the mode.
run env INSTALL_PARTY_CONFIG="$T/missing.yaml" install-party list
is "$rc" 2 "a missing configuration: exit 2"
like "$err" "missing.yaml: No such file or directory" "a missing configuration is named"
run install-party -c "$T/other.yaml" list
like "$err" "other.yaml: No such file" "-c before the mode"
run install-party list -c "$T/third.yaml"
like "$err" "third.yaml: No such file" "-c after the mode"

done_testing
