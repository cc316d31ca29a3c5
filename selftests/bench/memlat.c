// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memlat.c - context for the cache-cold rows: the latency of one dependent
 * load in a random cyclic walk over working sets of 1 MB to 256 MB, on
 * 4 KiB pages (madvise(MADV_NOHUGEPAGE): BPF maps are vmalloc'd, so they
 * are on small pages too).  A session lookup in a table of 1M clients is a
 * chain of such loads (bucket, then element), so this is its floor.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bench.h"

static double chase(size_t mb, size_t steps)
{
	size_t n = mb * 1024 * 1024 / 64, i, p = 0;
	size_t bytes = n * 64;
	uint64_t *a;
	uint32_t *perm;
	uint64_t x = 0x243f6a8885a308d3ULL;
	volatile size_t sink;
	double t0;

	a = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	perm = malloc(n * sizeof(*perm));
	if (a == MAP_FAILED || !perm) {
		if (a != MAP_FAILED)
			munmap(a, bytes);
		free(perm);
		return -ENOMEM;
	}
	madvise(a, bytes, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {      /* Fisher-Yates, xorshift */
		size_t j;
		uint32_t t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % (i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	/* One cycle through every cache line, in random order. */
	for (i = 0; i < n; i++)
		a[(size_t)perm[i] * 8] = (size_t)perm[(i + 1) % n] * 8;
	free(perm);
	for (i = 0; i < steps / 4; i++)   /* warm the walk */
		p = a[p];
	t0 = bench_cpu_ns();
	for (i = 0; i < steps; i++)
		p = a[p];
	t0 = (bench_cpu_ns() - t0) / steps;
	sink = p;
	(void)sink;
	munmap(a, bytes);
	return t0;
}

int bench_memlat(void)
{
	static const size_t sizes[] = { 1, 8, 64, 256 };
	int i;

	for (i = 0; i < 4; i++) {
		size_t steps = bopt.quick ? 100000 : sizes[i] >= 64 ? 1000000 : 4000000;
		double v[BENCH_RUNS_MAX];
		int r, runs = 1;          /* building a big cycle costs seconds */
		struct bench_row *row;
		char mode[16];

		if (bopt.quick && sizes[i] > 8)
			continue;
		for (r = 0; r < runs; r++) {
			v[r] = chase(sizes[i], steps);
			if (v[r] < 0)
				break;
		}
		snprintf(mode, sizeof(mode), "%zuMB", sizes[i]);
		if (r < runs) {
			row_null("mem-latency", mode, "ns", "out of memory");
			continue;
		}
		row = row_add("mem-latency", mode);
		row_set_value(row, bench_median(v, runs), "ns/load");
		row_extra_str(row, "what", "dependent load, random walk, 4 KiB pages");
	}
	return 0;
}
