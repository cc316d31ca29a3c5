#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 4: ESP with one SPI from two care-of addresses: the same backend.
# The SPI is the identity (no HAO in these packets), so a security
# association's traffic stays together however its node moves.  Six nodes,
# each with its own SA and its own CoAs on links A and B; then one node
# rekeys (a new SPI from the CoA it already used) and moves again.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
write_conf
# ESP has no ports: the service is the whole VIP.
conf_service ipsec vip=$VIP proto=any identity=hoa,spi,iid,src forward=l2-dsr
conf_backends ipsec
daemon_start

NODES="1 2 3 4 5 6"
spi_of() { printf '0x%x' $((0xc0de0000 + $1)); }
declare -A BE
spi0=$(kind_count spi)
for phase in A B A2; do
	: >"$TMP/specs"
	for n in $NODES; do
		case $phase in
		A|A2) from="if=a0 src=$A_PFX::1:$n" ;;
		B)    from="if=b0 src=$B_PFX::1:$n" ;;
		esac
		echo "$from dst=$VIP spi=$(spi_of $n) tok=$(new_token "$phase-$n")" >>"$TMP/specs"
	done
	mn_batch "$TMP/specs" >"$TMP/got"
	i=0
	while read -r tok be; do
		i=$((i + 1)); n=$i; spi=$(spi_of $n)
		src=$(sed -n "${i}p" "$TMP/specs" | grep -o 'src=[^ ]*')
		case $be in none|*,*) die "ESP SPI $spi ($phase) reached: $be" ;; esac
		say "phase $phase: ESP SPI $spi from ${src#src=} -> $be"
		if [ -z "${BE[$n]:-}" ]; then
			BE[$n]=$be
		elif [ "${BE[$n]}" != "$be" ]; then
			die "SPI $spi moved from ${BE[$n]} to $be when its node moved to ${src#src=}"
		fi
	done <"$TMP/got"
done
[ $(( $(kind_count spi) - spi0 )) = 18 ] || die "not every ESP packet was balanced by spi"
ok "each SPI stays on its backend from CoA A, CoA B and A again (identity spi)"

used=$(printf '%s\n' "${BE[@]}" | sort -u | wc -l)
[ "$used" -ge 2 ] || die "six SPIs all on one backend"
for n in $NODES; do
	sb=$(session_backend ipsec spi "$(spi_of $n)")
	[ "$sb" = "${BE[$n]}" ] || die "session list: spi $(spi_of $n) -> $sb, packets went to ${BE[$n]}"
done
nspi=$(ctl -j session list | pyq "len([s for s in d['sessions'] if s['kind'] == 'spi'])")
[ "$nspi" = 6 ] || die "$nspi spi sessions, want 6 (one per SPI)"
ok "session list: one spi session per SPI, each on the backend its packets reached"

# Rekeying: node 1 replaces its SA while on CoA A (IKE gives the new SA a new
# SPI) and then moves to CoA B.  The new SPI is an identity of its own and
# must keep the backend it was served by when it first appeared.
: >"$TMP/specs"
for n in 1 2 3 4 5 6; do
	echo "if=a0 src=$A_PFX::1:1 dst=$VIP spi=$(printf '0x%x' $((0xbeef0000 + n))) tok=$(new_token rekey-A-$n)" >>"$TMP/specs"
done
for n in 1 2 3 4 5 6; do
	echo "if=b0 src=$B_PFX::1:1 dst=$VIP spi=$(printf '0x%x' $((0xbeef0000 + n))) tok=$(new_token rekey-B-$n)" >>"$TMP/specs"
done
mn_batch "$TMP/specs" >"$TMP/got"
mapfile -t rows <"$TMP/got"
for n in 1 2 3 4 5 6; do
	spi=$(printf '0x%x' $((0xbeef0000 + n)))
	a=${rows[$((n - 1))]#* }; b=${rows[$((n + 5))]#* }
	say "rekeyed SPI $spi: from $A_PFX::1:1 -> $a, then from $B_PFX::1:1 -> $b"
	[ "$a" = "$b" ] || die "SPI $spi (new SA of a node already known on its CoA) moved from $a to $b when the node moved; its sessions: $(ctl -j session list | pyq "[(s['kind'], s['identity'], s['backend']) for s in d['sessions'] if s['identity'] in ('$spi', '0x%08x' % $spi, '$A_PFX::1:1', '$B_PFX::1:1')]")"
done
ok "new SPIs from an already-known CoA keep their backend when the node moves"
