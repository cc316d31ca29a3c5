# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# lib_ecmp.sh - several mip6lbd instances behind a router's ECMP, each
# announcing the VIPs over BGP with BIRD 2 (docs/scale-out.md).  Sourced by
# the scale-out scenarios after lib.sh's names; it sources lib.sh itself and
# reuses its helpers (say/ok/die/skip, wait_for, new_ns, veth, addr,
# backends_start and the taps, conf_service, pyq, tokens.py).
#
#   +--------+ a0          ra +--------+ lan0 ::fe (BIRD, AS 65000,
#   | client |----------------| router |  kernel multipath over the
#   +--------+ 2001:db8:a::/64 +--------+  next hops BGP taught it)
#                                  |
#     lan 2001:db8:1::/64   +------+-------- switch ns: br0 --------------------+
#                           | p-r  p-lb1..3 (xdp_pass, taps)  p-s1..4 (taps)    |
#                           +---+---------+---------+-------+----+----+----+----+
#                               |         |         |       |    |    |    |
#                          +----+---+ +---+----+ +--+-----+ s1   s2   s3   s4
#                          | lb1    | | lb2    | | lb3    |  ::1  ::2  ::3  ::4
#                          | ::11   | | ::12   | | ::13   |  (VIP on lo,
#                          | mip6lbd| | mip6lbd| | mip6lbd|   backend.py)
#                          | + BIRD | | + BIRD | | + BIRD |
#                          +--------+ +--------+ +--------+
#
# Each balancer namespace runs mip6lbd (XDP on eth0, announce = on: its TUN
# device mip6lb-vips and a /128 per VIP in table 200) and BIRD with
# packaging/bird/mip6lb-bird.conf, AS 65001, one BGP session to the router.
# The router's BIRD (AS 65000, merge paths) puts one multipath route per
# VIP into its main table.  Every balancer forwards l2-dsr to the same four
# backends.  Taps in the switch namespace log the payload tokens the bridge
# sends to each backend ($TMP/sN.sniff) and to each balancer ($TMP/lbN.sniff):
# which backend served a packet, and which instance ECMP picked.
#
# Names: every namespace carries lib.sh's random $SUFFIX, every file lives
# in $TMP, every pin dir under $PIN_DIR; nothing touches the host's
# interfaces, so it runs beside any other scenario.
#
# Functions (call ecmp_setup first; it does setup_common and everything up
# to running BIRD on the router):
#   ecmp_require                skip (77) with the probed reason unless bird,
#                               birdc and a TUN device are usable
#   ecmp_setup                  namespaces, links, bridge, taps, backends,
#                               the router's BIRD
#   ecmp_conf                   the shared config $CONF ([daemon] with
#                               interface eth0, native XDP, announce = on);
#                               append services with conf_service and
#                               ecmp_conf_backends
#   ecmp_conf_backends SVC      [backend SVC sN] for s1..s4, weight 1
#   ecmp_lb_start N [ARGS]      mip6lbd in lbN (pin dir $PIN_DIR/lbN, socket
#                               $TMP/lbN.sock, log $TMP/lbN-mip6lbd.log,
#                               config ECMP_CONF[N] if set, else $CONF),
#                               waits until it answers and XDP is attached;
#                               LB_PID[N] is its pid
#   ecmp_lb_flush N             mip6lbd --flush of lbN's pins (it is stopped)
#   ecmp_lb_spawn N [ARGS]      the same without waiting
#   ecmp_lb_wait_ready N [T]    until lbN's status says announce ready
#   ecmp_lb_kill9 N / ecmp_lb_stop N   SIGKILL / SIGTERM (waits for the exit)
#   ecmp_bird_start N           BIRD in lbN ($TMP/bird-lbN.conf, .ctl, .log)
#   ecmp_ctl N ARGS...          mip6lbctl on lbN's socket
#   ecmp_lb_ready N             exit 0 when lbN's announce is ready
#   ecmp_watch_until_ready N MAX   after ecmp_lb_spawn: sample the router, then
#                               lbN, every 20 ms (at most MAX times) until lbN
#                               says ready; READY_SAMPLES = the not-ready
#                               samples, READY_EARLY = those in which the
#                               router already had lbN's next hop (an
#                               announcement ahead of readiness)
#   ecmp_nexthops [VIP]         the router's next hops for VIP (sorted, one a
#                               line): the balancers it sends the VIP to
#   ecmp_wait_nexthops COUNT [TENTHS] [VIP]   until there are COUNT of them
#   ecmp_has_nexthop N [VIP]    lbN is one of them
#   ecmp_send FILE              send mn.py specs (one a line, if=a0) from
#                               the client
#   ecmp_served FILE            after ecmp_send: "TOKEN BACKEND" per spec
#   ecmp_via FILE               after ecmp_send: "TOKEN INSTANCE" per spec
#                               (lb1..lb3, "none" if no balancer got it)
#   ecmp_served_via FILE        both at once: "TOKEN BACKENDS INSTANCES",
#                               each "none" or a comma-separated list
#   ecmp_ha_create              the Home Agent's namespace and link (lib.sh's
#                               ha_create, checked against lb1's address)
#   ecmp_ms_now                 milliseconds (EPOCHREALTIME), for figures
#
# Variables: ECMP_N (3 instances), LB_ADDR_N (lbN's address: ecmp_lb_addr N),
# ECMP_VIP (= $VIP), BACKENDS="s1 s2 s3 s4", NS_LBS[N], ECMP_CONF[N].

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ECMP_N=3
BACKENDS="s1 s2 s3 s4"
ECMP_VIP=$VIP
ECMP_ROUTER_AS=65000
ECMP_LB_AS=65001
ECMP_TABLE=200
MN_GW="a0=$MAC_R_A"
declare -A LB_PID NS_LBS ECMP_CONF
for ((i = 1; i <= ECMP_N; i++)); do NS_LBS[$i]=mip6lb-lb$i-$SUFFIX; done
unset i
ecmp_lb_addr() { echo "$LAN_PFX::1$1"; }               # lb2 -> 2001:db8:1::12
ecmp_lb_mac()  { echo "02:00:00:00:01:1$1"; }

