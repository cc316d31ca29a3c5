# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# lib.sh - the end-to-end topology, sourced by every test_*.sh and demo.sh.
#
# Habits from xdp-tools' lib/testing/test_runner.sh: namespace names carry a
# random suffix (parallel runs and leftovers never collide), every link is a
# veth pair created straight into its namespaces (nothing touches the host's
# interfaces), teardown runs from `trap ... EXIT` whatever happens, and a
# missing prerequisite exits with the skip code instead of failing.
#
#              link A 2001:db8:a::/64
#   +------+  ---------------------------  +--------+
#   |  mn  |  link B 2001:db8:b::/64       | router |
#   |      |  ---------------------------  |        |
#   +------+  home 2001:db8:100::/64       +--------+
#             ---------------------------      | lan0 2001:db8:1::fe
#                                               |
#          lan 2001:db8:1::/64   +--------------+------------------------+
#          (bridge br0 in the    |  switch ns: br0  (p-r p-lb p-s1..3)   |
#           "switch" namespace)  +----+-------------+-------------+------+
#                                     | p-lb (xdp_pass)
#                           +---------+--+   +------+ +------+ +------+
#                           | lb  eth0   |   |  s1  | |  s2  | |  s3  |
#                           | ::ff  XDP  |   | ::1  | | ::2  | | ::3  |
#                           +------------+   +------+ +------+ +------+
#
# Scenarios with binding notifications add a Home Agent (ha_create): its own
# namespace on a link of its own to the router, 2001:db8:3::/64 (HA ::a,
# router ::1), where mip6lb-agent --role ha watches the Mobility Headers and
# answers the balancer's SUBSCRIBEs.
#
# The router sends the VIP prefix 2001:db8:80::/64 to the balancer; the
# balancer's XDP program XDP_TXes every service packet back out of eth0,
# through the bridge, to the chosen backend (l2-dsr: new destination MAC;
# ip6ip6: an outer header to the backend's decap address 2001:db8:2::N).
# Backends hold the VIPs on lo and answer the client directly through the
# router (direct server return).
#
# A backend decapsulates ip6ip6 with $DECAP (MIP6LB_DECAP in the
# environment): "bpf" (default) is mip6lb-decap, our XDP program on its
# eth0, which needs nothing optional from the kernel; "end.dt6" (SRv6,
# CONFIG_IPV6_SEG6_LWTUNNEL) and "ip6tnl" (CONFIG_IPV6_TUNNEL) are the
# kernel's own decapsulators, run by the scenarios only where the kernel
# has them (decap_supported).
#
# Which backend got a frame is told by taps in the switch namespace, one per
# bridge port in front of a backend, that log what the bridge sends to the
# backend's MAC: the wire as the backend receives it, before its XDP program
# strips an outer header.

NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=${MIP6LB_SRC:-$(cd "$NETNS_DIR/../.." && pwd)}
BUILD_DIR=${MIP6LB_BUILD:-$SRC_DIR/build}
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$SRC_DIR/$BUILD_DIR ;; esac
# scapy lives with the system python, not with whatever python3 is on PATH.
PY=${MIP6LB_PYTHON:-/usr/bin/python3}
SKIP_CODE=77            # automake's skip code; the runner reports it as SKIP
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
TEST_TIMEOUT=${TEST_TIMEOUT:-100}   # the Check wrapper allows 120 s

MIP6LBD=$BUILD_DIR/mip6lbd
MIP6LBCTL=$BUILD_DIR/mip6lbctl
MIP6LB_AGENT=$BUILD_DIR/mip6lb-agent
MIP6LB_DECAP=$BUILD_DIR/mip6lb-decap
XDP_PASS_OBJ=$BUILD_DIR/selftests/xdp_pass.bpf.o
DECAP=${MIP6LB_DECAP_MODE:-bpf}     # bpf | end.dt6 | ip6tnl

# ---- addresses (fixed inside the namespaces; only the ns names vary) ------
HOME_PFX=2001:db8:100
A_PFX=2001:db8:a
B_PFX=2001:db8:b
LAN_PFX=2001:db8:1
HOA=$HOME_PFX::7            # the mobile node's home address
COA_A=$A_PFX::7
COA_B=$B_PFX::7
R_LAN=$LAN_PFX::fe
LB_ADDR=$LAN_PFX::ff
VIP_PFX=2001:db8:80
VIP=$VIP_PFX::80            # l2-dsr services
VIP_TUN=$VIP_PFX::81        # ip6ip6 services
PORT=80
BACKENDS="s1 s2 s3"
be_addr()   { echo "$LAN_PFX::${1#s}"; }          # s2 -> 2001:db8:1::2
be_decap()  { echo "2001:db8:2::${1#s}"; }        # ip6ip6 outer destination
be_mac()    { echo "02:00:00:00:01:0${1#s}"; }

