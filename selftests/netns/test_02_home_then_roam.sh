#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 2: on its home link a node sends with source = home address and no
# option; a real request gets its answer from the backend that served it.
# The node then roams and sends with a Home Address option from CoA A and
# CoA B: the same backend, because hoa and src share one keyspace.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
write_conf
conf_service web vip=$VIP proto=udp port=$PORT identity=hoa,spi,iid,src forward=l2-dsr
conf_backends web
daemon_start

NODES="7 1:1 1:2 1:3 1:4 1:5"
for n in $NODES; do
	[ "$n" = 7 ] || addr "$NS_MN" h0 "$HOME_PFX::$n/64"
done

declare -A HOME_BE
src0=$(kind_count src)
for n in $NODES; do
	tok=$(new_token "home-$n")
	reply=$(mn_request --src "$HOME_PFX::$n" --dst "$VIP" --port "$PORT" --tok "$tok") ||
		die "no reply to a request from home address $HOME_PFX::$n"
	be=${reply%% *}
	[ "$reply" = "$be tok=$tok;" ] || die "odd reply '$reply'"
	sniffed=$(served_by "$tok")
	[ "$sniffed" = "$be" ] || die "reply came from $be, sniffers saw the request at: $sniffed"
	HOME_BE[$n]=$be
	say "[home] $HOME_PFX::$n -> VIP (no option): answered by $be"
done
[ $(( $(kind_count src) - src0 )) -ge 6 ] || die "home-link requests were not balanced by src"
ok "home link: every request answered by the backend its packet reached, identity src"

hoa0=$(kind_count hoa)
for phase in A B; do
	: >"$TMP/specs"
	for n in $NODES; do
		if [ $phase = A ]; then link=a0 coa=$A_PFX::$n; else link=b0 coa=$B_PFX::$n; fi
		echo "if=$link src=$coa dst=$VIP hoa=$HOME_PFX::$n tok=$(new_token "$phase-$n")" >>"$TMP/specs"
	done
	mn_batch "$TMP/specs" >"$TMP/got"
	load_got "$TMP/got"
	i=0
	for n in $NODES; do
		i=$((i + 1))
		tok=$(sed -n "${i}p" "$TMP/specs" | grep -o 'tok=[^ ]*'); tok=${tok#tok=}
		be=${GOT[$tok]}
		say "[CoA $phase] HAO $HOME_PFX::$n -> $be"
		[ "$be" = "${HOME_BE[$n]}" ] ||
			die "$HOME_PFX::$n was served by ${HOME_BE[$n]} at home, by $be from CoA $phase"
	done
done
[ $(( $(kind_count hoa) - hoa0 )) -ge 12 ] || die "roaming packets were not balanced by hoa"
ok "roaming with an HAO (CoA A, then B) keeps every node on its home-link backend"

for n in $NODES; do
	sb=$(ctl -j session list | pyq "[s['backend'] + '/' + s['kind'] for s in d['sessions'] if s['identity'] == '$HOME_PFX::$n']")
	[ "$sb" = "${HOME_BE[$n]}/src" ] || die "sessions for $HOME_PFX::$n: '$sb', want one: ${HOME_BE[$n]}/src"
done
ok "one session per node, created by src at home and reused by hoa"
