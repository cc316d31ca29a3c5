#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# demo.sh - `make demo`: a mobile node roams home -> A -> B -> A while it
# talks to a service behind mip6lb, and stays on one backend throughout.
#
# Builds nothing (make has), creates the topology of selftests/netns/lib.sh,
# starts mip6lbd on the balancer's veth, then narrates each request: where
# the node is, its source address, the identity the balancer used and the
# backend that got it.  Ends with `mip6lbctl session list` and `stats`, and
# tears everything down on exit, Ctrl-C included.
TEST_NAME=demo
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
. "$(dirname "$0")/lib.sh"

# A demo that cannot run is an error for `make demo`, not a skipped test.
skip() { printf 'make demo: %s\n' "$*" >&2; exit 1; }
die() {
	printf 'make demo: FAILED: %s\n' "$*" >&2
	dump_state >&2
	exit 1
}

B=$(tput bold 2>/dev/null || true); N=$(tput sgr0 2>/dev/null || true)
[ -t 1 ] || { B=; N=; }
step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }

require_build "$MIP6LBD" "$MIP6LBCTL" "$MIP6LB_DECAP" "$XDP_PASS_OBJ"
setup_common
trap 'exit 130' INT
trap 'exit 143' TERM

step "Building the topology (network namespaces *-$SUFFIX)"
topo_create
cat <<EOF
  mobile node   home $HOA (link h0), CoA A $COA_A (a0), CoA B $COA_B (b0)
  router        routes the VIP prefix $VIP_PFX::/64 to the balancer
  balancer      $LB_ADDR, mip6lbd with XDP on eth0
  backends      s1 s2 s3 on the balancer's lan, VIP $VIP on lo, UDP server on port $PORT,
                mip6lb-decap on eth0 for ip6ip6 services (no kernel tunnel needed)
EOF

write_conf
conf_service web vip=$VIP proto=udp port=$PORT identity=hoa,spi,iid,src forward=l2-dsr
conf_backends web
step "Starting mip6lbd: service web = [$VIP]:$PORT/udp, identities hoa,spi,iid,src, l2-dsr"
daemon_start
ctl backend list | sed 's/^/  /'

counters() { ctl -j stats | pyq "[d['kinds'][k]['packets'] for k in ('hoa', 'spi', 'iid', 'src')] + [d['counters']['session_new']['packets']]"; }

# request WHERE: one request from the node's current location; prints the
# narrative line.
request() {
	local where=$1 src link tok before after kind ident be via new
	case $where in
	home) src=$HOA link=h0 ;;
	A)    src=$COA_A link=a0 ;;
	B)    src=$COA_B link=b0 ;;
	esac
	tok=$(new_token "$where")
	before=($(counters))
	if [ "$where" = home ]; then
		# At home: an ordinary socket, source = home address, no option.
		reply=$(mn_request --src "$HOA" --dst "$VIP" --port "$PORT" --tok "$tok") ||
			die "no reply from the VIP at home"
		be=$(served_by "$tok")
		via="reply \"${reply%% tok=*}\""
	else
		# Away: source = CoA, home address in a Destination Options
		# header (RFC 6275).  The backends run no Mobile IPv6 stack, so
		# the taps on their switch ports, not their servers, tell who got it.
		mn_send "if=$link src=$src dst=$VIP hoa=$HOA tok=$tok"
		be=$(expect_one "$tok")
		via="seen on its switch port"
	fi
	after=($(counters))
	kind=none
	local i k
	i=0
	for k in hoa spi iid src; do
		[ "${after[$i]}" -gt "${before[$i]}" ] && { kind=$k; break; }
		i=$((i + 1))
	done
	case $kind in
	hoa|src) ident=$HOA ;;
	*) die "the balancer used identity '$kind' for $src" ;;
	esac
	[ "${after[4]}" -gt "${before[4]}" ] && new="new session" || new="existing session"
	printf '  [%-4s] %-15s -> VIP  identity %s %s  -> served by %s%s%s  (%s, %s)\n' \
		"$where" "$src" "$kind" "$ident" "$B" "$be" "$N" "$new" "$via"
	echo "$be" >>"$TMP/served"
}

step "The node talks to the service while it roams: home -> A -> B -> A"
: >"$TMP/served"
for where in home home A A B B A A; do
	request "$where"
done
n=$(sort -u "$TMP/served" | wc -l)
if [ "$n" = 1 ]; then
	printf '\n  All %d requests served by %s: the home address keeps the node on one backend.\n' \
		"$(wc -l <"$TMP/served")" "$(head -n1 "$TMP/served")"
else
	die "the node was served by $n different backends: $(sort -u "$TMP/served" | tr '\n' ' ')"
fi

step "mip6lbctl session list"
ctl session list | sed 's/^/  /'
step "mip6lbctl stats"
ctl stats | sed 's/^/  /'
step "Tearing down"
