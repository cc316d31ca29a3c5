// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_netns.c - the end-to-end scenarios of selftests/netns as Check tests:
 * one test case per script, each running `bash SCRIPT` with the build and
 * source dirs in the environment and asserting exit status 0.  The scripts
 * print what they check; their output lands in `make check`'s log.
 *
 * Each script runs in its own process group: on a timeout Check SIGKILLs the
 * test's group, which would skip the script's `trap teardown EXIT` and leak
 * namespaces.  The scripts carry their own watchdog (TEST_TIMEOUT, 100 s by
 * default) that runs the teardown before Check's 120 s limit.
 *
 * The classify scenario needs ../shared/pcaps: without them it is not added
 * at all (a SKIP line says so), so a missing capture never counts as a pass.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include "harness.h"

#define NETNS_TIMEOUT_S 120

struct scenario {
	const char *tcase;     /* Check test-case name */
	const char *script;    /* in selftests/netns */
	int needs_pcaps;
};

static const struct scenario scenarios[] = {
	{ "topology",        "test_topology.sh",          0 },
	{ "s01_hao_roam",    "test_01_hao_roam.sh",       0 },
	{ "s02_home_roam",   "test_02_home_then_roam.sh", 0 },
	{ "s03_iid",         "test_03_iid.sh",            0 },
	{ "s04_esp_spi",     "test_04_esp_spi.sh",        0 },
	{ "s05_weights",     "test_05_weights.sh",        0 },
	{ "s06_drain_del",   "test_06_drain_delete.sh",   0 },
	{ "s07_kill9",       "test_07_kill9.sh",          0 },
	{ "s08_forwarding",  "test_08_forwarding.sh",     0 },
	{ "s09_host",        "test_09_host_traffic.sh",   0 },
	{ "s10_classify",    "test_10_classify.sh",       1 },
	{ "s11_notify_ha",   "test_11_notify_ha.sh",      0 },
	{ "s12_notify_mn",   "test_12_notify_mn.sh",      0 },
	{ "s13_notify_rej",  "test_13_notify_reject.sh",  0 },
	{ "s14_aging",       "test_14_aging.sh",          0 },
	{ "s15_notify_edge", "test_15_notify_edges.sh",   0 },
};
#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static void abs_dir(char *out, size_t len, const char *dir)
{
	if (!realpath(dir, out))
		snprintf(out, len, "%s", dir);
}

static int run_script(const char *script)
{
	char src[PATH_MAX], build[PATH_MAX], path[PATH_MAX + 32];
	pid_t pid;
	int status;

	abs_dir(src, sizeof(src), harness_src_dir());
	abs_dir(build, sizeof(build), harness_build_dir());
	snprintf(path, sizeof(path), "%s/selftests/netns/%s", src, script);
	ck_assert_msg(access(path, R_OK) == 0, "%s: %s", path, strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		setenv("MIP6LB_SRC", src, 1);
		setenv("MIP6LB_BUILD", build, 1);
		execlp("bash", "bash", path, (char *)NULL);
		fprintf(stderr, "exec bash %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		ck_assert_msg(errno == EINTR, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

START_TEST(test_scenario)
{
	const struct scenario *s = &scenarios[_i];
	int rc = run_script(s->script);

	ck_assert_msg(rc == 0, "%s exited %d%s", s->script, rc,
		      rc == 77 ? " (skipped: a prerequisite is missing)" : "");
}
END_TEST

MIP6LB_SUITE(netns, SUITE_NEEDS_ROOT | SUITE_NETNS)
{
	Suite *s = suite_create("netns");
	size_t i;

	for (i = 0; i < N_SCENARIOS; i++) {
		TCase *tc;

		if (scenarios[i].needs_pcaps && !harness_pcap_dir()) {
			printf("SKIP netns/%s: no ../shared/pcaps beside the checkout\n",
			       scenarios[i].tcase);
			continue;
		}
		tc = tcase_create(scenarios[i].tcase);
		tcase_set_timeout(tc, NETNS_TIMEOUT_S);
		tcase_add_loop_test(tc, test_scenario, (int)i, (int)i + 1);
		suite_add_tcase(s, tc);
	}
	return s;
}
