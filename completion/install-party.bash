# bash completion for install-party and the ip-* tools     -*- shell-script -*-
# Installed as completions/install-party, with a link per ip-* tool (the
# bash-completion package loads a command's file by its name on first use).
# It needs nothing from bash-completion itself.

# The namespace's server names, from `install-party list --json`: only when
# a configuration file is there, within 3 seconds, and quietly.
_install_party_servers()
{
	local cmd=$1 cfg=$2
	[[ -n $cfg ]] || cfg=${INSTALL_PARTY_CONFIG:-config.yaml}
	# shellcheck disable=SC2088 # a ~/ typed on the command line, not expanded by bash
	[[ $cfg == "~/"* ]] && cfg=$HOME/${cfg#"~/"}
	[[ -f $cfg && -r $cfg ]] || return 0
	# The first "name" among the object's leading string fields.
	timeout 3 "$cmd" -q -c "$cfg" list --json 2>/dev/null </dev/null |
		sed -n 's/^{\("[a-z_]*":"[^"]*",\)*"name":"\([a-z0-9-]*\)".*/\2/p'
}

# COMPREPLY from a word list, files, or directories.
_install_party_words() { mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2"); }
_install_party_files()
{
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$1")
}
_install_party_dirs()
{
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -d -- "$1")
}

# cur and prev, with "--opt=value" seen as "--opt" "value" (bash splits on =).
_install_party_cur_prev()
{
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]:-}
	if [[ $cur == = ]]; then
		cur=""
	elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
}

_install_party()
{
	local cur prev i w mode="" cfg=""
	_install_party_cur_prev
	local common="-c --config -v --verbose -h --help"
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-c | --config)
			[[ ${COMP_WORDS[i + 1]:-} == = ]] && ((i++))
			cfg=${COMP_WORDS[i + 1]:-}
			((i++))
			;;
		--config=*) cfg=${w#*=} ;;
		-s | --server | -e | --exclude | -n | --name | -N | --number | -j | --jobs | \
			--log-dir | --post-install-script | --pdf | --paper | --ssh-port | --html | -t | --timeout | \
			--expires-in)
			[[ -n $mode ]] && ((i++))
			;;
		-*) ;;
		*) [[ -n $mode ]] || mode=$w ;;
		esac
	done

	case $prev in
	-c | --config)
		_install_party_files "$cur"
		return
		;;
	esac
	case $mode:$prev in
	create:-s | create:--post-install-script)
		_install_party_files "$cur"
		return
		;;
	create:--log-dir)
		_install_party_dirs "$cur"
		return
		;;
	cards:--pdf | status:--html)
		_install_party_files "$cur"
		return
		;;
	cards:--paper)
		_install_party_words "a4 letter" "$cur"
		return
		;;
	create:--expires-in)
		_install_party_words "8h 12h 1d 3d 1w" "$cur"
		return
		;;
	create:-n | create:--name | *:-N | *:--number | *:-j | *:--jobs | cards:--ssh-port | \
		status:-t | status:--timeout | status:-w | status:--watch)
		return
		;;
	delete:-s | delete:--server | delete:-e | delete:--exclude | cards:-s | cards:--server | \
		status:-s | status:--server)
		_install_party_words "$(_install_party_servers "${COMP_WORDS[0]}" "$cfg")" "$cur"
		return
		;;
	esac

	case $mode in
	"")
		if [[ $cur == -* ]]; then
			_install_party_words "-c --config -q --quiet -v --verbose -h --help --version" "$cur"
		else
			_install_party_words "create list delete cards status" "$cur"
		fi
		;;
	create)
		_install_party_words "-n --name -N --number -s --post-install-script -j --jobs
			--log-dir --json --expires-in --check --force $common" "$cur"
		;;
	list)
		_install_party_words "-H --hide-orphans --json $common" "$cur"
		;;
	delete)
		_install_party_words "-a --all -e --exclude -s --server --expired -d --dry-run
			-j --jobs $common" "$cur"
		;;
	cards)
		_install_party_words "-s --server --pdf --json --paper --ssh-port $common" "$cur"
		;;
	status)
		_install_party_words "-s --server -w --watch --json --html -j --jobs -t --timeout
			$common" "$cur"
		;;
	esac
}