ecmp_ms_now() { echo $((${EPOCHREALTIME/./} / 1000)); }

# The probe every scale-out scenario runs first.  bird2 is installed by
# `make deps`; a host without it (or without TUN) skips with the reason.
ecmp_why_not() {
	command -v bird >/dev/null 2>&1 || [ -x /usr/sbin/bird ] ||
		{ echo "needs BIRD 2 (apt-get install bird2; make deps installs it)"; return 1; }
	command -v birdc >/dev/null 2>&1 || [ -x /usr/sbin/birdc ] ||
		{ echo "needs birdc (bird2 package)"; return 1; }
	bird --version 2>&1 | grep -q 'version 2\.' ||
		{ echo "needs BIRD 2, found: $(bird --version 2>&1 | head -n 1)"; return 1; }
	[ -c /dev/net/tun ] ||
		{ echo "no /dev/net/tun: mip6lbd's announce needs TUN (CONFIG_TUN; modprobe tun)"; return 1; }
	return 0
}
ecmp_require() {
	local why
	why=$(ecmp_why_not) || skip "$why"
}

# What a reader needs after a failure, besides lib.sh's.
dump_state() {
	[ -n "$TMP" ] && [ -d "$TMP" ] || return 0
	local n f
	echo "---- router: ip -6 route show $ECMP_VIP ----"
	ip -n "$NS_R" -6 route show "$ECMP_VIP" 2>&1
	for ((n = 1; n <= ECMP_N; n++)); do
		f=$TMP/lb$n-mip6lbd.log
		[ -s "$f" ] && { echo "---- lb$n mip6lbd log (last 15 lines) ----"; tail -n 15 "$f"; }
		echo "---- lb$n table $ECMP_TABLE ----"
		ip -n "${NS_LBS[$n]}" -6 route show table "$ECMP_TABLE" 2>&1
		[ -S "$TMP/bird-lb$n.ctl" ] &&
			{ echo "---- lb$n birdc show protocols ----"; birdc -s "$TMP/bird-lb$n.ctl" show protocols 2>&1; }
	done
	[ -S "$TMP/bird-r.ctl" ] &&
		{ echo "---- router birdc show route ----"; birdc -s "$TMP/bird-r.ctl" show route all 2>&1 | head -n 40; }
	return 0
}

# Stop the instances and the BIRDs with SIGTERM and wait for them (a clean
# log, the VIPs withdrawn), then lib.sh's teardown.
ecmp_teardown() {
	local rc=$? n f pid stop=()
	for ((n = 1; n <= ECMP_N; n++)); do
		[ -n "${LB_PID[$n]:-}" ] && stop+=("${LB_PID[$n]}")
	done
	for f in "$TMP"/bird-*.pid; do
		[ -s "$f" ] && stop+=("$(cat "$f")")
	done
	for pid in "${stop[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${stop[@]}"; do
		wait_gone "$pid" 30
		wait "$pid" 2>/dev/null
	done
	(exit $rc)
	teardown
}

