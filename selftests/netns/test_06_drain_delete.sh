#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 6: `backend drain` keeps a backend's existing sessions and sends
# new ones elsewhere; `backend undrain` lets it take new ones again;
# `backend del` re-hashes only the deleted backend's sessions, on their next
# packet, and leaves every other session where it was.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
write_conf
conf_service web vip=$VIP proto=udp port=$PORT forward=l2-dsr
conf_backends web
daemon_start

# round TAG LINK FIRST LAST: one HAO packet from each node FIRST..LAST (home
# 2001:db8:100::3:N) out of LINK's prefix; fills R[N] with the backend.
declare -A R
round() {
	local tag=$1 link=$2 pfx n tok be
	[ "$link" = a0 ] && pfx=$A_PFX || pfx=$B_PFX
	: >"$TMP/specs"
	for ((n = $3; n <= $4; n++)); do
		echo "if=$link src=$pfx::3:$n dst=$VIP hoa=$HOME_PFX::3:$n tok=$tag-$n-$SUFFIX"
	done >"$TMP/specs"
	mn_batch "$TMP/specs" >"$TMP/got"
	R=()
	while read -r tok be; do
		n=${tok#$tag-}; n=${n%%-*}
		case $be in none|*,*) die "$tag: node $n's packet reached: $be" ;; esac
		R[$n]=$be
	done <"$TMP/got"
}
count_on() {  # count_on BACKEND: how many of R are on it
	local n c=0
	for n in "${!R[@]}"; do [ "${R[$n]}" = "$1" ] && c=$((c + 1)); done
	echo $c
}

round old a0 1 60
declare -A OLD
for n in "${!R[@]}"; do OLD[$n]=${R[$n]}; done
say "60 nodes: s1 $(count_on s1), s2 $(count_on s2), s3 $(count_on s3)"
[ "$(count_on s1)" -gt 0 ] || die "no node landed on s1 to begin with"

ctl backend drain web s1 || die "backend drain web s1"
st=$(ctl -j backend list web | pyq "[b['state'] for b in d['backends'] if b['name'] == 's1'][0]")
[ "$st" = drained ] || die "backend list says s1 is '$st' after drain"
round old-again b0 1 60
for n in "${!R[@]}"; do
	[ "${R[$n]}" = "${OLD[$n]}" ] || die "node $n moved from ${OLD[$n]} to ${R[$n]} after s1 was drained"
done
ok "drain s1: all 60 existing sessions kept their backends, the $(count_on s1) on s1 included"

round new b0 101 160
[ "$(count_on s1)" = 0 ] || die "$(count_on s1) new nodes were given drained s1"
ok "drain s1: 60 new nodes all went elsewhere (s2 $(count_on s2), s3 $(count_on s3))"
for n in "${!R[@]}"; do OLD[$n]=${R[$n]}; done

ctl backend undrain web s1 || die "backend undrain web s1"
round newer a0 201 260
[ "$(count_on s1)" -gt 0 ] || die "undrained s1 got none of 60 new nodes"
ok "undrain s1: it takes new nodes again ($(count_on s1) of 60)"
for n in "${!R[@]}"; do OLD[$n]=${R[$n]}; done

on_s2=0
for n in "${!OLD[@]}"; do [ "${OLD[$n]}" = s2 ] && on_s2=$((on_s2 + 1)); done
[ $on_s2 -gt 0 ] || die "no session on s2 to re-hash"
rehash0=$(ctl -j stats | pyq "d['counters']['session_rehash']['packets']")
ctl backend del web s2 || die "backend del web s2"
[ "$(ctl -j backend list web | pyq "len([b for b in d['backends'] if b['name'] == 's2'])")" = 0 ] ||
	die "s2 is still listed after backend del"
# Every node, all three groups, from CoA B this time.
: >"$TMP/all"
for r in "1 60" "101 160" "201 260"; do
	set -- $r
	round after-del b0 "$1" "$2"
	for n in "${!R[@]}"; do echo "$n ${R[$n]}"; done >>"$TMP/all"
done
moved=0
while read -r n be; do
	if [ "${OLD[$n]}" = s2 ]; then
		[ "$be" = s1 ] || [ "$be" = s3 ] || die "node $n was on deleted s2, now on $be"
		moved=$((moved + 1))
	else
		[ "$be" = "${OLD[$n]}" ] || die "node $n moved from ${OLD[$n]} to $be, but only s2 was deleted"
	fi
done <"$TMP/all"
[ $moved = $on_s2 ] || die "$moved nodes moved, $on_s2 were on s2"
rehash=$(( $(ctl -j stats | pyq "d['counters']['session_rehash']['packets']") - rehash0 ))
[ $rehash = $on_s2 ] || die "session_rehash counted $rehash, $on_s2 sessions were on s2"
left=$(ctl -j session list web | pyq "len([s for s in d['sessions'] if s['backend'] == 's2'])")
[ "$left" = 0 ] || die "$left sessions still name s2"
ok "del s2: its $on_s2 sessions re-hashed to s1/s3 on their next packet; the other $((180 - on_s2)) did not move"
