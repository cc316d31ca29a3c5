#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 11: notify = ha.  Three mobile nodes send their first packets with
# a Home Address option from CoA A; the balancer subscribes to their Home
# Agent, where mip6lb-agent --role ha watches the link.  Binding Updates for
# CoA B (Home Address option, Alternate Care-of Address option, flags H and
# A), acknowledged by the Home Agent's Binding Acknowledgements, cross that
# link as crafted frames; the agent notifies the balancer, which writes coa
# sessions.  The nodes' plain packets from CoA B, with no option at all, then
# reach their original backends; so do plain and HAO packets after a move
# back to CoA A, and B's entry outlives the move.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
ha_create
ha_agent_start ba

write_conf
conf_service web vip=$VIP proto=udp port=$PORT identity=hoa,spi,iid,src forward=l2-dsr notify=ha
conf_backends web
conf_peer ha1 addr=$HA_ADDR role=ha home_prefix=$HOME_PFX::/64 key_file=$TMP/ha.key
daemon_start

NODES="7 1:1 1:2"
declare -A FIRST

# send_phase NAME SPEC-TEMPLATE: one packet per node (the template's @ is the
# node's suffix), each must reach exactly one backend: its first one, once
# that is known.
send_phase() {
	local name=$1 tmpl=$2 n i tok be spec
	: >"$TMP/specs"
	for n in $NODES; do
		echo "${tmpl//@/$n} tok=$(new_token "$name-$n")" >>"$TMP/specs"
	done
	mn_batch "$TMP/specs" >"$TMP/got"
	i=0
	for n in $NODES; do
		i=$((i + 1))
		read -r tok be < <(sed -n "${i}p" "$TMP/got")
		spec=$(sed -n "${i}p" "$TMP/specs")
		case $be in none|*,*) die "[$name] packet $tok ($spec) reached: $be" ;; esac
		if [ -z "${FIRST[$n]:-}" ]; then
			FIRST[$n]=$be
		elif [ "${FIRST[$n]}" != "$be" ]; then
			die "[$name] home $HOME_PFX::$n was on ${FIRST[$n]}, its packet ($spec) reached $be"
		fi
		say "[$name] home $HOME_PFX::$n: ${spec% tok=*} -> $be"
	done
}

# ---- first packets: HAO from CoA A, then the subscriptions ---------------------
send_phase "first" "if=a0 src=$A_PFX::@ dst=$VIP hoa=$HOME_PFX::@"
# The agent has no binding for them yet: it answers no_binding and keeps
# nothing but a 30 s watch (issue 12), which the Binding Updates below use.
wait_no_binding 3 || die "the agent answered no_binding $(peer_q ha1 'p["no_binding"]') times, want 3"
ok "first packets with an HAO: one SUBSCRIBE per home address, answered no_binding by the agent"
[ "$(peer_q ha1 'p["subscriptions"]')" = 0 ] || die "peer ha1 has $(peer_q ha1 'p["subscriptions"]') subscriptions, want 0"

# ---- Binding Updates for CoA B on the Home Agent's link --------------------------
seq=100
for n in $NODES; do
	ha_bu "$HOME_PFX::$n" "$B_PFX::$n" $seq 600 HA
	ha_ba "$HOME_PFX::$n" "$B_PFX::$n" $seq 600 0
done
for n in $NODES; do
	wait_binding "$HOME_PFX::$n" "$B_PFX::$n" ||
		die "the balancer never learnt $HOME_PFX::$n at $B_PFX::$n (binding: $(binding_coa "$HOME_PFX::$n"))"
	sb=$(session_backend web coa "$B_PFX::$n")
	[ "$sb" = "${FIRST[$n]}" ] || die "coa session $B_PFX::$n -> $sb, the node is on ${FIRST[$n]}"
	wait_subscribed "$HOME_PFX::$n" || die "no active subscription for $HOME_PFX::$n after its binding"
done
[ "$(peer_q ha1 'p["subscriptions"]')" = 3 ] || die "peer ha1 has $(peer_q ha1 'p["subscriptions"]') subscriptions, want 3"
lt=$(session_q "sorted(set(s['lifetime_s'] for s in d['sessions'] if s['kind'] == 'coa'))")
[ "$lt" = 600 ] || die "coa sessions' lifetimes: $lt, want the notified 600"
ok "BU + BA for CoA B seen by the agent: coa sessions carry each node's backend, lifetime 600 s"