# Fixed MACs, so the traffic tool can address the router without ND.
MAC_MN_A=02:00:00:00:0a:07;  MAC_R_A=02:00:00:00:0a:01
MAC_MN_B=02:00:00:00:0b:07;  MAC_R_B=02:00:00:00:0b:01
MAC_MN_H=02:00:00:00:10:07;  MAC_R_H=02:00:00:00:10:01
MAC_R_LAN=02:00:00:00:01:fe; MAC_LB=02:00:00:00:01:ff
MN_GW="a0=$MAC_R_A,b0=$MAC_R_B,h0=$MAC_R_H"
# The Home Agent's link (ha_create).
HA_PFX=2001:db8:3
HA_ADDR=$HA_PFX::a
R_HA=$HA_PFX::1
MAC_HA=02:00:00:00:03:0a;   MAC_R_HA=02:00:00:00:03:01
NOTIFY_PORT=5400

# ---- run state ------------------------------------------------------------
SUFFIX=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
NS_MN=mip6lb-mn-$SUFFIX
NS_R=mip6lb-r-$SUFFIX
NS_SW=mip6lb-sw-$SUFFIX
NS_LB=mip6lb-lb-$SUFFIX
NS_HA=mip6lb-ha-$SUFFIX
ns_be() { echo "mip6lb-$1-$SUFFIX"; }
ALL_NS=()
PIDS=()                     # background helpers we started, killed at teardown
DAEMON_PID=
WATCHDOG_PID=
TMP=
PIN_DIR=/sys/fs/bpf/mip6lb-test-$SUFFIX
DECAP_PIN_DIR=/sys/fs/bpf/mip6lb-test-$SUFFIX-decap   # one subdirectory per backend
SOCK=
CONF=

# ---- output ---------------------------------------------------------------
say()  { printf '%s: %s\n' "$TEST_NAME" "$*"; }
ok()   { printf '%s: ok - %s\n' "$TEST_NAME" "$*"; }
die()  {
	printf '%s: FAIL - %s\n' "$TEST_NAME" "$*" >&2
	dump_state >&2
	exit 1
}
skip() { printf '%s: SKIP - %s\n' "$TEST_NAME" "$*"; exit $SKIP_CODE; }

# What a reader needs after a failure: the daemon's log and its view.
dump_state() {
	[ -n "$TMP" ] && [ -d "$TMP" ] || return 0
	if [ -s "$TMP/mip6lbd.log" ]; then
		echo "---- mip6lbd log (last 30 lines) ----"
		tail -n 30 "$TMP/mip6lbd.log"
	fi
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		echo "---- mip6lbctl session list ----"
		ctl session list 2>&1 | head -n 20
		echo "---- mip6lbctl stats ----"
		ctl stats 2>&1 | head -n 60
	fi
	local b f
	for b in $BACKENDS; do
		[ -s "$TMP/$b.sniff" ] && { echo "---- tokens seen by $b ----"; tail -n 10 "$TMP/$b.sniff"; }
	done
	# Notification scenarios: both ends' view.
	for f in "$TMP"/agent-*.log; do
		[ -s "$f" ] || continue
		echo "---- $(basename "$f" .log) (last 20 lines) ----"
		tail -n 20 "$f"
	done
	if compgen -G "$TMP/agent-*.log" >/dev/null && [ -n "$DAEMON_PID" ] &&
	   kill -0 "$DAEMON_PID" 2>/dev/null; then
		echo "---- mip6lbctl -j binding list ----"
		ctl -j binding list 2>&1 | head -c 4000; echo
		echo "---- mip6lbctl -j peer list ----"
		ctl -j peer list 2>&1 | head -c 4000; echo
	fi
	return 0
}

