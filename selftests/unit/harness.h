/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * harness.h - every unit test file registers its Check suite with
 * MIP6LB_SUITE(name, flags); main.c runs them all, sorted by name, in one
 * SRunner so `make check` ends in Check's summary line.
 */
#ifndef MIP6LB_HARNESS_H
#define MIP6LB_HARNESS_H

#include <check.h>

#define SUITE_NEEDS_ROOT   (1U << 0)  /* loads BPF or makes namespaces */
#define SUITE_NETNS        (1U << 1)  /* end-to-end: skipped by `make unit` */
#define SUITE_BENCH        (1U << 2)  /* benchmark smoke mode */

void harness_register(const char *name, Suite *(*make)(void), unsigned int flags);

#define MIP6LB_SUITE(name, flags)					\
	static Suite *name##_suite(void);				\
	__attribute__((constructor)) static void name##_register(void)	\
	{								\
		harness_register(#name, name##_suite, flags);		\
	}								\
	static Suite *name##_suite(void)

/* Paths from the Makefile: the build dir and the source tree. */
const char *harness_build_dir(void);
const char *harness_src_dir(void);
/* ../shared/pcaps beside the checkout, or NULL when absent. */
const char *harness_pcap_dir(void);

#endif
