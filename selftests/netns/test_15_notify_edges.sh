#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 15: the notification decisions of docs/agent.md, end to end.
#   1. A notification for a home address that has no session anywhere (the
#      node has not sent its first packet): accepted, remembered in the
#      binding table with no session, counted as no_session, nothing written
#      to the maps.  The node's first packet then creates the coa session for
#      the remembered CoA at once, and subscribes.
#   2. A node whose sessions aged out before the Home Agent has its binding
#      (the agent answered no_binding, issue 12; its watch tells the
#      balancer when the binding comes): the Home Agent's Binding Update is
#      remembered the same way; the node's
#      next packet, from the new CoA with an HAO, gets both sessions on one
#      backend, and its plain packets from there follow.
#   3. Deregistration (lifetime 0, CoA = home address): the binding goes,
#      the coa sessions already written stay until their own lifetimes end.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
ha_create
ha_agent_start bu

write_conf
echo "sweep_interval = 1" >>"$CONF"
conf_service web vip=$VIP proto=udp port=$PORT forward=l2-dsr lifetime=3 notify=ha
conf_backends web
conf_peer ha1 addr=$HA_ADDR role=ha home_prefix=$HOME_PFX::/64 key_file=$TMP/ha.key
daemon_start

NEW=$HOME_PFX::31        # never seen before the notification
AGED=$HOME_PFX::32       # seen, then aged out

count_sessions() { session_q "len(d['sessions'])"; }
has_session() { [ "$(session_backend web "$1" "$2")" != none ]; }
no_session_is() { [ "$(peer_q ha1 'p["no_session"]')" = "$1" ]; }

# ---- 1. before the first packet ------------------------------------------------
# Authenticated with the Home Agent's key (as a notification from it is),
# under a sender id of its own so it does not share the agent's replay window.
notifytool send --key "$TMP/ha.key" --sender 42 --src "$HA_ADDR" --sport "$NOTIFY_PORT" --to "$LB_ADDR" \
	notify "$NEW" "$B_PFX::31" --bseq 7 --lifetime 600 || die "sending the notification"
wait_binding "$NEW" "$B_PFX::31" || die "the notification for $NEW was not remembered"
wait_for 30 no_session_is 1 || die "no_session is $(peer_q ha1 'p["no_session"]'), want 1"
[ "$(binding_q 'b["session"]' "$NEW")" = None ] || die "binding $NEW lists a session"
[ "$(binding_q 'b["subscription"]' "$NEW")" = None ] || die "binding $NEW has a subscription"
[ "$(count_sessions)" = 0 ] || die "the notification wrote $(count_sessions) sessions"
ok "notification for $NEW before its first packet: remembered (coa $B_PFX::31), no_session 1, no map write"

tok=$(new_token new-first)
mn_send "if=a0 src=$A_PFX::31 dst=$VIP hoa=$NEW tok=$tok"
be=$(expect_one "$tok")
wait_for 30 has_session coa "$B_PFX::31" || die "the first packet's event did not create the coa session"
[ "$(session_backend web coa "$B_PFX::31")" = "$be" ] ||
	die "coa session $B_PFX::31 on $(session_backend web coa "$B_PFX::31"), the node's first packet on $be"
# The agent itself has no binding for NEW (the notification above was not
# its own): no_binding, no subscription (issue 12).
wait_no_binding 1 || die "the first packet did not ask the agent about $NEW"
[ "$(binding_q 'b["session"]' "$NEW")" = "web/$be" ] || die "binding $NEW: session $(binding_q 'b["session"]' "$NEW")"
tok=$(new_token new-plain)
mn_send "if=b0 src=$B_PFX::31 dst=$VIP tok=$tok"
[ "$(expect_one "$tok")" = "$be" ] || die "plain packet from $B_PFX::31 did not reach $be"
ok "its first packet (HAO from $A_PFX::31, on $be): coa session for $B_PFX::31 at once, asked the agent (no_binding), plain packets from $B_PFX::31 reach $be"

# ---- 2. sessions aged out, subscription alive ----------------------------------
tok=$(new_token aged-first)
mn_send "if=a0 src=$A_PFX::32 dst=$VIP hoa=$AGED tok=$tok"
old_be=$(expect_one "$tok")
wait_no_binding 2 || die "no SUBSCRIBE for $AGED answered"
wait_for 100 eval '! has_session hoa "$AGED"' || die "the session of $AGED did not age out"
say "$AGED: first packet on $old_be, answered no_binding; its session aged out"
ns0=$(peer_q ha1 'p["no_session"]')
n0=$(count_sessions)
ha_bu "$AGED" "$B_PFX::32" 300 600 H
wait_binding "$AGED" "$B_PFX::32" || die "the balancer never learnt $AGED at $B_PFX::32"
wait_for 30 no_session_is $((ns0 + 1)) || die "no_session did not count the notification for $AGED"
! has_session coa "$B_PFX::32" || die "a coa session for $B_PFX::32 was written with no session to carry"
ok "Binding Update for $AGED (no session left): remembered, no_session $((ns0 + 1)), nothing written ($n0 sessions before, $(count_sessions) after)"

tok=$(new_token aged-back)
mn_send "if=b0 src=$B_PFX::32 dst=$VIP hoa=$AGED tok=$tok"
be=$(expect_one "$tok")
wait_for 30 has_session coa "$B_PFX::32" || die "the node's new first packet did not create its coa session"
[ "$(session_backend web coa "$B_PFX::32")" = "$be" ] || die "coa session for $B_PFX::32 not on $be"
tok=$(new_token aged-plain)
mn_send "if=b0 src=$B_PFX::32 dst=$VIP tok=$tok"
[ "$(expect_one "$tok")" = "$be" ] || die "plain packet from $B_PFX::32 did not reach $be"
ok "its next packet (HAO from $B_PFX::32) is a first packet again, on $be: coa session at once, plain packets follow"

# ---- 3. deregistration ------------------------------------------------------------
# The agent knows AGED's binding (it saw the BU); home again, the node
# deregisters from its home address.
ha_bu "$AGED" "$AGED" 301 0 H
wait_for 50 eval '[ "$(binding_coa "$AGED")" = None ]' ||
	die "deregistration: binding of $AGED is $(binding_coa "$AGED")"
has_session coa "$B_PFX::32" || die "deregistration removed the coa session of $B_PFX::32"
ok "deregistration of $AGED (lifetime 0, CoA = home): binding dropped, its coa session left to age out"