coa0=$(kind_count coa)
send_phase plain-B "if=b0 src=$B_PFX::@ dst=$VIP"
[ $(( $(kind_count coa) - coa0 )) -ge 3 ] || die "plain packets from CoA B were not balanced by their coa sessions"
ok "plain packets from CoA B, no HAO, reach the original backends (identity coa)"

# ---- back to CoA A ------------------------------------------------------------------
seq=101
for n in $NODES; do
	ha_bu "$HOME_PFX::$n" "$A_PFX::$n" $seq 600 HA
	ha_ba "$HOME_PFX::$n" "$A_PFX::$n" $seq 600 0
done
for n in $NODES; do
	wait_binding "$HOME_PFX::$n" "$A_PFX::$n" || die "the balancer never learnt $HOME_PFX::$n back at $A_PFX::$n"
	old=$(binding_q 'str(ipaddress.ip_address(b["old_coas"][0]))' "$HOME_PFX::$n")
	[ "$old" = "$B_PFX::$n" ] || die "binding $HOME_PFX::$n: old CoAs start with $old, want $B_PFX::$n"
done
send_phase plain-A "if=a0 src=$A_PFX::@ dst=$VIP"
send_phase hao-A "if=a0 src=$A_PFX::@ dst=$VIP hoa=$HOME_PFX::@"
send_phase plain-B-again "if=b0 src=$B_PFX::@ dst=$VIP"
ok "back at CoA A (plain and HAO) the nodes keep their backends, and CoA B's entry is still there"

# ---- what the CLI shows ---------------------------------------------------------------
ctl binding list >"$TMP/bl.txt" || die "mip6lbctl binding list failed"
ctl peer list >"$TMP/pl.txt" || die "mip6lbctl peer list failed"
sed "s/^/$TEST_NAME: | /" "$TMP/bl.txt"
sed "s/^/$TEST_NAME: | /" "$TMP/pl.txt"
for col in HOME COA "OLD COAS" PEER "LIFETIME LEFT" SESSION SUBSCRIPTION; do
	head -n 1 "$TMP/bl.txt" | grep -q "$col" || die "binding list has no column $col"
done
for col in ROLE ADDR SUBS "LAST HEARD" ACCEPTED REJECTED; do
	head -n 1 "$TMP/pl.txt" | grep -q "$col" || die "peer list has no column $col"
done
[ "$(ctl -j binding list | pyq "len(d['bindings'])")" = 3 ] || die "binding list: want 3 rows"
for n in $NODES; do
	s=$(binding_q 'b["session"]' "$HOME_PFX::$n")
	[ "$s" = "web/${FIRST[$n]}" ] || die "binding $HOME_PFX::$n: session '$s', want web/${FIRST[$n]}"
done
acc=$(peer_q ha1 'p["accepted"]')
rej=$(peer_q ha1 'sum(p["rejected"].values())')
[ "$acc" -ge 9 ] && [ "$rej" = 0 ] || die "peer ha1: accepted $acc (want >= 9: 3 ACKs, 6 notifications), rejected $rej"
ok "binding list and peer list: home, CoA, old CoAs, peer, lifetime left, session; role, address, subscriptions, last heard, accepted ($acc), rejected per reason"

# ---- a restart: UNSUBSCRIBE on the way out, resync from the pinned sessions -----
daemon_stop
daemon_start
grep -q "notify: adopted pinned sessions: subscribing for 3 home addresses" "$TMP/mip6lbd.log" ||
	die "the restarted daemon did not resubscribe for the adopted sessions"
for n in $NODES; do
	wait_subscribed "$HOME_PFX::$n" || die "no subscription for $HOME_PFX::$n after the restart"
	# The agent knows the binding: its ACK says ok and the notification follows.
	wait_binding "$HOME_PFX::$n" "$A_PFX::$n" || die "no binding for $HOME_PFX::$n after the restart"
done
ok "restart: the adopted sessions' home addresses subscribed again, the agent re-sent their bindings"
seq=102
for n in $NODES; do
	ha_bu "$HOME_PFX::$n" "2001:db8:c::$n" $seq 600 HA
	ha_ba "$HOME_PFX::$n" "2001:db8:c::$n" $seq 600 0
done
for n in $NODES; do
	wait_binding "$HOME_PFX::$n" "2001:db8:c::$n" || die "no binding for $HOME_PFX::$n at 2001:db8:c::$n"
done
send_phase plain-C "if=b0 src=2001:db8:c::@ dst=$VIP"
ok "after the restart, a move to CoA C (2001:db8:c::/64) keeps every node on its backend"
