#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 18: health checks, `down`, a drain with a deadline, metrics.
#
# Service web (udp/80, l2-dsr) with health = tcp on port 80 at the
# defaults (interval 2 s, timeout 1 s, rise 2, fall 2).  Probes go to the
# VIP, marked for their backend; mip6lbd's tc egress program sends each to
# its backend as the datapath would (bpf/health.bpf.c).  300 nodes (HAO
# identities) hold sessions.
#  1. s2's server is killed: s2 goes down (the detection time is printed),
#     its sessions move to s1/s3 on their next packet, no other session
#     moves, no packet reaches s2 afterwards (the tap in front of it).
#  2. its server comes back: s2 is active, the moved sessions stay, new
#     nodes land on it again.
#  3. its link is unplugged at the switch: the same, detected by timeouts.
#  4. backend drain web s3 deadline 6: its sessions stay until the
#     deadline and move at it, not before.
#  4b. backend disable web s1: its sessions move at once (reason disabled),
#     no packet reaches it, its health checks go on; backend enable: back
#     for new nodes only, the moved ones stay.
#  Every move is counted under its reason (stats rehash: down, drained,
#  disabled), equal to the sessions that moved.
#  5. a scrape of metrics_listen during traffic passes promtool check
#     metrics, and its datapath counters lie between two `stats` reads.
. "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || skip "needs promtool (Debian package prometheus; make deps)"
setup_common
topo_create
write_conf
echo "metrics_listen = [::1]:9654" >>"$CONF"
conf_service web vip=$VIP proto=udp port=$PORT forward=l2-dsr health=tcp health_port=$PORT
conf_backends web
# The same backends behind an ip6ip6 VIP, checked over udp: the probe is
# encapsulated by the tc program and decapsulated by mip6lb-decap.
conf_service tun vip=$VIP_TUN proto=udp port=$PORT forward=ip6ip6 lb_addr=$LB_ADDR health=udp
conf_backends tun 1 1 1 decap
daemon_start

be_q() {  # be_q NAME EXPR: EXPR over backend NAME's row (b) in ${SVC:-web}
	ctl -j backend list "${SVC:-web}" | "$PY" -c '
import json, sys
name, expr = sys.argv[1:]
for b in json.load(sys.stdin)["backends"]:
    if b["name"] == name:
        print(eval(expr))' "$1" "$2"
}
be_state() { be_q "$1" 'b["state"]'; }
state_is() { [ "$(be_state "$1")" = "$2" ]; }
health_ok() { [ "$(be_q "$1" 'b["state"] + " " + str(b["health"] and b["health"]["last"])')" = "active ok" ]; }

# wait_state NAME STATE TENTHS: prints the seconds it took.
wait_state() {
	local t0=${EPOCHREALTIME/./} i
	for ((i = 0; i < $3 * 2; i++)); do
		state_is "$1" "$2" && { echo $(( (${EPOCHREALTIME/./} - t0) / 1000 )); return 0; }
		sleep 0.05
	done
	return 1
}

# round TAG FIRST LAST: one HAO packet from nodes FIRST..LAST; R[N] = backend.
declare -A R
round() {
	local tag=$1 n tok be
	for ((n = $2; n <= $3; n++)); do
		echo "if=a0 src=$A_PFX::4:$n dst=$VIP hoa=$HOME_PFX::4:$n tok=$tag-$n-$SUFFIX"
	done >"$TMP/specs"
	mn_batch "$TMP/specs" >"$TMP/got"
	R=()
	while read -r tok be; do
		n=${tok#$tag-}; n=${n%%-*}
		case $be in none|*,*) die "$tag: node $n's packet reached: $be" ;; esac
		R[$n]=$be
	done <"$TMP/got"
}
rehash_of() { ctl -j stats | pyq "d['rehash']['$1']"; }
count_on() { local n c=0; for n in "${!R[@]}"; do [ "${R[$n]}" = "$1" ] && c=$((c + 1)); done; echo $c; }
declare -A OLD
keep() { OLD=(); local n; for n in "${!R[@]}"; do OLD[$n]=${R[$n]}; done; }
taps() { local b; for b in $BACKENDS; do printf '%s ' "$(wc -l <"$TMP/$b.sniff")"; done; }

# check_moved DEAD: after a round over the OLD nodes, those on DEAD moved to
# live backends, every other one stayed; prints how many moved.
check_moved() {
	local dead=$1 n moved=0
	for n in "${!OLD[@]}"; do
		if [ "${OLD[$n]}" = "$dead" ]; then
			[ "${R[$n]}" != "$dead" ] || die "node $n is still on $dead"
			moved=$((moved + 1))
		else
			[ "${R[$n]}" = "${OLD[$n]}" ] ||
				die "node $n moved from ${OLD[$n]} to ${R[$n]}, but only $dead died"
		fi
	done
	echo $moved
}