# The ip-* tools: each one's options, its sub-commands, and what an option's
# argument is (a file, a directory, one of a few words, or free text).
_install_party_tool()
{
	local cur prev tool opts="" subs="" files=1 i sub=""
	_install_party_cur_prev
	tool=${COMP_WORDS[0]##*/}
	case $tool:$prev in
	ip-instances:-x | ip-instances:--expires-in)
		_install_party_words "8h 12h 1d 3d 1w" "$cur"
		return
		;;
	esac
	case $prev in
	-c | --config | -x | --existing | -u | --user-data | --until | -i | --identity | \
		--known-hosts | --ca-file | --render)
		if [[ $tool != ip-provision || $prev != -u ]]; then
			_install_party_files "$cur"
			return
		fi
		;;
	esac
	case $tool:$prev in
	ip-provision:-s | ip-provision:--script)
		_install_party_files "$cur"
		return
		;;
	ip-provision:--log-dir)
		_install_party_dirs "$cur"
		return
		;;
	ip-provision:-u | ip-provision:--user)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return
		;;
	ip-provision:--web-scheme)
		_install_party_words "https http" "$cur"
		return
		;;
	ip-cards:--paper)
		_install_party_words "a4 letter" "$cur"
		return
		;;
	ip-table:--html | ip-table:-s | ip-table:--status)
		_install_party_files "$cur"
		return
		;;
	ip-table:-S | ip-table:--summary)
		_install_party_words "create delete check" "$cur"
		return
		;;
	*:-j | *:--jobs | *:--parallel | *:-t | *:--timeout | *:-N | *:--number | \
		*:-e | *:--exclude | *:-s | *:--server | *:-C | *:--command | *:--ssh-port | \
		*:--web-port | *:--setup-dir | *:--setup-timeout | *:--script-timeout | \
		*:--nameserver | *:--refresh)
		return
		;;
	esac

	case $tool in
	ip-names)
		opts="-N --number -x --existing"
		files=""
		;;
	ip-instances)
		opts="-j --jobs -t --timeout -u --user-data -x --expires-in -n --dry-run -w --wait
			-f --force"
		subs="ls create delete check"
		;;
	ip-dns)
		opts="-j --jobs -6 --ipv6 -n --dry-run"
		subs="ls create delete"
		files=""
		;;
	ip-join)
		opts="-a --all -e --exclude -s --server -x --expired"
		;;
	ip-provision)
		opts="-j --jobs -u --user -i --identity -s --script -C --command --log-dir
			--known-hosts --ssh-port --web-port --web-scheme --ca-file --no-wait-setup
			--cloud-init --setup-dir --setup-timeout --script-timeout --no-web --no-sudo
			--render"
		files=""
		;;
	ip-table)
		opts="-H --hide-orphans -x --expires -S --summary -p --progress -u --until -s --status --html
			--refresh"
		;;
	ip-check)
		opts="-j --jobs -t --timeout --nameserver --ssh-port --web-port --ca-file --known-hosts"
		;;
	ip-cards)
		opts="--json --paper --known-hosts --ssh-port"
		;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		_install_party_words "$opts -c --config -q --quiet -v --verbose -h --help --version" "$cur"
		return
	fi
	if [[ -n $subs ]]; then
		for ((i = 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in ls | create | delete | check) sub=${COMP_WORDS[i]} ;; esac
		done
		if [[ -z $sub ]]; then
			_install_party_words "$subs" "$cur"
			return
		fi
		[[ $sub == ls ]] && return
	fi
	[[ -n $files ]] && _install_party_files "$cur"
}

complete -F _install_party install-party
complete -F _install_party_tool ip-names ip-instances ip-dns ip-join ip-provision ip-table ip-cards ip-check
