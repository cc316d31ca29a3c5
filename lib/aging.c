// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * aging.c - session sweep over batch map operations: the session-map walk
 * (dp_sessions_walk in dpmaps.c, batch by batch) and batch deletes.
 *
 * Each batch of entries is filtered and its expired keys deleted before the
 * next batch is read, so the window in which a session can be refreshed by
 * the datapath between our lookup and our delete is one batch long, not a
 * whole table walk.  Deleting keys of buckets the batch cursor has already
 * passed does not disturb the walk.
 *
 * The kernel's generic delete batch stops at the first key that is gone
 * (-ENOENT; an LRU eviction or the datapath got there first) and reports
 * how many it deleted: skip that key and carry on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "aging.h"
#include "dpmaps.h"
#include "log.h"

#define AGING_BATCH 8192

bool aging_expired(const struct mip6lb_session *val, __u64 now_ns)
{
	__u64 life;

	if (!val->lifetime_s)
		return false;
	/* A session touched after we read the clock is not idle. */
	if (val->last_used_ns >= now_ns)
		return false;
	life = (__u64)val->lifetime_s * 1000000000ULL;
	return now_ns - val->last_used_ns > life;
}

static int delete_keys(int fd, struct mip6lb_session_key *keys, __u32 n, long *deleted)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 off = 0, count;
	int err;

	while (off < n) {
		count = n - off;
		err = bpf_map_delete_batch(fd, keys + off, &count, &opts);
		*deleted += count;
		off += count;
		if (!err)
			continue;
		err = -errno;
		if (err != -ENOENT)
			return err;
		off++;          /* that key was already gone */
	}
	return 0;
}

struct sweep_ctx {
	int fd;
	aging_pred pred;
	void *arg;
	struct mip6lb_session_key *del;
	struct aging_result r;
	int delete_err;
};

/* One batch: filter it, and delete what expired before the next is read. */
static int sweep_batch(const struct mip6lb_session_key *keys,
		       const struct mip6lb_session *vals, __u32 n, void *arg)
{
	struct sweep_ctx *c = arg;
	__u32 i, nd;
	int err;

	c->r.scanned += n;
	for (i = 0, nd = 0; i < n; i++)
		if (c->pred(&keys[i], &vals[i], c->arg))
			c->del[nd++] = keys[i];
	if (!nd)
		return 0;
	err = delete_keys(c->fd, c->del, nd, &c->r.deleted);
	if (err) {
		pr_err("map sessions: batch delete: %s", strerror(-err));
		c->delete_err = err;
	}
	return err;
}

int aging_delete_if(int fd, aging_pred pred, void *arg, struct aging_result *res)
{
	struct sweep_ctx c = { .fd = fd, .pred = pred, .arg = arg };
	long ret;
	int err = 0;

	c.del = calloc(AGING_BATCH, sizeof(*c.del));
	if (!c.del) {
		err = -ENOMEM;
		goto out;
	}
	ret = dp_sessions_walk(fd, AGING_BATCH, sweep_batch, &c);
	if (ret < 0) {
		err = (int)ret;
		if (!c.delete_err)
			pr_err("map sessions: batch lookup: %s", strerror(-err));
	}
out:
	free(c.del);
	if (res)
		*res = c.r;
	return err;
}

static bool pred_expired(const struct mip6lb_session_key *key,
			 const struct mip6lb_session *val, void *arg)
{
	return aging_expired(val, *(const __u64 *)arg);
}

int aging_sweep(int fd, __u64 now_ns, struct aging_result *res)
{
	return aging_delete_if(fd, pred_expired, &now_ns, res);
}

int aging_delete_if_all(const struct dp_maps *m, aging_pred pred, void *arg,
			struct aging_result *res)
{
	struct aging_result one, sum = {};
	int fds[DP_SESSION_TABLES], i, err = 0, e;

	dp_session_tables(m, fds);
	for (i = 0; i < DP_SESSION_TABLES; i++) {
		if (fds[i] < 0)
			continue;
		memset(&one, 0, sizeof(one));
		e = aging_delete_if(fds[i], pred, arg, &one);
		sum.scanned += one.scanned;
		sum.deleted += one.deleted;
		if (e && !err)
			err = e;
	}
	if (res)
		*res = sum;
	return err;
}

int aging_sweep_all(const struct dp_maps *m, __u64 now_ns, struct aging_result *res)
{
	return aging_delete_if_all(m, pred_expired, &now_ns, res);
}
