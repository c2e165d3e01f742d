# SPDX-License-Identifier: GPL-2.0
# bash completion for stationctl(1): commands, options, and the station's
# own names (detectors, manifolds, cards, Cryostreams, CCDs) read from the bus
# through stationctl itself. Install in
# /usr/share/bash-completion/completions/stationctl.

__stationctl_names() {
	# $1: detectors | manifolds | cards
	stationctl --no-pager --no-legend "list-$1" 2>/dev/null | awk '{ print $1 }'
}

__stationctl_status_names() {
	# $1: Cryostreams | Ccds, the arrays of `stationctl --json=short status`
	stationctl --no-pager --json=short status 2>/dev/null |
		sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p" |
		grep -o '"Name":"[^"]*"' | cut -d'"' -f4
}

_stationctl() {
	local cur prev words cword
	_init_completion || return
	local commands="status list-detectors list-manifolds list-cards show fill preset
		delay avoid unavoid cancel clear history monitor cryostream ccd"
	local options="--help --version --no-pager --no-legend --no-ask-password
		--json=short --json=pretty --yes --add --clear --no-block"
	local verb="" i
	for ((i = 1; i < cword; i++)); do
		[[ ${words[i]} == -* ]] && continue
		verb=${words[i]}
		break
	done
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
		return
	fi
	case $verb in
	"")
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur") ;;
	show)
		mapfile -t COMPREPLY < <(compgen -W "$(__stationctl_names detectors)
			$(__stationctl_names manifolds) $(__stationctl_names cards)" -- "$cur") ;;
	fill | preset | delay | avoid | unavoid | cancel | clear)
		[[ $prev == "$verb" ]] &&
			mapfile -t COMPREPLY < <(compgen -W "all $(__stationctl_names detectors)
				$(__stationctl_names manifolds)" -- "$cur") ;;
	history)
		mapfile -t COMPREPLY < <(compgen -W "$(__stationctl_names detectors)" -- "$cur") ;;
	cryostream)
		if [[ $prev == cryostream ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(__stationctl_status_names Cryostreams)" -- "$cur")
		elif [[ ${words[cword - 2]} == cryostream ]]; then
			mapfile -t COMPREPLY < <(compgen -W "status cool ramp plat hold end purge
				pause resume stop restart turbo regen flow-interrupt-time interrupt-flow
				shield idle-shield-flow autofill-mode autofill-refill-level
				autofill-stop-level" -- "$cur")
		elif [[ $prev == turbo || $prev == shield ]]; then
			mapfile -t COMPREPLY < <(compgen -W "on off" -- "$cur")
		elif [[ $prev == idle-shield-flow ]]; then
			mapfile -t COMPREPLY < <(compgen -W "off on auto" -- "$cur")
		elif [[ $prev == autofill-mode ]]; then
			mapfile -t COMPREPLY < <(compgen -W "manual auto scheduled" -- "$cur")
		fi ;;
	ccd)
		if [[ $prev == ccd ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(__stationctl_status_names Ccds)" -- "$cur")
		elif [[ ${words[cword - 2]} == ccd ]]; then
			mapfile -t COMPREPLY < <(compgen -W "status setup settings run glance scratch
				bias dark runkick shutter sync-rtc reset" -- "$cur")
		else
			case $prev in
			settings)
				mapfile -t COMPREPLY < <(compgen -W "bin window enable-windows
					disable-windows readout-speed clear-speed exptime preflash" -- "$cur") ;;
			run) mapfile -t COMPREPLY < <(compgen -W "arc flat sky flash" -- "$cur") ;;
			runkick) mapfile -t COMPREPLY < <(compgen -W "pause continue finish abort" -- "$cur") ;;
			shutter) mapfile -t COMPREPLY < <(compgen -W "open close unjam" -- "$cur") ;;
			readout-speed) mapfile -t COMPREPLY < <(compgen -W "SLOW STANDARD FAST" -- "$cur") ;;
			clear-speed) mapfile -t COMPREPLY < <(compgen -W "QUICK NORMAL" -- "$cur") ;;
			esac
		fi ;;
	esac
}
complete -F _stationctl stationctl
