#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 1: mobile nodes send with a Home Address option from CoA A, then
# CoA B, then A again: each stays on its backend every time, and the daemon
# holds one hoa session per home address.  Six nodes, so "same backend" is
# not luck (1/3 per node) and the balancer visibly spreads them.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
write_conf
conf_service web vip=$VIP proto=udp port=$PORT identity=hoa,spi,iid,src forward=l2-dsr
conf_backends web
daemon_start

NODES="7 1:1 1:2 1:3 1:4 1:5"       # home addresses 2001:db8:100::7, ::1:1 ...
declare -A FIRST
for phase in A B A2; do
	: >"$TMP/specs"
	for n in $NODES; do
		case $phase in
		A|A2) link=a0 coa=$A_PFX::$n ;;
		B)    link=b0 coa=$B_PFX::$n ;;
		esac
		echo "if=$link src=$coa dst=$VIP hoa=$HOME_PFX::$n tok=$(new_token "$phase-$n")" >>"$TMP/specs"
	done
	mn_batch "$TMP/specs" >"$TMP/got"
	i=0
	for n in $NODES; do
		i=$((i + 1))
		read -r tok be < <(sed -n "${i}p" "$TMP/got")
		coa=$(sed -n "${i}p" "$TMP/specs" | grep -o 'src=[^ ]*')
		case $be in none|*,*) die "packet $tok (home $HOME_PFX::$n, ${coa}) reached: $be" ;; esac
		say "phase $phase: HAO $HOME_PFX::$n from ${coa#src=} -> $be"
		if [ -z "${FIRST[$n]:-}" ]; then
			FIRST[$n]=$be
		elif [ "${FIRST[$n]}" != "$be" ]; then
			die "home address $HOME_PFX::$n moved from ${FIRST[$n]} to $be when it roamed to ${coa#src=}"
		fi
	done
done
ok "CoA A, CoA B, CoA A: every node stayed on its backend"

used=$(printf '%s\n' "${FIRST[@]}" | sort -u | wc -l)
[ "$used" -ge 2 ] || die "six home addresses all on one backend: the ring is not spreading"
ok "six nodes spread over $used backends"

for n in $NODES; do
	sb=$(session_backend web hoa "$HOME_PFX::$n")
	[ "$sb" = "${FIRST[$n]}" ] || die "session list: hoa $HOME_PFX::$n -> $sb, packets went to ${FIRST[$n]}"
done
cnt=$(ctl -j session list | pyq "len(d['sessions'])")
[ "$cnt" = 6 ] || die "expected 6 sessions (one per home address, none per CoA), found $cnt"
ok "session list: one hoa session per home address, each on the backend that got its packets"

# A node that spoke from its CoA before it used its home address (IKE, or
# traffic before its binding) has a src session for that CoA.  Its first HAO
# packet from there must still make the hoa session (hoa comes first in
# identity = hoa,...), so the next handover keeps its backend.
: >"$TMP/specs"
for n in 2:1 2:2 2:3 2:4 2:5 2:6; do
	echo "if=a0 src=$A_PFX::$n dst=$VIP tok=$(new_token "plain-$n")"
	echo "if=a0 src=$A_PFX::$n dst=$VIP hoa=$HOME_PFX::$n tok=$(new_token "haoA-$n")"
	echo "if=b0 src=$B_PFX::$n dst=$VIP hoa=$HOME_PFX::$n tok=$(new_token "haoB-$n")"
done >"$TMP/specs"
mn_batch "$TMP/specs" >"$TMP/got"
mapfile -t rows <"$TMP/got"
i=0
for n in 2:1 2:2 2:3 2:4 2:5 2:6; do
	p=${rows[$i]#* }; a=${rows[$((i + 1))]#* }; b=${rows[$((i + 2))]#* }
	i=$((i + 3))
	say "home $HOME_PFX::$n: plain from $A_PFX::$n -> $p, HAO from $A_PFX::$n -> $a, HAO from $B_PFX::$n -> $b"
	[ "$a" = "$b" ] || die "home address $HOME_PFX::$n moved from $a to $b on its handover to CoA B (its CoA A had a src session from an earlier plain packet); sessions: $(ctl -j session list | pyq "[(s['kind'], s['identity'], s['backend']) for s in d['sessions'] if '$n' in s['identity']]")"
done
ok "HAO after plain traffic from the same CoA: the home address still keeps its backend across the handover"
