#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# probe_decap.sh MODE: exit 0 when this kernel can decapsulate ip6ip6 with
# MODE (bpf, end.dt6 or ip6tnl), else print why (naming the missing kernel
# option) and exit 1.  Tried in a scratch namespace, never guessed: the
# Check runner (selftests/unit/test_netns.c) asks before it adds a variant.
TEST_NAME=probe_decap
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
decap_supported "${1:?usage: probe_decap.sh MODE}"