server_pids() { ip netns pids "$(ns_be "$1")"; }
server_start() {
	local b=$1
	rm -f "$TMP/$b.ready"
	ip netns exec "$(ns_be "$b")" "$PY" "$NETNS_DIR/backend.py" --name "$b" \
		--bind "$VIP" --bind "$VIP_TUN" --port "$PORT" --ready "$TMP/$b.ready" \
		>>"$TMP/$b.out" 2>&1 &
	PIDS+=($!)
	wait_for 100 test -e "$TMP/$b.ready" || die "backend $b did not restart"
}

for b in $BACKENDS; do
	wait_for 100 health_ok "$b" || die "$b never passed a health probe: $(ctl -j backend list)"
done
for b in $BACKENDS; do
	SVC=tun wait_for 100 health_ok "$b" || die "tun/$b never passed a udp probe: $(ctl -j backend list tun)"
done
ok "all three backends pass their tcp probes to the VIP, and udp probes to the ip6ip6 VIP, through the tc program"

# ---- 1. the service dies ------------------------------------------------------
round a 1 300
keep
say "300 nodes: s1 $(count_on s1), s2 $(count_on s2), s3 $(count_on s3)"
[ "$(count_on s2)" -gt 0 ] || die "no node on s2 to begin with"
on_s2=$(count_on s2)
rehash0=$(ctl -j stats | pyq "d['counters']['session_rehash']['packets']")
down0=$(rehash_of down)
for pid in $(server_pids s2); do kill "$pid"; done
dt=$(wait_state s2 down 100) || die "s2 is not down 10 s after its server died"
say "server killed: s2 down after $dt ms ($(be_q s2 'b["health"]["last"]'))"
SVC=tun wait_for 50 state_is s2 down || die "tun/s2 (udp through ip6ip6) did not go down too"
say "and tun/s2 is down: $(SVC=tun be_q s2 'b["health"]["last"]')"
[ "$dt" -le 3000 ] || die "detection took $dt ms; refused probes should take at most ~2 s"
tap_before=$(taps)
round b 1 300
moved=$(check_moved s2)
[ "$moved" = "$on_s2" ] || die "$moved nodes moved, $on_s2 were on s2"
rehash=$(( $(ctl -j stats | pyq "d['counters']['session_rehash']['packets']") - rehash0 ))
[ "$rehash" = "$on_s2" ] || die "session_rehash counted $rehash, $on_s2 sessions were on s2"
down=$(( $(rehash_of down) - down0 ))
[ "$down" = "$on_s2" ] || die "session_rehash_down counted $down, $on_s2 sessions were on s2"
[ "$(wc -l <"$TMP/s2.sniff")" = "$(echo $tap_before | cut -d' ' -f2)" ] ||
	die "a packet reached s2 after it was down"
ok "s2 down: its $on_s2 sessions moved to s1/s3 ($rehash re-hashed, reason down $down), 0 of the other $((300 - on_s2)) moved, s2 got no packet"
keep

# ---- 2. it comes back -----------------------------------------------------------
server_start s2
dt=$(wait_state s2 active 100) || die "s2 is not active 10 s after its server came back"
say "server back: s2 active after $dt ms"
round c 1 300
for n in "${!OLD[@]}"; do
	[ "${R[$n]}" = "${OLD[$n]}" ] || die "node $n moved from ${OLD[$n]} to ${R[$n]} when s2 came back"
done
round d 301 600
[ "$(count_on s2)" -gt 0 ] || die "s2 took none of 300 new nodes after coming back"
ok "s2 active again: the 300 old nodes stayed where they were, it took $(count_on s2) of 300 new ones"
declare -A NEW
for n in "${!R[@]}"; do NEW[$n]=${R[$n]}; done

