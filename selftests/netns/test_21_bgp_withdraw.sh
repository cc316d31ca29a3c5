#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Scenario 21: the VIP announcement follows mip6lbd (issue 15).  Three
# instances behind a router that learns the VIP from each over BGP (BIRD
# everywhere) and spreads packets with kernel multipath (lib_ecmp.sh):
#   - the router has 3 next hops for the VIP, and traffic from many
#     identities reaches the backends through all three instances;
#   - kill -9 of one mip6lbd, its BIRD still running: the router loses that
#     next hop (the time is printed, the bound is only generous: the figure
#     is the bench row withdraw-ms) and traffic goes on through the others;
#   - started again, the instance's next hop comes back, never before its
#     mip6lbd says it is ready;
#   - SIGTERM withdraws too.
# MIP6LB_BENCH_OUT=FILE: also write "withdraw-ms MODE MS" lines there (the
# bench's withdraw phase, selftests/bench/withdraw_rows.c).
. "$(dirname "$0")/lib_ecmp.sh"

# Generous: a withdrawal normally takes a few ms; the issue asks for 3 s.
BOUND_MS=3000
IDS=240

ecmp_setup
ecmp_conf
conf_service web vip=$ECMP_VIP proto=udp port=$PORT forward=l2-dsr
ecmp_conf_backends web
for ((n = 1; n <= ECMP_N; n++)); do
	ecmp_lb_start $n
	ecmp_bird_start $n
done
for ((n = 1; n <= ECMP_N; n++)); do
	ecmp_lb_wait_ready $n || die "lb$n never became ready: $(ecmp_ctl $n status)"
done
ecmp_wait_nexthops 3 300 || die "the router did not learn the VIP from 3 instances: $(ecmp_nexthops | tr '\n' ' ')"
ok "the router has 3 multipath next hops for $ECMP_VIP: $(ecmp_nexthops | tr '\n' ' ')"
# What docs/scale-out.md says of BIRD: a multipath route, not a nexthop
# object (so hash-threshold, not resilient).
route=$(ip -n "$NS_R" -6 route show "$ECMP_VIP")
say "router: $(echo "$route" | tr '\n\t' '  ')"
! echo "$route" | grep -q nhid || say "note: BIRD installed the VIP through a nexthop object"
ip -n "${NS_LBS[1]}" -6 route show table $ECMP_TABLE | grep -q "^$ECMP_VIP dev mip6lb-vips proto 241" ||
	die "lb1 has no /128 through its VIP device in table $ECMP_TABLE"
! ip -n "${NS_LBS[1]}" -6 addr show | grep -qF "$ECMP_VIP" || die "the VIP is a local address on lb1"

# batch TAG: IDS identities, one plain UDP packet each, from distinct sources.
batch() {
	local i
	for ((i = 1; i <= IDS; i++)); do
		echo "if=a0 src=$A_PFX::$1:$i dst=$ECMP_VIP sport=$((20000 + i)) tok=$1-$i-$SUFFIX"
	done >"$TMP/$1.specs"
	ecmp_send "$TMP/$1.specs"
	ecmp_served "$TMP/$1.specs" >"$TMP/$1.be"
	ecmp_via "$TMP/$1.specs" >"$TMP/$1.via"
	lost=$(awk '$2 == "none"' "$TMP/$1.be" | wc -l)
	multi=$(awk '$2 ~ /,/' "$TMP/$1.be" | wc -l)
	[ "$lost" = 0 ] || die "$1: $lost of $IDS packets reached no backend"
	[ "$multi" = 0 ] || die "$1: $multi of $IDS packets reached several backends"
}
per_lb() {   # TAG: "lb1 N lb2 N lb3 N"
	local n out=
	for ((n = 1; n <= ECMP_N; n++)); do
		out="$out lb$n $(awk -v l=lb$n '$2 == l' "$TMP/$1.via" | wc -l)"
	done
	echo "${out# }"
}

