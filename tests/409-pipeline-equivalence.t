#!/bin/sh
# The wrapper is a thin script over the tools: its create, list and delete
# give the same result as the README's hand-written pipelines (mblaze's
# tests compare two pipelines the same way), against the simulators.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$TOP/build/bin:$PATH
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"

party_start pipe-e
setup=$TOP/share/setup.sh.in
listing() {	# the README's list pipeline, on files ($T/i, $T/r)
	ip-instances ls > "$T/i" && ip-dns ls > "$T/r"
}
sorted() { printf '%s\n' "$1" | sort; }	# servers finish in any order
names() { install-party list --json | jq -r '.name + " " + .state' | sort | tr '\n' ' '; }

# create: the README's pipeline (ip-names | ip-instances create | ip-dns
# create | ip-provision) summarised by ip-table -S create, for ann, is the
# wrapper's create --name bob but for the name
run install-party create --name bob
is "$rc" 0 "wrapper: create --name bob"
wrapper=$out
# shellcheck disable=SC2086 # INSTALL_PARTY_PROVISION_ARGS: split on purpose
hand=$(ip-names ann | ip-instances create -u "$setup" 2>/dev/null | ip-dns create 2>/dev/null |
	ip-provision $INSTALL_PARTY_PROVISION_ARGS 2>/dev/null | ip-table -S create)
is "$(printf '%s\n' "$hand" | sed 's/ann/bob/g')" "$wrapper" "create: the pipeline's summary is the wrapper's"
ip-names cat dan | ip-instances create 2>/dev/null | ip-dns create > /dev/null 2>&1
party_settle 4

# list: ip-join <(ip-instances ls) <(ip-dns ls) | ip-table
listing
run install-party list
is "$rc" 0 "wrapper: list"
is "$(ip-join "$T/i" "$T/r" | ip-table)" "$out" "list: the pipeline prints the wrapper's tables"
run install-party list -H
is "$(ip-join "$T/i" "$T/r" | ip-table -H)" "$out" "list -H: the same"
run install-party list --json
is "$(ip-join "$T/i" "$T/r")" "$out" "list --json: the same server objects"
like "$(names)" "ann complete bob complete cat complete dan complete" "four servers to delete from"

# delete all but bob: the wrapper, then the pipeline on the same servers
# made again; the same summary and the same servers left
run install-party delete -a -e bob
is "$rc" 0 "wrapper: delete -a -e bob"
wrapper=$out
party_settle 1
left=$(names)
is "$left" "bob complete " "wrapper: only bob is left"
ip-names ann cat dan | ip-instances create 2>/dev/null | ip-dns create > /dev/null 2>&1
party_settle 4
listing
hand=$(ip-join -a -e bob "$T/i" "$T/r" | ip-dns delete 2>/dev/null | ip-instances delete 2>/dev/null |
	ip-table -S delete)
is "$(sorted "$hand")" "$(sorted "$wrapper")" "delete -a -e bob: the pipeline's summary is the wrapper's"
party_settle 1
is "$(names)" "$left" "delete -a -e bob: the same servers are left"

# a dry run: ip-dns delete -n | ip-instances delete -n
run install-party delete -d -s bob
listing
is "$(ip-join -s bob "$T/i" "$T/r" | ip-dns delete -n 2>/dev/null | ip-instances delete -n 2>/dev/null |
	ip-table -S delete)" "$out" "delete -d -s bob: the same dry run"
is "$(names)" "$left" "the dry runs deleted nothing"
done_testing