# ---- 3. its link is unplugged ----------------------------------------------------
round e 1 300
keep
for n in "${!NEW[@]}"; do OLD[$n]=${NEW[$n]}; done
on_s2=0
for n in "${!OLD[@]}"; do [ "${OLD[$n]}" = s2 ] && on_s2=$((on_s2 + 1)); done
down0=$(rehash_of down)
ip -n "$NS_SW" link set p-s2 down || die "unplugging s2"
dt=$(wait_state s2 down 100) || die "s2 is not down 10 s after its link went"
say "link down: s2 down after $dt ms ($(be_q s2 'b["health"]["last"]'))"
[ "$dt" -le 3500 ] || die "detection took $dt ms; timeouts take at most 3 s (interval + timeout, with the confirmation probe), plus this loop's polling"
tap_before=$(wc -l <"$TMP/s2.sniff")
: >"$TMP/all"
round f 1 300; for n in "${!R[@]}"; do echo "$n ${R[$n]}"; done >>"$TMP/all"
round f2 301 600; for n in "${!R[@]}"; do echo "$n ${R[$n]}"; done >>"$TMP/all"
R=(); while read -r n b; do R[$n]=$b; done <"$TMP/all"
moved=$(check_moved s2)
[ "$moved" = "$on_s2" ] || die "$moved nodes moved, $on_s2 were on s2"
down=$(( $(rehash_of down) - down0 ))
[ "$down" = "$on_s2" ] || die "session_rehash_down counted $down, $on_s2 sessions were on s2"
# (The tap is on the switch port, which was down: nothing could pass it.)
[ "$(wc -l <"$TMP/s2.sniff")" = "$tap_before" ] || die "a packet reached s2 after it was down"
ip -n "$NS_SW" link set p-s2 up
# The tap's packet socket did not survive its port going down: a new one.
rm -f "$TMP/s2.tap-ready"
ip netns exec "$NS_SW" "$PY" "$NETNS_DIR/backend.py" --name s2-tap --tap p-s2 \
	--mac "$(be_mac s2)" --log "$TMP/s2.sniff" --ready "$TMP/s2.tap-ready" >>"$TMP/s2.out" 2>&1 &
PIDS+=($!)
wait_for 100 test -e "$TMP/s2.tap-ready" || die "the tap for s2 did not restart"
ok "link down: its $on_s2 sessions moved (reason down $down), 0 of the other $((600 - on_s2)) moved"
dt=$(wait_state s2 active 150) || die "s2 is not active 15 s after its link came back"
say "link up: s2 active after $dt ms"

# ---- 4. a drain with a deadline -------------------------------------------------
round g 1 300
keep
on_s3=$(count_on s3)
[ "$on_s3" -gt 0 ] || die "no node on s3 to drain"
drained0=$(rehash_of drained)
ctl backend drain web s3 deadline 6 || die "backend drain web s3 deadline 6"
t0=${EPOCHREALTIME/./}
[ "$(be_state s3)" = drained ] || die "s3 is not drained"
left=$(be_q s3 'b["sessions"]')
[ "$left" -ge "$on_s3" ] || die "backend list shows $left sessions on s3, $on_s3 nodes are there"
round h 1 300
el=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
[ "$el" -lt 6000 ] || die "the round before the deadline took too long ($el ms) to prove anything"
for n in "${!OLD[@]}"; do
	[ "${R[$n]}" = "${OLD[$n]}" ] || die "node $n moved from ${OLD[$n]} to ${R[$n]} before the deadline"
done
[ "$(be_q s3 'b["drain_expired"]')" = False ] || die "the drain expired early"
[ "$(rehash_of drained)" = "$drained0" ] || die "sessions re-hashed (reason drained) before the deadline"
ok "drain s3 (deadline 6 s): $left sessions remain on it, all $on_s3 nodes stayed before the deadline"
expired() { [ "$(be_q s3 'b["drain_expired"]')" = True ]; }
wait_for 100 expired || die "the deadline never passed"
el=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
[ "$el" -ge 6000 ] || die "the drain expired after $el ms, before its deadline"
round i 1 300
moved=$(check_moved s3)
[ "$moved" = "$on_s3" ] || die "$moved nodes moved at the deadline, $on_s3 were on s3"
drained=$(( $(rehash_of drained) - drained0 ))
[ "$drained" = "$on_s3" ] || die "session_rehash_drained counted $drained, $on_s3 sessions were on s3"
ok "deadline passed after $el ms: the $on_s3 nodes on s3 moved on their next packet (reason drained $drained), no other did"

# ---- 4b. disable and enable -----------------------------------------------------
ctl backend undrain web s3 || die "backend undrain web s3"
round k 1 300
keep
on_s1=$(count_on s1)
[ "$on_s1" -gt 0 ] || die "no node on s1 to disable"
disabled0=$(rehash_of disabled)
probe0=$(be_q s1 'b["health"]["last_probe"]')
ctl backend disable web s1 || die "backend disable web s1"
[ "$(be_state s1)" = disabled ] || die "s1 is not disabled: $(be_state s1)"
tap_before=$(taps)
round l 1 300
moved=$(check_moved s1)
[ "$moved" = "$on_s1" ] || die "$moved nodes moved when s1 was disabled, $on_s1 were on it"
disabled=$(( $(rehash_of disabled) - disabled0 ))
[ "$disabled" = "$on_s1" ] || die "session_rehash_disabled counted $disabled, $on_s1 sessions were on s1"
[ "$(wc -l <"$TMP/s1.sniff")" = "$(echo $tap_before | cut -d' ' -f1)" ] ||
	die "a packet reached s1 after it was disabled"
