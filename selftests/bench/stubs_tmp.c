// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "bench.h"
int bench_veth(void) { return 0; }
int bench_scale(void) { return 0; }
int bench_maglev(void) { return 0; }
