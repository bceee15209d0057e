#!/bin/sh
# Shell completion: the bash and zsh scripts parse, complete the modes, each
# mode's and each tool's options (every long option its --help shows), and
# the namespace's server names from `install-party list --json` (only when
# a configuration is found); make install puts them where bash-completion
# and zsh look.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/sim/party_lib.sh"
PATH=$IP_PLAIN_BINDIR:$PATH
command -v zsh >/dev/null || skip_all "zsh is not installed"
[ -x /usr/sbin/sshd ] || skip_all "openssh-server is not installed"
BASHC=$TOP/completion/install-party.bash
ZSHD=$TOP/completion
TOOLS=$(cd "$TOP/cmd" && ls -d ip-*)

run bash -n "$BASHC"
is "$rc:$err" "0:" "bash -n: the bash completion parses"
run zsh -n "$ZSHD/_install-party"
is "$rc:$err" "0:" "zsh -n: the zsh completion parses"

# bcomp WORD...: what bash offers for the last WORD (the script loaded in a
# bare bash, the function named by `complete -p`, COMP_WORDS set by hand).
bcomp() {
	bash --norc --noprofile -c '
		. "$0" || exit 3
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		spec=$(complete -p "$1") || exit 4
		f=${spec#*-F }; f=${f%% *}
		"$f" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort -u' "$BASHC" "$@"
}
zcomp() { zsh -f "$TOP/tests/zsh_complete.zsh" "$ZSHD" "$*"; }
words() { printf '%s\n' "$@" | sort -u; }
# The long options a --help prints.
longopts() {
	"$@" --help 2>/dev/null | grep -oE -- '(^ *|, |\[|\| )--[a-z][a-z0-9-]+' |
		sed 's/^[^-]*//' | sort -u
}
missing() { # missing WANTED OFFERED: the wanted lines not offered
	printf '%s\n' "$1" > "$T/want"
	printf '%s\n' "$2" > "$T/have"
	grep -vxF -f "$T/have" "$T/want" | tr '\n' ' '
}

bash --norc -c '. "$0"; complete -p install-party' "$BASHC" > "$T/spec" 2>&1
like "$(cat "$T/spec")" "^complete -F _install_party install-party$" "bash: complete -p install-party"
is "$(bcomp install-party '')" "$(words create delete list cards status)" "bash: the modes"
modes=$(install-party --help | sed -n '/^modes:/,/^[^ ]/s/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u)
like "$modes" "create" "install-party --help lists the modes"
is "$(bcomp install-party '')" "$modes" "bash: every mode install-party --help lists"
is "$(zcomp 'install-party ')" "$modes" "zsh: every mode install-party --help lists"
is "$(bcomp install-party de)" "delete" "bash: a mode's prefix"
is "$(bcomp install-party -v -c x.yaml l)" "list" "bash: the mode after global options"
is "$(zcomp 'install-party ')" "$(words create delete list cards status)" "zsh: the modes"
is "$(zcomp 'install-party -v cr')" "create" "zsh: a mode's prefix after an option"
for m in $modes; do
	want=$(longopts install-party "$m")
	[ -n "$want" ] || fail "install-party $m --help: long options"
	is "$(missing "$want" "$(bcomp install-party "$m" --)")" "" "bash: every option of install-party $m"
	is "$(missing "$want" "$(zcomp "install-party $m --")")" "" "zsh: every option of install-party $m"
done
is "$(missing "$(words --all --exclude --server --dry-run)" "$(bcomp install-party delete --)")" "" "bash: delete's own options"
unlike "$(bcomp install-party delete --)" "^--json$" "bash: not another mode's options"
unlike "$(zcomp 'install-party delete --')" "^--json$" "zsh: not another mode's options"
is "$(bcomp install-party -c "$TOP/Makef")" "$TOP/Makefile" "bash: -c completes file names"

for t in $TOOLS; do
	want=$(longopts "$t")
	[ -n "$want" ] || fail "$t --help: long options"
	is "$(missing "$want" "$(bcomp "$t" --)")" "" "bash: every option of $t"
	is "$(missing "$want" "$(zcomp "$t --")")" "" "zsh: every option of $t"
done
is "$(bcomp ip-dns '')" "$(words ls create delete)" "bash: ip-dns's commands"
is "$(zcomp 'ip-instances ')" "$(words ls create delete check)" "zsh: ip-instances's commands"
is "$(bcomp ip-instances '')" "$(words ls create delete check)" "bash: ip-instances's commands"
is "$(bcomp ip-provision --web-scheme '')" "$(words http https)" "bash: an option's choices"
is "$(zcomp 'ip-table -S ')" "$(words create delete check)" "zsh: an option's choices"
is "$(bcomp ip-instances -x '')" "$(words 8h 12h 1d 3d 1w)" "bash: ip-instances -x takes a duration, not a file"
is "$(bcomp install-party create --expires-in '')" "$(words 8h 12h 1d 3d 1w)" "bash: create --expires-in's durations"
is "$(bcomp install-party cards --paper '')" "$(words a4 letter)" "bash: cards --paper's choices"
is "$(zcomp 'ip-cards --paper ')" "$(words a4 letter)" "zsh: ip-cards --paper's choices"

# Server names: none, quietly and at once, without a configuration.
mkdir "$T/empty"
start=$(date +%s)
got=$(cd "$T/empty" && bcomp install-party delete -s '' 2>&1)
is "$got" "" "bash: no configuration: no names, no message"
got=$(cd "$T/empty" && zcomp 'install-party delete -s ' 2>&1)
is "$got" "" "zsh: no configuration: no names, no message"
ok "$([ $(($(date +%s) - start)) -lt 5 ]; echo $?)" "and no wait"

# With one: the namespace's servers, from the simulators.
party_start comp-ns
mv "$T/party.yaml" "$T/event.yaml"
{ ip-names -c "$T/event.yaml" alice bob | ip-instances -c "$T/event.yaml" create |
	ip-dns -c "$T/event.yaml" create > "$T/made"; } 2> "$T/made.err"
is "$(grep -c '"type":"server"' "$T/made")" 2 "two servers made in the simulators"
unset INSTALL_PARTY_CONFIG
is "$(bcomp install-party -c "$T/event.yaml" delete -s '')" "$(words alice bob)" "bash: delete -s NAME: the servers (-c)"
is "$(bcomp install-party delete --config="$T/event.yaml" -a -e a)" "alice" "bash: delete -a -e NAME (--config=, a prefix)"
is "$(bcomp install-party --config = "$T/event.yaml" delete -e '')" "$(words alice bob)" "bash: --config=FILE as bash splits it"
is "$(INSTALL_PARTY_CONFIG=$T/event.yaml bcomp install-party delete -s '')" "$(words alice bob)" "bash: the servers (\$INSTALL_PARTY_CONFIG)"
is "$(cd "$T" && cp event.yaml config.yaml && bcomp install-party delete -s b; rm config.yaml)" "bob" "bash: the servers (./config.yaml)"
is "$(zcomp "install-party -c $T/event.yaml delete -s ")" "$(words alice bob)" "zsh: delete -s NAME: the servers"
is "$(bcomp install-party -c "$T/event.yaml" cards -s '')" "$(words alice bob)" "bash: cards -s NAME: the servers"
is "$(zcomp "install-party -c $T/event.yaml cards --server ")" "$(words alice bob)" "zsh: cards --server NAME: the servers"
is "$(INSTALL_PARTY_CONFIG=$T/event.yaml zcomp 'install-party delete -a -e ')" "$(words alice bob)" "zsh: delete -a -e NAME (\$INSTALL_PARTY_CONFIG)"
is "$(bcomp install-party -c "$T/event.yaml" create -n '')" "" "bash: create -n NAME: no servers (a new name)"

# make install: where bash-completion's loader and zsh's compinit find them.
run make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr
is "$rc" 0 "make install"
same_file "$T/root/usr/share/bash-completion/completions/install-party" "$BASHC" "bash completion installed"
same_file "$T/root/usr/share/zsh/vendor-completions/_install-party" "$ZSHD/_install-party" "zsh completion installed"
if [ -r /usr/share/bash-completion/bash_completion ]; then
	for t in install-party $TOOLS; do
		got=$(XDG_DATA_DIRS=$T/root/usr/share bash --norc -c '
			. /usr/share/bash-completion/bash_completion
			complete -r "$0" 2>/dev/null
			_completion_loader "$0"; complete -p "$0"' "$t" 2>&1)
		like "$got" "^complete -F _install_party[a-z_]* $t$" "bash-completion loads $t's completion from the installed file"
	done
else
	skip "bash-completion is not installed"
fi
ZSHD=$T/root/usr/share/zsh/vendor-completions
is "$(zcomp 'install-party ')" "$(words create delete list cards status)" "zsh: the installed file completes the modes"
done_testing