probed() { [ "$(be_q s1 'b["health"]["last_probe"]')" != "$probe0" ]; }
wait_for 100 probed || die "no health probe of s1 while it is disabled"
[ "$(be_q s1 'b["health"]["last"]')" = ok ] || die "s1's probe while disabled: $(be_q s1 'b["health"]')"
[ "$(be_state s1)" = disabled ] || die "a passing probe brought s1 back from disabled"
ok "s1 disabled: its $on_s1 sessions moved at once (reason disabled $disabled), 0 others moved, s1 got no packet, its checks go on ($(be_q s1 'b["health"]["last"]'))"
keep
ctl backend enable web s1 || die "backend enable web s1"
[ "$(be_state s1)" = active ] || die "s1 is not active after enable: $(be_state s1)"
round m 1 300
for n in "${!OLD[@]}"; do
	[ "${R[$n]}" = "${OLD[$n]}" ] || die "node $n moved from ${OLD[$n]} to ${R[$n]} when s1 was enabled"
done
round n 901 1200
[ "$(count_on s1)" -gt 0 ] || die "s1 took none of 300 new nodes after enable"
ok "s1 enabled: the 300 old nodes stayed where they were, it took $(count_on s1) of 300 new ones"

# ---- 5. metrics ---------------------------------------------------------------------
scrape() { nsenter --net="/run/netns/$NS_LB" curl -sf "http://[::1]:9654/metrics"; }
round j 601 900 &
traffic=$!
sleep 0.3
ctl -j stats >"$TMP/stats1"
scrape >"$TMP/scrape" || die "no answer from metrics_listen"
ctl -j stats >"$TMP/stats2"
wait $traffic
promtool check metrics <"$TMP/scrape" >"$TMP/promtool" 2>&1 || die "promtool: $(cat "$TMP/promtool")"
"$PY" - "$TMP/stats1" "$TMP/stats2" "$TMP/scrape" <<'PYEOF' || die "metrics do not match stats"
import json, re, sys
s1, s2 = (json.load(open(f))["counters"] for f in sys.argv[1:3])
got = {}
for line in open(sys.argv[3]):
    m = re.match(r'mip6lb_datapath_(packets|bytes)_total\{counter="([a-z_0-9]+)"\} (\d+)$', line)
    if m:
        got[(m[2], m[1])] = int(m[3])
assert got, "no datapath counters in the scrape"
for (name, unit), v in got.items():
    lo, hi = s1[name][unit], s2[name][unit]
    assert lo <= v <= hi, f"{name} {unit}: scrape {v}, stats {lo}..{hi}"
assert set(n for n, _ in got) == set(s1), "counters differ"
r1, r2 = (json.load(open(f))["rehash"] for f in sys.argv[1:3])
rh = {}
for line in open(sys.argv[3]):
    m = re.match(r'mip6lb_session_rehash_total\{reason="([a-z]+)"\} (\d+)$', line)
    if m:
        rh[m[1]] = int(m[2])
assert set(rh) == set(r1) == {"down", "drained", "disabled", "removed"}, f"reasons {rh}"
for reason, v in rh.items():
    assert r1[reason] <= v <= r2[reason], f"rehash {reason}: scrape {v}, stats {r1[reason]}..{r2[reason]}"
assert rh["down"] > 0 and rh["drained"] > 0 and rh["disabled"] > 0, f"reasons {rh}"
print(f"{len(got)} counter series and {len(rh)} re-hash reasons within the two stats reads")
PYEOF
grep -q '^mip6lb_backend_state{service="web",backend="s1",state="active"} 1$' "$TMP/scrape" ||
	die "the scrape does not say s1 is active"
grep -q '^mip6lb_backend_state{service="web",backend="s1",state="disabled"} 0$' "$TMP/scrape" ||
	die "the scrape has no disabled state series for s1"
for t in sessions coa probation; do
	grep -q "^mip6lb_backend_sessions{service=\"web\",backend=\"s1\",table=\"$t\"} [0-9]*\$" \
		"$TMP/scrape" || die "the scrape has no $t session count for s1"
done
ok "a scrape during traffic passes promtool check metrics ($(grep -c '^# TYPE' "$TMP/scrape") families) and matches stats"
