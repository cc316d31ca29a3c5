#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# probe_ecmp.sh: exit 0 when the scale-out scenarios (lib_ecmp.sh) can run
# here (BIRD 2 and a TUN device), else print why and exit 1.  The Check
# runner (selftests/unit/test_netns.c) asks before it adds them, so a host
# without bird2 reports one SKIP line with the reason instead of a failure.
TEST_NAME=probe_ecmp
. "$(dirname "$0")/lib_ecmp.sh"
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
ecmp_why_not