ecmp_setup() {
	ecmp_require
	setup_common
	trap ecmp_teardown EXIT
	require_build "$XDP_PASS_OBJ" "$MIP6LBD" "$MIP6LBCTL"
	require_bpffs
	local n b ns p

	new_ns "$NS_MN"; new_ns "$NS_R"; new_ns "$NS_SW"
	for ((n = 1; n <= ECMP_N; n++)); do new_ns "${NS_LBS[$n]}"; done
	for b in $BACKENDS; do new_ns "$(ns_be "$b")"; done

	# Client: one link to the router; mn.py crafts any source on it.
	veth "$NS_MN" a0 "$MAC_MN_A" "$NS_R" ra "$MAC_R_A"
	addr "$NS_MN" a0 "$COA_A/64"; addr "$NS_R" ra "$A_PFX::1/64"
	ip -n "$NS_MN" -6 route add default via "$A_PFX::1" dev a0
	ip netns exec "$NS_MN" ethtool -K a0 tx off >/dev/null 2>&1

	# The lan.
	ip -n "$NS_SW" link add br0 type bridge stp_state 0 mcast_snooping 0 forward_delay 0
	ip -n "$NS_SW" link set br0 up
	veth "$NS_R" lan0 "$MAC_R_LAN" "$NS_SW" p-r
	for ((n = 1; n <= ECMP_N; n++)); do
		veth "${NS_LBS[$n]}" eth0 "$(ecmp_lb_mac $n)" "$NS_SW" "p-lb$n"
	done
	for b in $BACKENDS; do veth "$(ns_be "$b")" eth0 "$(be_mac "$b")" "$NS_SW" "p-$b"; done
	for p in p-r $(for ((n = 1; n <= ECMP_N; n++)); do echo "p-lb$n"; done) \
		 $(for b in $BACKENDS; do echo "p-$b"; done); do
		ip -n "$NS_SW" link set "$p" master br0
	done
	# XDP_TX out of a balancer's eth0 is dropped unless its peer runs XDP.
	for ((n = 1; n <= ECMP_N; n++)); do
		ip -n "$NS_SW" link set dev "p-lb$n" xdp obj "$XDP_PASS_OBJ" sec xdp ||
			die "xdp_pass on $NS_SW/p-lb$n"
	done

	# Router: forwards, and hashes IPv6 flows on L3 (the default policy 0:
	# source, destination, flow label, next header).
	ip netns exec "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1 \
		net.ipv6.fib_multipath_hash_policy=0 >/dev/null
	addr "$NS_R" lan0 "$R_LAN/64"

	# Balancers: ordinary hosts.
	for ((n = 1; n <= ECMP_N; n++)); do
		ns=${NS_LBS[$n]}
		addr "$ns" eth0 "$(ecmp_lb_addr $n)/64"
		ip -n "$ns" -6 route add default via "$R_LAN" dev eth0
	done

	# Backends: the VIP on lo, answers straight back through the router.
	for b in $BACKENDS; do
		ns=$(ns_be "$b")
		addr "$ns" eth0 "$(be_addr "$b")/64"
		ip -n "$ns" -6 route add default via "$R_LAN" dev eth0
		ip -n "$ns" -6 addr add "$ECMP_VIP/128" dev lo
		ip -n "$ns" -6 addr add "$VIP_TUN/128" dev lo   # backend.py serves both
	done
	backends_start
	# Taps in front of each balancer: which instance ECMP chose.
	for ((n = 1; n <= ECMP_N; n++)); do
		rm -f "$TMP/lb$n.tap-ready"
		ip netns exec "$NS_SW" "$PY" "$NETNS_DIR/backend.py" --name "lb$n-tap" \
			--tap "p-lb$n" --mac "$(ecmp_lb_mac $n)" --log "$TMP/lb$n.sniff" \
			--ready "$TMP/lb$n.tap-ready" >>"$TMP/lb$n.tap.out" 2>&1 &
		PIDS+=($!)
	done
	for ((n = 1; n <= ECMP_N; n++)); do
		wait_for 100 test -e "$TMP/lb$n.tap-ready" ||
			die "tap for lb$n did not start: $(cat "$TMP/lb$n.tap.out")"
	done
	ecmp_bird_start_router
}

