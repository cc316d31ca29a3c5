// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The unit tests' packet builder, compiled into mip6lb-bench too: the bench
 * times exactly the frames the datapath tests check (the Makefile links
 * the bench sources only, so it comes in by inclusion). */
#include "../unit/pktbuild.c"
