#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 13: what the balancer refuses.  With a node subscribed through its
# Home Agent (as in scenario 11), the agent's genuine BINDING_NOTIFY for CoA
# B is captured off the Home Agent's link, the node moves on to CoA A, and
# then, from the Home Agent's own address:
#   - the captured datagram is sent again (a replay),
#   - a notification moving the node to an attacker's address, MAC'd with
#     the wrong key (forged), and one under a key id the peer does not have,
#   - a correctly MAC'd notification for a home address outside the Home
#     Agent's prefix (not its to speak for),
# the right key from the Home Agent's address but another source port
# than the agent's, and the right key from an address that is no peer's.  None of them changes
# the binding, the sessions or where the node's packets go; each shows up in
# `mip6lbctl -j peer list` under its own reason.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
ha_create
ha_agent_start bu
key_new "$TMP/wrong.key"

write_conf
conf_service web vip=$VIP proto=udp port=$PORT identity=hoa,spi,iid,src forward=l2-dsr notify=ha
conf_backends web
conf_peer ha1 addr=$HA_ADDR role=ha home_prefix=$HOME_PFX::/64 key_file=$TMP/ha.key
daemon_start

EVIL=2001:db8:b::666
tok=$(new_token first)
mn_send "if=a0 src=$COA_A dst=$VIP hoa=$HOA tok=$tok"
first=$(expect_one "$tok")
# No binding at the agent yet: no_binding, and its watch subscribes the
# balancer when the Binding Update below comes (issue 12).
wait_no_binding 1 || die "the agent did not answer no_binding for $HOA"
say "node $HOA: first packet (HAO from $COA_A) on $first, answered no_binding"

# The agent's genuine notification for CoA B, captured as it leaves.
rm -f "$TMP/cap.ready"
notifytool capture --if eth0 --out "$TMP/genuine.hex" --timeout 10 --ready "$TMP/cap.ready" \
	>"$TMP/cap.out" 2>&1 &
cap=$!
PIDS+=($cap)
wait_for 50 test -e "$TMP/cap.ready" || die "capture did not start"
ha_bu "$HOA" "$COA_B" 200 600 H
wait "$cap" || die "no BINDING_NOTIFY seen on the Home Agent's link: $(cat "$TMP/cap.out")"
wait_binding "$HOA" "$COA_B" || die "the balancer never learnt $HOA at $COA_B"
ha_bu "$HOA" "$COA_A" 201 600 H
wait_binding "$HOA" "$COA_A" || die "the balancer never learnt $HOA back at $COA_A"
ok "captured the agent's genuine notification for $COA_B ($(($(wc -c <"$TMP/genuine.hex") / 2)) bytes), then the node moved back to $COA_A"

# The state every rejected message must leave alone.
snapshot() {
	ctl -j session list | pyq "sorted((s['kind'], s['identity'], s['backend'], s['lifetime_s']) for s in d['sessions'])"
	binding_q '(b["coa"], b["old_coas"], b["binding_seq"], b["lifetime_s"])' "$HOA"
}
snapshot >"$TMP/before"
acc0=$(peer_q ha1 'p["accepted"]')

# expect_reason REASON DESCRIPTION: that rejection counter went to exactly 1.
reason_is() { [ "$(peer_q ha1 "p['rejected']['$1']")" = "$2" ]; }
expect_reason() {
	wait_for 30 reason_is "$1" 1 ||
		die "$2: rejected.$1 = $(peer_q ha1 "p['rejected']['$1']"), want 1 ($(peer_q ha1 'p["rejected"]'))"
	ok "$2: rejected as $1"
}

notifytool replay --in "$TMP/genuine.hex" --src "$HA_ADDR" --sport "$NOTIFY_PORT" --to "$LB_ADDR" ||
	die "replay failed to send"
expect_reason replay "the captured notification for $COA_B, sent again"

notifytool send --key "$TMP/wrong.key" --sender 1 --src "$HA_ADDR" --sport "$NOTIFY_PORT" --to "$LB_ADDR" \
	notify "$HOA" "$EVIL" "$COA_A" --bseq 202 || die "forged send failed"