# ---- BIRD ------------------------------------------------------------------
bird_run() {   # NS NAME CONF
	local ns=$1 name=$2 conf=$3
	bird -p -c "$conf" 2>"$TMP/bird-$name.log" ||
		die "BIRD refuses $conf: $(cat "$TMP/bird-$name.log")"
	ip netns exec "$ns" bird -f -c "$conf" -s "$TMP/bird-$name.ctl" \
		-P "$TMP/bird-$name.pid" >>"$TMP/bird-$name.log" 2>&1 &
	PIDS+=($!)
	wait_for 50 birdc -s "$TMP/bird-$name.ctl" show status >/dev/null 2>&1 ||
		die "BIRD in $ns did not come up: $(tail -n 5 "$TMP/bird-$name.log")"
}

ecmp_bird_start_router() {
	local n conf=$TMP/bird-r.conf
	{
		printf '# generated by %s (packaging/bird/router-bird.conf.example)\n' "$TEST_NAME"
		printf 'router id 192.0.2.1;\n'
		printf 'define VIP_PREFIXES = [ %s::/64{128,128} ];\n' "$VIP_PFX"
		sed -n '/^protocol device/,$p' "$SRC_DIR/packaging/bird/router-bird.conf.example" |
			sed '/^protocol bgp lb[0-9]/d; s/connect retry time 5/connect retry time 1/'
		for ((n = 1; n <= ECMP_N; n++)); do
			printf 'protocol bgp lb%d from balancer { neighbor %s as %d; }\n' \
				"$n" "$(ecmp_lb_addr $n)" "$ECMP_LB_AS"
		done
	} >"$conf"
	bird_run "$NS_R" r "$conf"
}

# ecmp_bird_start N: BIRD in lbN with the shipped snippet, as an operator
# would include it.
ecmp_bird_start() {
	local n=$1 conf=$TMP/bird-lb$1.conf
	{
		printf '# generated by %s\n' "$TEST_NAME"
		printf 'router id 192.0.2.1%d;\n' "$n"
		printf 'define MIP6LB_TABLE     = %d;\n' "$ECMP_TABLE"
		printf 'define MIP6LB_LOCAL     = %s;\n' "$(ecmp_lb_addr "$n")"
		printf 'define MIP6LB_LOCAL_AS  = %d;\n' "$ECMP_LB_AS"
		printf 'define MIP6LB_ROUTER    = %s;\n' "$R_LAN"
		printf 'define MIP6LB_ROUTER_AS = %d;\n' "$ECMP_ROUTER_AS"
		printf 'include "%s";\n' "$SRC_DIR/packaging/bird/mip6lb-bird.conf"
	} >"$conf"
	bird_run "${NS_LBS[$n]}" "lb$n" "$conf"
}

# ---- mip6lbd instances ---------------------------------------------------------
ecmp_conf() {
	cat >"$CONF" <<-EOF
	; SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
	; generated by $TEST_NAME (lib_ecmp.sh): the same file for every instance
	[daemon]
	interface = eth0
	xdp_mode = native
	announce = on
	announce_table = $ECMP_TABLE
	EOF
}

ecmp_conf_backends() {
	local b
	for b in $BACKENDS; do
		printf '[backend %s %s]\naddr = %s\nweight = 1\n' "$1" "$b" "$(be_addr "$b")" >>"$CONF"
	done
}

ecmp_ctl() { local n=$1; shift; "$MIP6LBCTL" -s "$TMP/lb$n.sock" "$@"; }

ecmp_lb_spawn() {
	local n=$1 ns=${NS_LBS[$1]}
	shift
	rm -f "$TMP/lb$n.sock"
	nsenter --net="/run/netns/$ns" "$MIP6LBD" -c "${ECMP_CONF[$n]:-$CONF}" --pin-dir "$PIN_DIR/lb$n" \
		--socket "$TMP/lb$n.sock" ${MIP6LB_DEBUG:+-v} "$@" >>"$TMP/lb$n-mip6lbd.log" 2>&1 &
	LB_PID[$n]=$!
	PIDS+=($!)
}

ecmp_lb_start() {
	ecmp_lb_spawn "$@"
	wait_for 100 ecmp_lb_up "$1" || die "mip6lbd in lb$1 did not come up"
}

ecmp_lb_up() {
	kill -0 "${LB_PID[$1]}" 2>/dev/null ||
		die "mip6lbd in lb$1 exited: $(tail -n 5 "$TMP/lb$1-mip6lbd.log")"
	[ -S "$TMP/lb$1.sock" ] && ecmp_ctl "$1" status >/dev/null 2>&1 &&
		ip -n "${NS_LBS[$1]}" link show dev eth0 | grep -q xdp
}

ecmp_lb_ready() {
	[ "$(ecmp_ctl "$1" -j status 2>/dev/null | pyq "d['announce']['ready']" 2>/dev/null)" = True ]
}

