# tests/zsh_complete.zsh DIR LINE: what zsh's completion system offers for
# LINE (a Tab pressed at its end) with the completion functions of DIR
# first in $fpath, one candidate a line.  Run as `zsh -f zsh_complete.zsh`.
# An interactive zsh on a pseudo-terminal (zpty) does the real thing: the
# Tab goes through zle, compinit's widgets and _arguments; compadd is
# wrapped to note the matches it is given.
zmodload zsh/zpty || exit 2
dir=$1 line=$2
out=$(mktemp "${TMPDIR:-/tmp}/zsh-complete.XXXXXX") || exit 2
trap 'zpty -d c 2>/dev/null; rm -f $out' EXIT

TERM=xterm zpty c zsh -f -i
zpty -w c "PS1='> '; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w c "compadd() {
	local -a __hits
	local a skip=
	for a in \"\$@\"; do
		[[ -n \$skip ]] && { skip=; continue; }
		[[ \$a == (-|--) ]] && break
		[[ \$a == -[OAD]* ]] && { builtin compadd \"\$@\"; return; }
		[[ \$a == -[PSpsiIWdJVXxMFrRE] ]] && skip=1
	done
	builtin compadd -A __hits \"\$@\"
	(( \$#__hits )) && print -rl -- \$__hits >> ${(q)out}
	builtin compadd \"\$@\"
}"
# compinit runs comppostfuncs once the completion is over: the marker.
zpty -w c "__done() { print __done__ >> ${(q)out}; }; comppostfuncs=(__done)"
zpty -n -w c "$line"$'\t'

integer i
for (( i = 0; i < 200; i++ )); do
	grep -qx __done__ $out 2>/dev/null && break
	zpty -r -t c junk 2>/dev/null
	sleep 0.05
done
grep -qx __done__ $out || { print -u2 "zsh_complete: no answer for '$line'"; exit 1; }
grep -vx __done__ $out | sort -u
