// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Check runner: every registered suite, sorted by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <limits.h>
#include "harness.h"

#define MAX_SUITES 64

struct reg {
	const char *name;
	Suite *(*make)(void);
	unsigned int flags;
};

static struct reg regs[MAX_SUITES];
static int n_regs;

void harness_register(const char *name, Suite *(*make)(void), unsigned int flags)
{
	if (n_regs == MAX_SUITES) {
		fprintf(stderr, "harness: more than %d suites\n", MAX_SUITES);
		abort();
	}
	regs[n_regs++] = (struct reg){ name, make, flags };
}

const char *harness_build_dir(void)
{
	const char *d = getenv("MIP6LB_BUILD");
	return d && *d ? d : "build";
}

const char *harness_src_dir(void)
{
	const char *d = getenv("MIP6LB_SRC");
	return d && *d ? d : ".";
}

const char *harness_pcap_dir(void)
{
	static char path[PATH_MAX];
	struct stat st;
	const char *env = getenv("MIP6LB_PCAPS");

	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/../shared/pcaps", harness_src_dir());
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? path : NULL;
}

static int cmp_reg(const void *a, const void *b)
{
	const struct reg *x = a, *y = b;
	/* End-to-end and bench suites run last: they are the slowest. */
	unsigned int kx = x->flags & (SUITE_NETNS | SUITE_BENCH);
	unsigned int ky = y->flags & (SUITE_NETNS | SUITE_BENCH);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Check prints its summary before the per-test lines; repeat it, in
 * Check's own format, as the run's last line so logs and CI end on it. */
static void print_summary(SRunner *sr)
{
	int run = srunner_ntests_run(sr), failures = 0, errors = 0, i;
	TestResult **res = srunner_results(sr);

	for (i = 0; i < run; i++) {
		if (tr_rtype(res[i]) == CK_FAILURE)
			failures++;
		else if (tr_rtype(res[i]) == CK_ERROR)
			errors++;
	}
	free(res);
	printf("%d%%: Checks: %d, Failures: %d, Errors: %d\n",
	       run ? (run - failures - errors) * 100 / run : 0, run, failures, errors);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : getenv("MIP6LB_SUITE");
	int root = geteuid() == 0;
	int no_netns = getenv("MIP6LB_NO_NETNS") != NULL;
	SRunner *sr = NULL;
	int failed, i;

	qsort(regs, n_regs, sizeof(regs[0]), cmp_reg);
	for (i = 0; i < n_regs; i++) {
		const struct reg *r = &regs[i];

		if (only && strcmp(only, r->name))
			continue;
		if ((r->flags & SUITE_NEEDS_ROOT) && !root) {
			printf("SKIP suite %s: needs root (BPF or namespaces)\n", r->name);
			continue;
		}
		if ((r->flags & SUITE_NETNS) && no_netns) {
			printf("SKIP suite %s: MIP6LB_NO_NETNS is set\n", r->name);
			continue;
		}
		if (!sr)
			sr = srunner_create(r->make());
		else
			srunner_add_suite(sr, r->make());
	}
	if (!sr) {
		fprintf(stderr, "no suite to run%s%s\n", only ? " named " : "", only ? only : "");
		return 1;
	}
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	print_summary(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
