#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 7: `kill -9` the daemon while 60 nodes keep sending, then start it
# again.  The XDP program and the pinned maps outlive the daemon, so traffic
# is balanced all along; the new daemon adopts the pinned maps, so every
# live session keeps its backend, before, during and after.
. "$(dirname "$0")/lib.sh"

setup_common
topo_create
write_conf
conf_service web vip=$VIP proto=udp port=$PORT forward=l2-dsr
conf_backends web
daemon_start

NODES=60
for ((n = 1; n <= NODES; n++)); do
	echo "if=a0 src=$A_PFX::4:$n dst=$VIP hoa=$HOME_PFX::4:$n tok=n$n-$SUFFIX"
done >"$TMP/specs"
mn_batch "$TMP/specs" >"$TMP/got"
declare -A OLD
while read -r tok be; do
	n=${tok%%-*}; n=${n#n}
	case $be in none|*,*) die "node $n's first packet reached: $be" ;; esac
	OLD[$n]=$be
done <"$TMP/got"
ctl -j session list web | pyq "sorted((s['identity'], s['backend']) for s in d['sessions'])" >"$TMP/sessions.before"
say "60 sessions: s1 $(grep -c ' s1$' "$TMP/got"), s2 $(grep -c ' s2$' "$TMP/got"), s3 $(grep -c ' s3$' "$TMP/got")"

# Traffic in the background: every node, every 100 ms, for about 4 s.
ROUNDS=40
sed "s/tok=n/tok=bg-n/" "$TMP/specs" >"$TMP/bg.specs"
ip netns exec "$NS_MN" "$PY" "$NETNS_DIR/mn.py" send --gw "$MN_GW" --repeat $ROUNDS \
	--interval 0.1 - <"$TMP/bg.specs" >"$TMP/bg.out" 2>&1 &
bg=$!
PIDS+=($bg)
sleep 1
old_pid=$DAEMON_PID
daemon_kill9
ok "killed mip6lbd (pid $old_pid) with SIGKILL while traffic flows"
ip -n "$NS_LB" link show dev eth0 | grep -q xdp || die "the XDP program went away with the daemon"
before=$(grep -c . "$TMP/s1.sniff" "$TMP/s2.sniff" "$TMP/s3.sniff" | awk -F: '{s += $2} END {print s}')
sleep 0.5
after=$(grep -c . "$TMP/s1.sniff" "$TMP/s2.sniff" "$TMP/s3.sniff" | awk -F: '{s += $2} END {print s}')
[ "$after" -gt "$before" ] || die "no packet reached a backend while the daemon was dead"
ok "with no daemon the program stays attached and keeps balancing ($((after - before)) packets in 0.5 s)"

daemon_start
ok "mip6lbd restarted (pid $DAEMON_PID) on the same pins"
grep -iE "adopt|reus" "$TMP/mip6lbd.log" | tail -n 2 | sed "s/^/$TEST_NAME: daemon: /"
wait "$bg" || die "background sender failed: $(cat "$TMP/bg.out")"

# Every background packet, all rounds, before, during and after the restart.
for ((r = 1; r <= ROUNDS; r++)); do
	sed "s/\(tok=[^ ]*\)/\1-r$r/" "$TMP/bg.specs"
done >"$TMP/bg.all"
"$PY" "$NETNS_DIR/tokens.py" --dir "$TMP" --backends s1,s2,s3 "$TMP/bg.all" >"$TMP/bg.got"
lost=0; moved=0; shown=0
while read -r tok be; do
	n=${tok#bg-n}; n=${n%%-*}
	[ "$be" = "${OLD[$n]}" ] && continue
	[ "$be" = none ] && lost=$((lost + 1)) || moved=$((moved + 1))
	[ $shown -lt 5 ] && say "packet $tok: $be, node $n's session is on ${OLD[$n]}"
	shown=$((shown + 1))
done <"$TMP/bg.got"
[ $moved = 0 ] || die "$moved of $((NODES * ROUNDS)) background packets went to another backend than their session's"
# A restart must be hitless: the new daemon takes over the attached program
# (or replaces it atomically), it never leaves the interface without one.
[ $lost = 0 ] || die "$lost of $((NODES * ROUNDS)) background packets reached no backend (lost around the restart; see the attach lines of the log)"
ok "all $((NODES * ROUNDS)) background packets reached their node's backend across kill -9 and restart"

ctl -j session list web | pyq "sorted((s['identity'], s['backend']) for s in d['sessions'])" >"$TMP/sessions.after"
cmp -s "$TMP/sessions.before" "$TMP/sessions.after" || die "the restarted daemon lists other sessions: $(diff "$TMP/sessions.before" "$TMP/sessions.after" | head)"
sed "s/if=a0 src=$A_PFX/if=b0 src=$B_PFX/; s/tok=n/tok=post-n/" "$TMP/specs" >"$TMP/post.specs"
mn_batch "$TMP/post.specs" >"$TMP/post.got"
while read -r tok be; do
	n=${tok#post-n}; n=${n%%-*}
	[ "$be" = "${OLD[$n]}" ] || die "after the restart node $n (now on CoA B) went to $be, not ${OLD[$n]}"
done <"$TMP/post.got"
ok "after the restart: the same 60 sessions, and every node roaming to CoA B stays on its backend"
