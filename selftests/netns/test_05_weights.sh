#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 5: 1,000 mobile nodes (each its own home address, sent in an HAO
# from its own CoA) over three backends weighted 1:1:2.  Each backend's
# share of the sessions is within 15% of its weight's share (250, 250, 500),
# and the daemon's per-backend counters agree with what each backend's
# sniffer actually received.
. "$(dirname "$0")/lib.sh"

N=1000
setup_common
topo_create
write_conf
conf_service web vip=$VIP proto=udp port=$PORT forward=l2-dsr
conf_backends web 1 1 2
daemon_start

# Home addresses with pseudo-random interface identifiers (a fixed seed, so
# every run sends the same set), each from its own CoA on link A.
"$PY" - "$N" "$HOME_PFX" "$A_PFX" "$VIP" "$SUFFIX" >"$TMP/specs" <<'EOF2'
import random, sys
n, home, coa, vip, suffix = int(sys.argv[1]), *sys.argv[2:]
rnd = random.Random(6275)
for i in range(1, n + 1):
    iid = ":".join("%x" % rnd.getrandbits(16) for _ in range(4))
    print("if=a0 src=%s:0:%s dst=%s hoa=%s:0:%s tok=bulk-%s-%d" % (coa, iid, vip, home, iid, suffix, i))
EOF2
t0=${EPOCHREALTIME/./}
mn_batch "$TMP/specs" >"$TMP/got"
say "sent $N HAO packets in $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"

declare -A SNIFF=([s1]=0 [s2]=0 [s3]=0)
lost=0; dup=0
while read -r tok be; do
	case $be in
	none) lost=$((lost + 1)) ;;
	*,*)  dup=$((dup + 1)) ;;
	*)    SNIFF[$be]=$((SNIFF[$be] + 1)) ;;
	esac
done <"$TMP/got"
[ $lost = 0 ] && [ $dup = 0 ] || die "$lost packets reached no backend, $dup several"

ctl -j session list web >"$TMP/sessions.json"
ctl -j stats >"$TMP/stats.json"
total_w=4
for b in $BACKENDS; do
	case $b in s3) w=2 ;; *) w=1 ;; esac
	want=$((N * w / total_w))
	sess=$(pyq "len([s for s in d['sessions'] if s['backend'] == '$b' and s['kind'] == 'hoa'])" <"$TMP/sessions.json")
	pk=$(pyq "[x['packets'] for x in d['backends'] if x['service'] == 'web' and x['name'] == '$b'][0]" <"$TMP/stats.json")
	lo=$((want * 85 / 100)); hi=$((want * 115 / 100))
	say "$b (weight $w): $sess sessions, $pk packets counted, ${SNIFF[$b]} received; share $want +-15% = $lo..$hi"
	# Exact: |sess - N*w/total| <= 15% of N*w/total, in integers.
	d=$((sess * total_w * 100 - N * w * 100)); d=${d#-}
	[ "$d" -le $((N * w * 15)) ] || die "$b has $sess sessions, more than 15% off its share $want"
	[ "$pk" = "${SNIFF[$b]}" ] || die "$b: the daemon counts $pk packets, its sniffer got ${SNIFF[$b]}"
	[ "$pk" = "$sess" ] || die "$b: $pk packets but $sess sessions (one packet per node)"
done
ok "1000 identities over weights 1:1:2: every share within 15% of its weight"