# ---- prerequisites ----------------------------------------------------------
require_root_tools() {
	[ "$(id -u)" = 0 ] || skip "needs root (namespaces, XDP)"
	local t
	for t in ip nsenter sysctl; do
		command -v "$t" >/dev/null || skip "needs $t"
	done
	[ -x "$PY" ] || skip "needs $PY"
	"$PY" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("scapy") is None)' 2>/dev/null ||
		skip "needs scapy for $PY (apt-get install python3-scapy)"
	ip netns add "mip6lb-probe-$SUFFIX" 2>/dev/null || skip "cannot create network namespaces"
	ip netns del "mip6lb-probe-$SUFFIX"
}

# The daemon and CLI are part of the build: missing means a broken build, not
# a reason to skip.
require_build() {
	local f
	for f in "$@"; do
		[ -x "$f" ] || [ -f "$f" ] || die "$f is missing; run make first"
	done
}

require_bpffs() {
	if ! mountpoint -q /sys/fs/bpf; then
		mount -t bpf bpf /sys/fs/bpf || skip "cannot mount bpffs on /sys/fs/bpf"
	fi
}

# ---- setup and teardown -------------------------------------------------------
setup_common() {
	require_root_tools
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/mip6lb-$TEST_NAME.XXXXXX")
	SOCK=$TMP/mip6lbd.sock
	CONF=$TMP/mip6lb.conf
	trap teardown EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# Whatever hangs, the trap still runs before the Check wrapper's timeout.
	# Its sleep dies with it, so no stray process holds our stdout open.
	(
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		sleep "$TEST_TIMEOUT" &
		sp=$!
		wait "$sp" || exit 0
		echo "$TEST_NAME: watchdog: still running after ${TEST_TIMEOUT}s" >&2
		kill -TERM $$
	) &
	WATCHDOG_PID=$!
}

teardown() {
	local rc=$? ns pid
	trap - EXIT INT TERM
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait_gone "$DAEMON_PID" 30 || kill -KILL "$DAEMON_PID" 2>/dev/null
	fi
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	# Anything else still running inside our namespaces is ours too.
	for ns in "${ALL_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for ns in "${ALL_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -d "$PIN_DIR" ] && rm -rf "$PIN_DIR"
	[ -d "$DECAP_PIN_DIR" ] && rm -rf "$DECAP_PIN_DIR"
	[ -n "$TMP" ] && [ -d "$TMP" ] && [ -z "${KEEP_TMP:-}" ] && rm -rf "$TMP"
	[ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
	exit $rc
}

# wait_gone PID TENTHS: true once PID has exited.
wait_gone() {
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	! kill -0 "$1" 2>/dev/null
}

# wait_for TENTHS CMD...: poll CMD every 100 ms, true as soon as it succeeds.
wait_for() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

new_ns() {
	ip netns add "$1" || die "ip netns add $1"
	ALL_NS+=("$1")
	ip -n "$1" link set lo up
	# No DAD, no RAs: addresses are usable at once and stay as configured.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 >/dev/null
}

# veth NS1 IF1 MAC1 NS2 IF2 [MAC2]: a pair created straight into both.
veth() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" ||
		die "veth $1/$2 - $4/$5"
	ip -n "$1" link set "$2" address "$3" up
	[ -n "${6:-}" ] && ip -n "$4" link set "$5" address "$6"
	ip -n "$4" link set "$5" up
}

addr() { ip -n "$1" -6 addr add "$3" dev "$2" nodad || die "address $3 on $1/$2"; }

