// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dpmaps_count.c - sessions per backend and per service in every session
 * table (dpmaps.h: dp_session_counts).  A backend's sessions live in three
 * maps: sessions, coa_sessions (written for binding notifications) and
 * probation (identities not admitted yet), and a drained backend is empty
 * only when all three are; one batched walk of each.
 */
#include <errno.h>
#include <string.h>
#include "dpmaps.h"

#define COUNT_BATCH 4096

struct count_ctx {
	struct dp_session_counts *c;
	int table;
};

static int count_batch(const struct mip6lb_session_key *keys,
		       const struct mip6lb_session *vals, __u32 n, void *arg)
{
	struct count_ctx *x = arg;
	__u32 i;

	for (i = 0; i < n; i++) {
		if (keys[i].service_id < MIP6LB_MAX_SERVICES)
			x->c->service[keys[i].service_id][x->table]++;
		if (vals[i].backend_id < MIP6LB_MAX_BACKENDS)
			x->c->backend[vals[i].backend_id][x->table]++;
	}
	return 0;
}

int dp_session_counts(const struct dp_maps *m, struct dp_session_counts *c)
{
	int fds[DP_SESSION_TABLES], t;
	struct count_ctx x = { .c = c };
	long n;

	memset(c, 0, sizeof(*c));
	dp_session_tables(m, fds);
	for (t = 0; t < DP_SESSION_TABLES; t++) {
		if (fds[t] < 0)
			continue;
		x.table = t;
		n = dp_sessions_walk(fds[t], COUNT_BATCH, count_batch, &x);
		if (n < 0)
			return (int)n;
		c->table[t] = n;
	}
	return 0;
}

__u32 dp_session_counts_sum(const __u32 per_table[DP_SESSION_TABLES])
{
	__u32 sum = 0;
	int t;

	for (t = 0; t < DP_SESSION_TABLES; t++)
		sum += per_table[t];
	return sum;
}

const char *dp_session_table_name(int table)
{
	static const char *const names[DP_SESSION_TABLES] = {
		[DP_TABLE_SESSIONS]  = "sessions",
		[DP_TABLE_COA]       = "coa",
		[DP_TABLE_PROBATION] = "probation",
	};

	return table >= 0 && table < DP_SESSION_TABLES ? names[table] : "?";
}
