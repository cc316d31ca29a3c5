#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 3: the iid identity.  A node whose address keeps its modified
# EUI-64 interface identifier (ff:fe in bytes 11-12) on two prefixes lands on
# the same backend from both.  With eui64_only = yes, an identifier that is
# not EUI-64 (privacy/random) makes no iid session: each source address is
# balanced on its own (src).
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
write_conf
conf_service web vip=$VIP proto=udp port=$PORT identity=hoa,spi,iid,src eui64_only=yes forward=l2-dsr
conf_backends web
daemon_start

EUI="211:22ff:fe33:4401 211:22ff:fe33:4402 211:22ff:fe33:4403 211:22ff:fe33:4404 211:22ff:fe33:4405 211:22ff:fe33:4406"
RND="1234:5678:9abc:de01 1234:5678:9abc:de02 1234:5678:9abc:de03 1234:5678:9abc:de04"

# send_both IIDS TAG: each IID from prefix A, then from prefix B; fills
# BE_A[iid] and BE_B[iid].
declare -A BE_A BE_B
send_both() {
	local iid pfx link tok
	: >"$TMP/specs"
	for pfx in A B; do
		for iid in $1; do
			if [ $pfx = A ]; then link="a0 src=$A_PFX::$iid"; else link="b0 src=$B_PFX::$iid"; fi
			echo "if=$link dst=$VIP tok=$2-$pfx-$iid-$SUFFIX" >>"$TMP/specs"
		done
	done
	mn_batch "$TMP/specs" >"$TMP/got"
	load_got "$TMP/got"
	for iid in $1; do
		BE_A[$iid]=${GOT[$2-A-$iid-$SUFFIX]}
		BE_B[$iid]=${GOT[$2-B-$iid-$SUFFIX]}
		case "${BE_A[$iid]} ${BE_B[$iid]}" in
		*none*|*,*) die "IID $iid: prefix A -> ${BE_A[$iid]}, prefix B -> ${BE_B[$iid]}" ;;
		esac
	done
}

iid0=$(kind_count iid)
send_both "$EUI" eui
for iid in $EUI; do
	say "EUI-64 IID $iid: $A_PFX::$iid -> ${BE_A[$iid]}, $B_PFX::$iid -> ${BE_B[$iid]}"
	[ "${BE_A[$iid]}" = "${BE_B[$iid]}" ] ||
		die "IID $iid moved from ${BE_A[$iid]} to ${BE_B[$iid]} across prefixes"
done
[ $(( $(kind_count iid) - iid0 )) = 12 ] || die "the 12 EUI-64 packets were not all balanced by iid"
ok "the same EUI-64 IID from two prefixes: the same backend, identity iid"

# The session list names each IID once, as 16 hex digits, on its backend.
ctl -j session list web kind iid >"$TMP/iid.json" || die "session list web kind iid"
for iid in $EUI; do
	hex=$(printf '%s' "$iid" | "$PY" -c '
import ipaddress, sys
print(ipaddress.IPv6Address("::" + sys.stdin.read()).packed[8:].hex())')
	sb=$(pyq "[s['backend'] for s in d['sessions'] if s['kind'] == 'iid' and s['identity'] == '$hex']" <"$TMP/iid.json")
	[ "$sb" = "${BE_A[$iid]}" ] || die "session list: iid $hex -> '$sb', want ${BE_A[$iid]}"
done
ok "session list: one iid session per EUI-64 identifier"

src0=$(kind_count src)
send_both "$RND" rnd
for iid in $RND; do
	say "random IID $iid: $A_PFX::$iid -> ${BE_A[$iid]}, $B_PFX::$iid -> ${BE_B[$iid]}"
done
[ $(( $(kind_count src) - src0 )) = 8 ] || die "the 8 random-IID packets were not all balanced by src"
niid=$(ctl -j session list | pyq "len([s for s in d['sessions'] if s['kind'] == 'iid'])")
[ "$niid" = 6 ] || die "$niid iid sessions; random IIDs must not make any (eui64_only = yes)"
for iid in $RND; do
	for pfx in $A_PFX $B_PFX; do
		[ "$(session_backend web src "$pfx::$iid")" != none ] || die "no src session for $pfx::$iid"
	done
done
ok "random IIDs with eui64_only = yes: no iid session, one src session per address"
