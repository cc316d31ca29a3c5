// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * withdraw_rows.c - withdraw-ms: mip6lbd killed (kill -9, and SIGTERM) to
 * its VIP's next hop gone from the router, through BIRD and BGP (issue 15).
 * It needs the multi-instance namespace topology, so the phase runs the
 * scenario selftests/netns/test_21_bgp_withdraw.sh, which writes
 * "withdraw-ms MODE MS" lines to $MIP6LB_BENCH_OUT, and makes rows of them.
 * The figure is one kill each, polled every 10 ms on the router: a few ms
 * of it are the poll.  Null with the reason when the scenario cannot run
 * (not root, no bird2 or TUN: its SKIP line) or in --quick mode (make
 * check runs the same scenario as netns/s21_bgp_withdraw).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "bench.h"

#define WD_SCRIPT "selftests/netns/test_21_bgp_withdraw.sh"

static const char *const wd_modes[] = { "kill9", "sigterm" };
#define WD_MODES (sizeof(wd_modes) / sizeof(wd_modes[0]))

static void all_null(const char *why)
{
	size_t i;

	for (i = 0; i < WD_MODES; i++)
		row_null("withdraw-ms", wd_modes[i], "ms", "%s", why);
}

int bench_withdraw(void)
{
	char out[] = "/tmp/mip6lb-bench-withdraw-XXXXXX", log[] = "/tmp/mip6lb-bench-wdlog-XXXXXX";
	char cmd[2048], line[256], why[200] = "", mode[32];
	const char *src = getenv("MIP6LB_SRC");
	double ms[WD_MODES];
	bool have[WD_MODES] = { 0 };
	int fd, lfd, st;
	size_t i;
	FILE *f;

	if (bopt.quick) {
		all_null("quick mode: the scenario runs under make check (netns/s21_bgp_withdraw)");
		return 0;
	}
	if (geteuid()) {
		all_null("needs root (network namespaces, XDP)");
		return -EPERM;
	}
	if (!src || !*src)
		src = ".";
	fd = mkstemp(out);
	lfd = mkstemp(log);
	if (fd < 0 || lfd < 0) {
		all_null("mkstemp failed");
		return -errno;
	}
	close(fd);
	close(lfd);
	snprintf(cmd, sizeof(cmd), "MIP6LB_BENCH_OUT='%s' bash '%s/" WD_SCRIPT "' >'%s' 2>&1",
		 out, src, log);
	bench_log("$ %s", cmd);
	st = system(cmd);
	/* Its SKIP or FAIL line, as the reason for null rows. */
	f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "SKIP - ");

		if (!p)
			p = strstr(line, "FAIL - ");
		if (p) {
			p[strcspn(p, "\n")] = '\0';
			snprintf(why, sizeof(why), "%s: %s", WD_SCRIPT, p);
			break;
		}
	}
	if (f)
		fclose(f);
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f)) {
		double v;

		if (sscanf(line, "withdraw-ms %31s %lf", mode, &v) != 2)
			continue;
		for (i = 0; i < WD_MODES; i++)
			if (!strcmp(mode, wd_modes[i])) {
				ms[i] = v;
				have[i] = true;
			}
	}
	if (f)
		fclose(f);
	unlink(out);
	unlink(log);
	for (i = 0; i < WD_MODES; i++) {
		struct bench_row *r;

		if (!have[i]) {
			row_null("withdraw-ms", wd_modes[i], "ms", "%s", why[0] ? why :
				 "the scenario wrote no figure (exit status in -v output)");
			continue;
		}
		r = row_add("withdraw-ms", wd_modes[i]);
		row_set_value(r, ms[i], "ms");
		row_set_target(r, 3000, false);
		row_extra_str(r, "path", "mip6lbd gone -> TUN device deleted -> BIRD kernel "
			      "protocol -> BGP withdraw -> router's multipath route");
		row_extra_str(r, "scenario", WD_SCRIPT);
	}
	bench_log("withdraw: exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