expect_reason bad_mac "a notification moving $HOA to $EVIL, MAC'd with the wrong key"

notifytool send --key "$TMP/ha.key" --key-id 9 --sender 1 --src "$HA_ADDR" --sport "$NOTIFY_PORT" --to "$LB_ADDR" \
	notify "$HOA" "$EVIL" "$COA_A" --bseq 203 || die "unknown-key send failed"
expect_reason unknown_key "the same under key id 9, which peer ha1 does not have"

notifytool send --key "$TMP/ha.key" --sender 42 --src "$HA_ADDR" --sport "$NOTIFY_PORT" --to "$LB_ADDR" \
	notify 2001:db8:200::7 "$EVIL" --bseq 1 || die "not-authoritative send failed"
expect_reason not_authoritative "a correctly MAC'd notification for 2001:db8:200::7, outside ha1's home prefix"

notifytool send --key "$TMP/ha.key" --sender 1 --src "$HA_ADDR" --sport $((NOTIFY_PORT + 1)) \
	--to "$LB_ADDR" notify "$HOA" "$EVIL" "$COA_A" --bseq 205 || die "wrong-port send failed"
expect_reason wrong_port "a correctly MAC'd notification from the Home Agent's address but port $((NOTIFY_PORT + 1))"

ip -n "$NS_HA" -6 addr add "$HA_PFX::66/64" dev eth0 nodad
unknown0=$(peer_q ha1 'd["unknown_peer"]')
notifytool send --key "$TMP/ha.key" --sender 1 --src "$HA_PFX::66" --to "$LB_ADDR" \
	notify "$HOA" "$EVIL" "$COA_A" --bseq 204 || die "rogue send failed"
unknown_is() { [ "$(peer_q ha1 'd["unknown_peer"]')" = "$1" ]; }
wait_for 30 unknown_is $((unknown0 + 1)) ||
	die "a notification from $HA_PFX::66 was not counted as unknown_peer"
ok "the right key from $HA_PFX::66, which is no peer's address: counted as unknown_peer"

snapshot >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" ||
	die "a rejected message changed something: $(diff "$TMP/before" "$TMP/after")"
[ "$(peer_q ha1 'p["accepted"]')" = "$acc0" ] || die "accepted moved from $acc0 to $(peer_q ha1 'p["accepted"]')"
[ "$(session_backend web coa "$EVIL")" = none ] || die "a coa session for $EVIL exists"
[ "$(binding_coa "$HOA")" = "$COA_A" ] || die "binding of $HOA is now $(binding_coa "$HOA")"
ok "sessions, binding ($HOA at $COA_A) and the accepted count ($acc0) are exactly as before"

# The node's kernel answers the backend's reply to a crafted packet with
# Port Unreachable to the VIP, which follows the same coa session
# (docs/icmpv6.md) whenever it arrives: count the node's own packets only,
# from one snapshot.
coa_own() { ctl -j stats | pyq "d['kinds']['coa']['packets'] - d['counters']['icmp_error_session']['packets']"; }
coa0=$(coa_own)
tok=$(new_token after)
mn_send "if=a0 src=$COA_A dst=$VIP tok=$tok"
be=$(expect_one "$tok")
[ "$be" = "$first" ] || die "plain packet from $COA_A reached $be after the rejections, the node is on $first"
[ $(( $(coa_own) - coa0 )) = 1 ] || die "the plain packet from $COA_A did not use its coa session"
ok "plain packets from $COA_A still reach $first"

ctl -j peer list | pyq "d['peers'][0]['rejected']" | sed "s/^/$TEST_NAME: rejected: /"
for r in replay bad_mac unknown_key not_authoritative wrong_port; do
	[ "$(peer_q ha1 "p['rejected']['$r']")" = 1 ] || die "rejected.$r is not 1 at the end"
done
others=$(peer_q ha1 "sum(v for k, v in p['rejected'].items() if k not in ('replay', 'bad_mac', 'unknown_key', 'not_authoritative', 'wrong_port'))")
[ "$others" = 0 ] || die "other rejection reasons counted: $(peer_q ha1 'p["rejected"]')"