batch a
spread=$(per_lb a)
for ((n = 1; n <= ECMP_N; n++)); do
	c=$(awk -v l=lb$n '$2 == l' "$TMP/a.via" | wc -l)
	[ "$c" -gt 0 ] || die "no packet went through lb$n ($spread)"
done
ok "$IDS identities all reached a backend, through every instance ($spread)"

bench_out() { [ -z "${MIP6LB_BENCH_OUT:-}" ] || echo "withdraw-ms $1 $2" >>"$MIP6LB_BENCH_OUT"; }

# withdrawn N T0: wait until lbN is no next hop; prints the ms since T0.
withdrawn() {
	local i now
	for ((i = 0; i < 1000; i++)); do
		if ! ecmp_has_nexthop "$1"; then
			now=$(ecmp_ms_now)
			echo $((now - $2))
			return 0
		fi
		sleep 0.01
	done
	return 1
}

# ---- kill -9 ---------------------------------------------------------------
bird_pid=$(cat "$TMP/bird-lb2.pid")
t0=$(ecmp_ms_now)
ecmp_lb_kill9 2
ms=$(withdrawn 2 "$t0") || die "lb2's next hop is still there 10 s after kill -9"
kill -0 "$bird_pid" 2>/dev/null || die "BIRD in lb2 died with mip6lbd"
ok "kill -9 of lb2's mip6lbd (BIRD still running): next hop gone from the router after $ms ms"
say "withdraw-ms kill9 $ms"
bench_out kill9 "$ms"
[ "$ms" -le "$BOUND_MS" ] || die "withdrawal took $ms ms, more than $BOUND_MS"
ip -n "${NS_LBS[2]}" link show mip6lb-vips >/dev/null 2>&1 &&
	die "lb2's VIP device outlived its mip6lbd"
ecmp_count_is 2 || die "the router should keep 2 next hops: $(ecmp_nexthops | tr '\n' ' ')"

batch b
c=$(awk '$2 == "lb2"' "$TMP/b.via" | wc -l)
[ "$c" = 0 ] || die "$c packets still went to lb2 after its withdrawal"
ok "traffic goes on through the survivors: $IDS identities served ($(per_lb b))"

# ---- restart: back only once ready ------------------------------------------------
# From the moment it is started, sample the router, then the daemon (no
# answer yet counts as not ready): a next hop seen before a "not ready"
# answer that came after it would be an announcement ahead of readiness.
ecmp_lb_spawn 2
ecmp_watch_until_ready 2 500
early=$READY_EARLY samples=$READY_SAMPLES
ecmp_lb_ready 2 || die "lb2 never became ready after its restart: $(ecmp_ctl 2 status)"
ecmp_lb_up 2 || die "lb2 is ready but its program is not attached"
[ $early = 0 ] || die "the router had lb2's next hop while lb2 said it was not ready ($early samples)"
t0=$(ecmp_ms_now)
ecmp_wait_nexthops 3 100 || die "lb2's next hop did not come back: $(ecmp_nexthops | tr '\n' ' ')"
ok "restarted lb2: next hop back $(( $(ecmp_ms_now) - t0 )) ms after it reported ready ($samples not-ready samples, none with the next hop)"
batch c
c=$(awk '$2 == "lb2"' "$TMP/c.via" | wc -l)
[ "$c" -gt 0 ] || die "no traffic through lb2 after it came back ($(per_lb c))"
ok "lb2 takes traffic again ($(per_lb c))"

# ---- SIGTERM ------------------------------------------------------------------------
t0=$(ecmp_ms_now)
ecmp_lb_stop 3
ms=$(withdrawn 3 "$t0") || die "lb3's next hop is still there 10 s after SIGTERM"
ok "SIGTERM of lb3's mip6lbd: next hop gone from the router after $ms ms"
say "withdraw-ms sigterm $ms"
bench_out sigterm "$ms"
[ "$ms" -le "$BOUND_MS" ] || die "withdrawal took $ms ms, more than $BOUND_MS"
grep -q "announce: withdrawing" "$TMP/lb3-mip6lbd.log" || die "lb3 did not log its withdrawal"