topo_create() {
	require_build "$XDP_PASS_OBJ"
	local b ns t

	new_ns "$NS_MN"; new_ns "$NS_R"; new_ns "$NS_SW"; new_ns "$NS_LB"
	for b in $BACKENDS; do new_ns "$(ns_be "$b")"; done

	# Mobile node: three links to the router.
	veth "$NS_MN" a0 "$MAC_MN_A" "$NS_R" ra "$MAC_R_A"
	veth "$NS_MN" b0 "$MAC_MN_B" "$NS_R" rb "$MAC_R_B"
	veth "$NS_MN" h0 "$MAC_MN_H" "$NS_R" rh "$MAC_R_H"
	addr "$NS_MN" a0 "$COA_A/64";  addr "$NS_R" ra "$A_PFX::1/64"
	addr "$NS_MN" b0 "$COA_B/64";  addr "$NS_R" rb "$B_PFX::1/64"
	addr "$NS_MN" h0 "$HOA/64";    addr "$NS_R" rh "$HOME_PFX::1/64"
	# Source-routed, so a socket bound to a CoA leaves through its own link.
	t=100
	for l in a0:$A_PFX h0:$HOME_PFX b0:$B_PFX; do
		t=$((t + 1))
		ip -n "$NS_MN" -6 route add default via "${l#*:}::1" dev "${l%%:*}" table $t
		ip -n "$NS_MN" -6 rule add from "${l#*:}::/64" table $t pref $t
	done
	ip -n "$NS_MN" -6 route add default via "$HOME_PFX::1" dev h0
	# Sockets on the node checksum in software: a veth hands CHECKSUM_PARTIAL
	# skbs along, and the balancer's XDP_TX would forward them unfinished.
	for l in a0 b0 h0; do
		ip netns exec "$NS_MN" ethtool -K "$l" tx off >/dev/null ||
			die "ethtool -K $l tx off failed (is ethtool installed? make deps)"
	done

	# The lan: one bridge in its own namespace, MLD snooping off so ND floods.
	ip -n "$NS_SW" link add br0 type bridge stp_state 0 mcast_snooping 0 forward_delay 0
	ip -n "$NS_SW" link set br0 up
	veth "$NS_R" lan0 "$MAC_R_LAN" "$NS_SW" p-r
	veth "$NS_LB" eth0 "$MAC_LB" "$NS_SW" p-lb
	for b in $BACKENDS; do
		veth "$(ns_be "$b")" eth0 "$(be_mac "$b")" "$NS_SW" "p-$b"
	done
	for ns in p-r p-lb $(for b in $BACKENDS; do echo "p-$b"; done); do
		ip -n "$NS_SW" link set "$ns" master br0
	done
	# NAPI rule: XDP_TX out of lb/eth0 is dropped unless its peer runs XDP.
	ip -n "$NS_SW" link set dev p-lb xdp obj "$XDP_PASS_OBJ" sec xdp ||
		die "xdp_pass on $NS_SW/p-lb"

	# Router.
	ip netns exec "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null
	addr "$NS_R" lan0 "$R_LAN/64"
	ip -n "$NS_R" -6 route add "$VIP_PFX::/64" via "$LB_ADDR" dev lan0

	# Balancer host: an ordinary host (no forwarding) with one interface.
	addr "$NS_LB" eth0 "$LB_ADDR/64"
	ip -n "$NS_LB" -6 route add default via "$R_LAN" dev eth0
	for b in $BACKENDS; do
		# ip6ip6 outer destinations are not on the lan: reach them through
		# the backend, so the daemon resolves a gateway MAC.
		ip -n "$NS_LB" -6 route add "$(be_decap "$b")/128" via "$(be_addr "$b")" dev eth0
	done

	# Backends.
	for b in $BACKENDS; do
		ns=$(ns_be "$b")
		addr "$ns" eth0 "$(be_addr "$b")/64"
		ip -n "$ns" -6 route add default via "$R_LAN" dev eth0
		ip -n "$ns" -6 addr add "$VIP/128" dev lo
		ip -n "$ns" -6 addr add "$VIP_TUN/128" dev lo
		decap_setup "$b"
	done
	backends_start
}

# ---- backend decapsulation ------------------------------------------------------
# decap_supported MODE: true when this kernel can decapsulate with MODE; the
# reason otherwise on stdout.  Probed in a scratch namespace, never guessed.
decap_supported() {
	local ns=mip6lb-dprobe-$SUFFIX rc=0
	case $1 in
	bpf) return 0 ;;
	end.dt6|ip6tnl) ;;
	*) echo "unknown decap mode $1"; return 1 ;;
	esac
	ip netns add "$ns" 2>/dev/null || { echo "cannot create a namespace to probe $1"; return 1; }
	ip -n "$ns" link set lo up
	case $1 in
	end.dt6)
		ip -n "$ns" -6 route add 2001:db8:ffff::1/128 encap seg6local \
			action End.DT6 table 255 dev lo >/dev/null 2>&1 ||
			{ echo "kernel lacks CONFIG_IPV6_SEG6_LWTUNNEL (no SRv6 End.DT6)"; rc=1; } ;;
	ip6tnl)
		ip -n "$ns" link add mip6lbprobe type ip6tnl mode ip6ip6 local ::1 remote :: \
			>/dev/null 2>&1 ||
			{ echo "kernel lacks CONFIG_IPV6_TUNNEL (no ip6tnl)"; rc=1; } ;;
	esac
	ip netns del "$ns"
	return $rc
}

