#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Install what mip6lb needs to build, test and demo, from Debian/Ubuntu
# packages.  Quiet when everything is present; as root it runs apt-get for
# what is missing, otherwise it names the packages and fails.
set -euo pipefail

# package:probe — a probe is a command (cmd:NAME), a pkg-config module
# (pc:NAME), a file (file:PATH) or a Python module for /usr/bin/python3 (py:NAME).
REQS=(
	"clang:cmd:clang"
	"llvm:cmd:llvm-strip"
	"make:cmd:make"
	"gcc:cmd:gcc"
	"pkg-config:cmd:pkg-config"
	"libbpf-dev:pc:libbpf"
	"libxdp-dev:pc:libxdp"
	"xdp-tools:cmd:xdp-loader"
	"bpftool:cmd:bpftool"
	"check:pc:check"
	"libinih-dev:pc:inih"
	"libjson-c-dev:pc:json-c"
	"libpcap-dev:pc:libpcap"
	"libsodium-dev:pc:libsodium"
	"libmnl-dev:pc:libmnl"
	"libmicrohttpd-dev:pc:libmicrohttpd"
	"prometheus:cmd:promtool"
	"iproute2:cmd:ip"
	"ethtool:cmd:ethtool"
	"python3-scapy:py:scapy"
	"util-linux:cmd:nsenter"
	"procps:cmd:sysctl"
	# The scale-out scenarios' routing daemon (selftests/netns/lib_ecmp.sh).
	"bird2:cmd:birdc"
)

have() {
	local kind=${1%%:*} what=${1#*:}
	case $kind in
	cmd)  command -v "$what" >/dev/null 2>&1 || [ -x "/usr/sbin/$what" ] ;;
	pc)   pkg-config --exists "$what" 2>/dev/null ;;
	file) [ -e "$what" ] ;;
	py)   [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import $what" >/dev/null 2>&1 ;;
	esac
}

missing=()
for req in "${REQS[@]}"; do
	pkg=${req%%:*}
	probe=${req#*:}
	# pkg-config itself must be there before pc: probes mean anything.
	if [[ $probe == pc:* ]] && ! command -v pkg-config >/dev/null 2>&1; then
		missing+=("$pkg"); continue
	fi
	have "$probe" || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run 'make deps' as root, or: apt-get install ${missing[*]}" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages: ${missing[*]}; no apt-get on this host, install them by hand" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/mip6lb-deps.log 2>&1; then
	apt-get update -qq >>/tmp/mip6lb-deps.log 2>&1 || true
	if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/mip6lb-deps.log 2>&1; then
		echo "deps: apt-get install ${missing[*]} failed; see /tmp/mip6lb-deps.log" >&2
		tail -n 5 /tmp/mip6lb-deps.log >&2
		exit 1
	fi
fi
# bpftool lives in /usr/sbin on Debian.
for req in "${REQS[@]}"; do
	pkg=${req%%:*}; probe=${req#*:}
	have "$probe" || { echo "deps: $pkg installed but $probe still missing" >&2; exit 1; }
done
echo "deps: done"
