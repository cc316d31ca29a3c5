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
 *
 * Backends decapsulate ip6ip6 with mip6lb-decap (bpf) by default.  The
 * scenarios that carry ip6ip6 also run with the kernel's decapsulators, SRv6
 * End.DT6 and ip6tnl, but only where probe_decap.sh finds them in this
 * kernel; elsewhere the variant is not added and one SKIP line names the
 * missing kernel option.
 *
 * The scale-out scenarios (lib_ecmp.sh: several mip6lbd instances, BIRD)
 * are added only where probe_ecmp.sh finds BIRD 2 and TUN (make deps
 * installs bird2); elsewhere one SKIP line names what is missing.
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
	const char *decap;     /* MIP6LB_DECAP_MODE; NULL = the default (bpf) */
	const char *probe;     /* a probe script's name + argument; NULL = none */
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
	{ "s16_notify_flood", "test_16_notify_flood.sh",  0 },
	{ "s17_flood_persist", "test_17_flood_persistence.sh", 0 },
	{ "s18_health",      "test_18_health.sh",         0 },
	{ "s20_encap_mtu",   "test_20_encap_mtu.sh",      0 },
	{ "s23_sync",        "test_23_sync.sh",           0 },
	{ "s22_notify_group", "test_22_notify_group.sh",  0 },
	{ "s19_icmp_errors", "test_19_icmp_errors.sh",    0 },
	{ "topology_dt6",    "test_topology.sh",          0, "end.dt6" },
	{ "s08_fwd_dt6",     "test_08_forwarding.sh",     0, "end.dt6" },
	{ "topology_ip6tnl", "test_topology.sh",          0, "ip6tnl" },
	{ "s08_fwd_ip6tnl",  "test_08_forwarding.sh",     0, "ip6tnl" },
	{ "s21_bgp_withdraw", "test_21_bgp_withdraw.sh",  0, NULL, "probe_ecmp.sh" },
	{ "s24_scaleout",    "test_24_scaleout.sh",       0, NULL, "probe_ecmp.sh" },
	/* ip6tnl with remote :: takes the varying outer sources of a prefix. */
	{ "s20_mtu_ip6tnl",  "test_20_encap_mtu.sh",      0, "ip6tnl" },
};
#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static void abs_dir(char *out, size_t len, const char *dir)
{
	if (!realpath(dir, out))
		snprintf(out, len, "%s", dir);
}

/* probe_decap.sh MODE (or another probe script with its argument): 0 when
 * the host has it, else its reason in why. */
static int script_probe(const char *script, const char *arg, char *why, size_t len)
{
	char src[PATH_MAX], cmd[PATH_MAX + 128];
	FILE *p;
	int status;

	abs_dir(src, sizeof(src), harness_src_dir());
	snprintf(cmd, sizeof(cmd), "bash %s/selftests/netns/%s %s 2>&1", src, script, arg);
	why[0] = '\0';
	p = popen(cmd, "r");
	if (!p) {
		snprintf(why, len, "popen: %s", strerror(errno));
		return -1;
	}
	if (!fgets(why, (int)len, p))
		why[0] = '\0';
	why[strcspn(why, "\n")] = '\0';
	status = pclose(p);
	return (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -1;
}

static int run_script(const char *script, const char *decap)
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
		if (decap)
			setenv("MIP6LB_DECAP_MODE", decap, 1);
		else
			unsetenv("MIP6LB_DECAP_MODE");
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
	int rc = run_script(s->script, s->decap);

	ck_assert_msg(rc == 0, "%s%s%s exited %d%s", s->script, s->decap ? " with " : "",
		      s->decap ? s->decap : "", rc,
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
		if (scenarios[i].decap) {
			char why[256];

			if (script_probe("probe_decap.sh", scenarios[i].decap, why, sizeof(why)) < 0) {
				printf("SKIP netns/%s: %s\n", scenarios[i].tcase,
				       why[0] ? why : "probe failed");
				continue;
			}
		}
		if (scenarios[i].probe) {
			char why[256];

			if (script_probe(scenarios[i].probe, "", why, sizeof(why)) < 0) {
				printf("SKIP netns/%s: %s\n", scenarios[i].tcase,
				       why[0] ? why : "probe failed");
				continue;
			}
		}
		tc = tcase_create(scenarios[i].tcase);
		tcase_set_timeout(tc, NETNS_TIMEOUT_S);
		tcase_add_loop_test(tc, test_scenario, (int)i, (int)i + 1);
		suite_add_tcase(s, tc);
	}
	return s;
}