# decap_setup BACKEND: make the backend decapsulate ip6ip6 sent to its decap
# address (be_decap) with $DECAP.  The decap address is not on the lan: the
# balancer routes it via the backend's lan address.
decap_setup() {
	local b=$1 ns d why
	ns=$(ns_be "$b")
	d=$(be_decap "$b")
	case $DECAP in
	bpf)
		require_build "$MIP6LB_DECAP"
		require_bpffs
		# nsenter, not ip netns exec: the pins go to the host's bpffs.
		nsenter --net="/run/netns/$ns" "$MIP6LB_DECAP" attach eth0 --addr "$d" \
			--xdp-mode native --pin-dir "$DECAP_PIN_DIR/$b" >>"$TMP/decap-$b.log" 2>&1 ||
			die "mip6lb-decap attach on $b: $(tail -n 3 "$TMP/decap-$b.log")"
		;;
	end.dt6)
		why=$(decap_supported end.dt6) || skip "$why"
		# End.DT6 decapsulates plain IPv6-in-IPv6 and looks the inner
		# packet up in the local table, where the VIPs live.  The lan
		# address cannot be the outer destination: its local route would
		# win and deliver a protocol-41 packet nothing handles.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.seg6_enabled=1 \
			net.ipv6.conf.eth0.seg6_enabled=1 >/dev/null
		ip -n "$ns" -6 route add "$d/128" encap seg6local action End.DT6 table 255 dev eth0 ||
			die "End.DT6 route on $b"
		;;
	ip6tnl)
		why=$(decap_supported ip6tnl) || skip "$why"
		# The outer destination must be local for ip6_tunnel to see it;
		# remote :: accepts any outer source.
		ip -n "$ns" -6 addr add "$d/128" dev lo || die "decap address on $b/lo"
		ip -n "$ns" link add tnl0 type ip6tnl mode ip6ip6 local "$d" remote :: ||
			die "ip6tnl on $b"
		ip -n "$ns" link set tnl0 up || die "ip6tnl up on $b"
		;;
	*) die "MIP6LB_DECAP_MODE=$DECAP: want bpf, end.dt6 or ip6tnl" ;;
	esac
}

# decap_status BACKEND: mip6lb-decap status -j on that backend.
decap_status() {
	nsenter --net="/run/netns/$(ns_be "$1")" "$MIP6LB_DECAP" status -j
}

# ---- backend servers and taps -------------------------------------------------
# Each backend runs backend.py: UDP and TCP servers on the VIPs that answer
# "NAME PAYLOAD".  A second backend.py in the switch namespace taps the
# bridge port in front of it and logs every payload token the bridge sends
# to the backend's MAC.  The tap is what tells which backend got a packet
# whose Home Address option the backend's kernel then discards.
backends_start() {
	local b ns
	for b in $BACKENDS; do
		ns=$(ns_be "$b")
		rm -f "$TMP/$b.ready" "$TMP/$b.tap-ready"
		ip netns exec "$ns" "$PY" "$NETNS_DIR/backend.py" --name "$b" \
			--bind "$VIP" --bind "$VIP_TUN" --port "$PORT" \
			--ready "$TMP/$b.ready" >>"$TMP/$b.out" 2>&1 &
		PIDS+=($!)
		ip netns exec "$NS_SW" "$PY" "$NETNS_DIR/backend.py" --name "$b-tap" \
			--tap "p-$b" --mac "$(be_mac "$b")" --log "$TMP/$b.sniff" \
			--ready "$TMP/$b.tap-ready" >>"$TMP/$b.out" 2>&1 &
		PIDS+=($!)
	done
	for b in $BACKENDS; do
		wait_for 100 test -e "$TMP/$b.ready" || die "backend $b did not start: $(cat "$TMP/$b.out")"
		wait_for 100 test -e "$TMP/$b.tap-ready" || die "tap for $b did not start: $(cat "$TMP/$b.out")"
	done
}

# served_by TOKEN [TENTHS]: the backends whose sniffer saw TOKEN, waiting up
# to TENTHS (default 30) for the first one; "none" if none did.
served_by() {
	local tok=$1 n=${2:-30} i b seen
	for ((i = 0; i <= n; i++)); do
		seen=
		for b in $BACKENDS; do
			grep -qxF -- "$tok" "$TMP/$b.sniff" 2>/dev/null && seen="$seen $b"
		done
		if [ -n "$seen" ]; then
			# A duplicate on a second backend would land within a few ms.
			sleep 0.1
			seen=
			for b in $BACKENDS; do
				grep -qxF -- "$tok" "$TMP/$b.sniff" 2>/dev/null && seen="$seen $b"
			done
			echo "${seen# }"
			return 0
		fi
		sleep 0.1
	done
	echo none
}