ecmp_lb_wait_ready() { wait_for "${2:-100}" ecmp_lb_ready "$1"; }

# The router first, then the daemon (no answer yet counts as not ready): a
# next hop seen before a "not ready" answer that came after it was
# announced ahead of readiness.
ecmp_watch_until_ready() {
	local n=$1 max=$2 i has
	READY_EARLY=0 READY_SAMPLES=0
	for ((i = 0; i < max; i++)); do
		kill -0 "${LB_PID[$n]}" 2>/dev/null ||
			die "mip6lbd in lb$n exited: $(tail -n 5 "$TMP/lb$n-mip6lbd.log")"
		if ecmp_has_nexthop "$n"; then has=1; else has=0; fi
		ecmp_lb_ready "$n" && return 0
		READY_SAMPLES=$((READY_SAMPLES + 1))
		[ $has = 0 ] || READY_EARLY=$((READY_EARLY + 1))
		sleep 0.02
	done
	return 1
}

ecmp_lb_flush() {
	nsenter --net="/run/netns/${NS_LBS[$1]}" "$MIP6LBD" --flush --pin-dir "$PIN_DIR/lb$1" \
		-i eth0 >>"$TMP/lb$1-mip6lbd.log" 2>&1 || die "flushing lb$1's maps"
}

ecmp_lb_kill9() {
	kill -KILL "${LB_PID[$1]}"
	wait "${LB_PID[$1]}" 2>/dev/null
	LB_PID[$1]=
}

ecmp_lb_stop() {
	kill -TERM "${LB_PID[$1]}"
	wait_gone "${LB_PID[$1]}" 50 || die "mip6lbd in lb$1 ignored SIGTERM"
	wait "${LB_PID[$1]}" 2>/dev/null
	LB_PID[$1]=
}

# ---- the router's view -------------------------------------------------------------
ecmp_nexthops() {
	ip -n "$NS_R" -6 route show "${1:-$ECMP_VIP}" 2>/dev/null |
		grep -o 'via [0-9a-f:]*' | awk '{print $2}' | sort
}

ecmp_count_is() { [ "$(ecmp_nexthops "${2:-}" | grep -c .)" -eq "$1" ]; }

ecmp_wait_nexthops() { wait_for "${2:-300}" ecmp_count_is "$1" "${3:-}"; }

ecmp_has_nexthop() { ecmp_nexthops "${2:-}" | grep -qxF "$(ecmp_lb_addr "$1")"; }

# ---- traffic -------------------------------------------------------------------------
ecmp_send() {
	ip netns exec "$NS_MN" "$PY" "$NETNS_DIR/mn.py" send --gw "$MN_GW" - <"$1" ||
		die "mn.py send < $1"
}

ecmp_served() {
	"$PY" "$NETNS_DIR/tokens.py" --dir "$TMP" --backends "${BACKENDS// /,}" "$1"
}

ecmp_served_via() {
	local n list=${BACKENDS// /,}
	for ((n = 1; n <= ECMP_N; n++)); do list="$list,lb$n"; done
	"$PY" "$NETNS_DIR/tokens.py" --dir "$TMP" --backends "$list" "$1" | awk '{
		be = ""; via = ""
		k = split($2, w, ",")
		for (i = 1; i <= k; i++) {
			if (w[i] ~ /^lb/) via = via (via == "" ? "" : ",") w[i]
			else if (w[i] != "none") be = be (be == "" ? "" : ",") w[i]
		}
		print $1, (be == "" ? "none" : be), (via == "" ? "none" : via)
	}'
}

# ecmp_ha_create: lib.sh's Home Agent link, checked against lb1 (there is
# no $LB_ADDR here).
ecmp_ha_create() {
	new_ns "$NS_HA"
	veth "$NS_R" rha "$MAC_R_HA" "$NS_HA" eth0 "$MAC_HA"
	addr "$NS_R" rha "$R_HA/64"
	addr "$NS_HA" eth0 "$HA_ADDR/64"
	ip -n "$NS_HA" -6 route add default via "$R_HA" dev eth0
	wait_for 50 ping6 "$NS_HA" "$HA_ADDR" "$(ecmp_lb_addr 1)" ||
		die "the Home Agent cannot reach lb1"
}

ecmp_via() {
	local n list=
	for ((n = 1; n <= ECMP_N; n++)); do list="$list${list:+,}lb$n"; done
	"$PY" "$NETNS_DIR/tokens.py" --dir "$TMP" --backends "$list" --timeout 1 "$1"
}