# expect_one TOKEN: the single backend that got TOKEN, or die.
expect_one() {
	local got
	got=$(served_by "$1")
	case $got in
	none) die "no backend received packet $1" ;;
	*" "*) die "packet $1 reached several backends: $got" ;;
	esac
	echo "$got"
}

# ---- the mobile node -----------------------------------------------------------
# mn_send SPEC...: crafted packets (HAO, ESP, any source), one spec per
# argument, or on stdin with "-".  See mn.py for the spec keys.
mn_send() {
	ip netns exec "$NS_MN" "$PY" "$NETNS_DIR/mn.py" send --gw "$MN_GW" "$@" ||
		die "mn.py send $*"
}

# mn_batch FILE: send every spec in FILE (one per line), then print one
# "TOKEN BACKEND" line per packet, in order (tokens.py: "none" if no
# backend got it, "s1,s2" if several did).
mn_batch() {
	ip netns exec "$NS_MN" "$PY" "$NETNS_DIR/mn.py" send --gw "$MN_GW" - <"$1" ||
		die "mn.py send < $1"
	"$PY" "$NETNS_DIR/tokens.py" --dir "$TMP" --backends "${BACKENDS// /,}" "$1"
}

# load_got FILE: mn_batch's output into the associative array GOT[TOKEN].
declare -A GOT
load_got() {
	local t b
	GOT=()
	while read -r t b; do GOT[$t]=$b; done <"$1"
}

# kind_count KIND: the datapath's packet counter for that identity kind.
kind_count() {
	ctl -j stats | pyq "d['kinds']['$1']['packets']"
}

# mn_request ARGS...: a real-socket request; prints the reply.
mn_request() {
	ip netns exec "$NS_MN" "$PY" "$NETNS_DIR/mn.py" request "$@"
}

# ping6 NS SRC DST: one ICMPv6 echo, answered within 2 s.
ping6() {
	ip netns exec "$1" "$PY" "$NETNS_DIR/mn.py" ping --src "$2" --dst "$3" --count 1 >/dev/null
}

# new_token TAG: a payload token unique to this run (random, since callers
# take it through a command substitution).
new_token() { echo "T$SUFFIX-$1-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"; }

# ---- the daemon and the CLI ------------------------------------------------------
# write_conf: the [daemon] section; callers append services and backends.
write_conf() {
	cat >"$CONF" <<-EOF
	; SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
	; generated by $TEST_NAME
	[daemon]
	interface = eth0
	xdp_mode = native
	EOF
}

# conf_service NAME KEY=VALUE...: a [service NAME] section.
conf_service() {
	local kv
	printf '[service %s]\n' "$1" >>"$CONF"
	shift
	for kv in "$@"; do
		printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$CONF"
	done
}

# conf_backends SERVICE [W1 W2 W3] [decap]: s1..s3 with weights; "decap" uses
# the ip6ip6 outer destinations.
conf_backends() {
	local svc=$1 w=(${2:-1} ${3:-1} ${4:-1}) mode=${5:-} i=0 b a
	for b in $BACKENDS; do
		a=$(be_addr "$b")
		[ "$mode" = decap ] && a=$(be_decap "$b")
		printf '[backend %s %s]\naddr = %s\nweight = %s\n' "$svc" "$b" "$a" "${w[$i]}" >>"$CONF"
		i=$((i + 1))
	done
}

daemon_start() {
	require_build "$MIP6LBD" "$MIP6LBCTL"
	require_bpffs
	nsenter --net="/run/netns/$NS_LB" "$MIP6LBD" -c "$CONF" --pin-dir "$PIN_DIR" \
		--socket "$SOCK" ${MIP6LB_DEBUG:+-v} "$@" >>"$TMP/mip6lbd.log" 2>&1 &
	DAEMON_PID=$!
	wait_for 100 daemon_ready || die "mip6lbd did not come up"
	# Backends' next hops come from ND; wait until every one is usable.
	wait_for 100 nexthops_valid || die "backend next hops did not resolve"
}

daemon_ready() {
	kill -0 "$DAEMON_PID" 2>/dev/null || die "mip6lbd exited: $(tail -n 5 "$TMP/mip6lbd.log")"
	[ -S "$SOCK" ] && ctl status >/dev/null 2>&1 &&
		ip -n "$NS_LB" link show dev eth0 | grep -q 'xdp'
}

nexthops_valid() {
	ctl -j backend list | "$PY" -c '
import json, sys
bs = json.load(sys.stdin)["backends"]
sys.exit(0 if bs and all(b["nexthop"]["valid"] for b in bs if b["state"] == "active") else 1)'
}

daemon_kill9() {
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

daemon_stop() {
	kill -TERM "$DAEMON_PID"
	wait_gone "$DAEMON_PID" 50 || die "mip6lbd ignored SIGTERM"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

ctl() { "$MIP6LBCTL" -s "$SOCK" "$@"; }

# jq-less JSON queries with the system python: pyq 'EXPR' evaluates EXPR with
# d = the JSON document on stdin and prints the result.
pyq() {
	"$PY" -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(" ".join(map(str, r)) if isinstance(r, (list, tuple)) else r)' "$1"
}

# session_backend SERVICE KIND IDENTITY: the backend of that session, or
# none.  Addresses compare as addresses, so any spelling matches the CLI's
# RFC 5952 form; SPIs compare as numbers.
session_backend() {
	ctl -j session list | "$PY" -c '
import ipaddress, json, sys
svc, kind, ident = sys.argv[1:]
def norm(k, v):
    if k in ("hoa", "src", "coa"):
        return ipaddress.ip_address(v)
    if k == "spi":
        return int(v, 0)
    return v.lower()
want = norm(kind, ident)
for s in json.load(sys.stdin)["sessions"]:
    if s["service"] == svc and s["kind"] == kind and norm(kind, s["identity"]) == want:
        print(s["backend"])
        break
else:
    print("none")' "$1" "$2" "$3"
}

# ---- binding notifications: the Home Agent, the agent, keys, peers -----------
# ha_create: the Home Agent's namespace and link (after topo_create).  Its
# eth0 is where mip6lb-agent --role ha captures; ha_bu puts Binding Updates
# onto that link from the router's side, ha_ba sends the Home Agent's
# Binding Acknowledgements out of it.
ha_create() {
	new_ns "$NS_HA"
	veth "$NS_R" rha "$MAC_R_HA" "$NS_HA" eth0 "$MAC_HA"
	addr "$NS_R" rha "$R_HA/64"
	addr "$NS_HA" eth0 "$HA_ADDR/64"
	ip -n "$NS_HA" -6 route add default via "$R_HA" dev eth0
	# The router reaches the Home Agent and the balancer; check both ways
	# before anything depends on it.
	wait_for 50 ping6 "$NS_HA" "$HA_ADDR" "$LB_ADDR" || die "the Home Agent cannot reach the balancer"
}

# key_new FILE: a fresh 32-byte key, mode 0600 (both ends refuse others).
key_new() {
	(umask 077 && head -c 32 /dev/urandom >"$1") || die "key $1"
}

# conf_peer NAME KEY=VALUE...: a [peer NAME] section of mip6lbd's config
# (home_prefix may be given several times).
conf_peer() {
	local kv
	printf '[peer %s]\n' "$1" >>"$CONF"
	shift
	for kv in "$@"; do
		printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$CONF"
	done
}

# agent_start NAME NS ROLE CONF: mip6lb-agent -v in NS, logging to
# $TMP/agent-NAME.log; waits until it listens.  AGENT_PID[NAME] is its pid.
declare -A AGENT_PID
agent_start() {
	local name=$1 ns=$2 role=$3 conf=$4 log=$TMP/agent-$1.log
	require_build "$MIP6LB_AGENT"
	"$MIP6LB_AGENT" --role "$role" -c "$conf" --check-config 2>"$TMP/agent-$name.check" ||
		die "agent $name: config refused: $(cat "$TMP/agent-$name.check")"
	ip netns exec "$ns" "$MIP6LB_AGENT" --role "$role" -c "$conf" -v >>"$log" 2>&1 &
	AGENT_PID[$name]=$!
	PIDS+=($!)
	wait_for 100 grep -q "listening on" "$log" ||
		die "agent $name did not come up: $(tail -n 5 "$log")"
}

# ha_agent_start [CONFIRM]: a fresh key $TMP/ha.key and mip6lb-agent
# --role ha in the Home Agent's namespace, accepting the balancer as peer
# "lb" with that key.  With CONFIRM (ba or bu) it also watches eth0 for
# Binding Updates/Acknowledgements and confirms bindings that way; without,
# it learns bindings only from its feed socket $TMP/agent.sock.
ha_agent_start() {
	local confirm=${1:-}
	key_new "$TMP/ha.key"
	{
		printf '; generated by %s\n[agent]\n' "$TEST_NAME"
		printf 'listen = [%s]:%s\n' "$HA_ADDR" "$NOTIFY_PORT"
		[ -z "$confirm" ] || printf 'interface = eth0\n'
		printf 'feed_socket = %s\n' "$TMP/agent.sock"
		[ -z "$confirm" ] || printf 'confirm = %s\n' "$confirm"
		printf '[peer lb]\naddr = %s\nkey_file = %s\n' "$LB_ADDR" "$TMP/ha.key"
	} >"$TMP/agent-ha.conf"
	agent_start ha "$NS_HA" ha "$TMP/agent-ha.conf"
}

# notifytool ARGS...: selftests/netns/notifytool.py in the namespace $NT_NS
# (default the Home Agent's).
notifytool() {
	ip netns exec "${NT_NS:-$NS_HA}" "$PY" "$NETNS_DIR/notifytool.py" "$@"
}

# ha_bu HOA COA SEQ [LIFETIME] [FLAGS]: a Binding Update from the node at
# COA for HOA (Home Address option, Alternate Care-of Address option),
# received by the Home Agent: put on its link from the router's side.
ha_bu() {
	NT_NS=$NS_R notifytool bu --if rha --gw "$MAC_HA" --src "$2" --dst "$HA_ADDR" \
		--hoa "$1" --alt-coa "$2" --seq "$3" --lifetime "${4:-600}" --flags "${5:-HA}" ||
		die "Binding Update for $1 at $2"
}

# ha_ba HOA COA SEQ [LIFETIME] [STATUS]: the Home Agent's Binding
# Acknowledgement, sent out of its own link (the agent sees outgoing frames).
ha_ba() {
	notifytool ba --if eth0 --gw "$MAC_R_HA" --src "$HA_ADDR" --dst "$2" --hoa "$1" \
		--seq "$3" --lifetime "${4:-600}" --status "${5:-0}" ||
		die "Binding Acknowledgement for $1 at $2"
}

# binding_q EXPR HOME: EXPR over the binding list row of HOME (b), "none"
# without one.
binding_q() {
	ctl -j binding list | "$PY" -c '
import ipaddress, json, sys
expr, home = sys.argv[1], ipaddress.ip_address(sys.argv[2])
for b in json.load(sys.stdin)["bindings"]:
    if ipaddress.ip_address(b["home"]) == home:
        print(eval(expr))
        break
else:
    print("none")' "$1" "$2"
}

# binding_coa HOME: the care-of address the daemon knows for HOME, RFC 5952,
# "None" before the first notification, "none" with no row.
binding_coa() {
	binding_q 'b["coa"] and str(ipaddress.ip_address(b["coa"]))' "$1"
}

# wait_binding HOME COA [TENTHS]: until the daemon's binding for HOME is COA.
wait_binding() {
	local want
	want=$("$PY" -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]))' "$2")
	wait_for "${3:-50}" binding_is "$1" "$want"
}
binding_is() { [ "$(binding_coa "$1")" = "$2" ]; }

# wait_subscribed HOME [TENTHS]: until the daemon's subscription for HOME is
# active (the agent acknowledged it).
wait_subscribed() {
	wait_for "${2:-50}" subscribed "$1"
}
subscribed() { [ "$(binding_q 'b["subscription"]' "$1")" = active ]; }

# wait_no_binding N: ha1 answered no_binding N times in all (a Home Agent
# with no binding for a home address subscribes nobody, issue 12).
wait_no_binding() {
	wait_for "${2:-50}" no_binding_ge "$1"
}
no_binding_ge() { [ "$(peer_q ha1 'p["no_binding"]')" -ge "$1" ]; }

# peer_q NAME EXPR: EXPR over the peer list row of NAME (p), with d the whole
# document.
peer_q() {
	ctl -j peer list | "$PY" -c '
import json, sys
name, expr = sys.argv[1:]
d = json.load(sys.stdin)
for p in d["peers"]:
    if p["name"] == name:
        print(eval(expr))
        break
else:
    print("none")' "$1" "$2"
}

# session_q EXPR: EXPR over the session list (d), e.g. a count.
session_q() {
	ctl -j session list | pyq "$1"
}
