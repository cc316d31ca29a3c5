// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * aging.c - session sweep over batch map operations.
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

int aging_delete_if(int fd, aging_pred pred, void *arg, struct aging_result *res)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct mip6lb_session_key *keys = NULL, *del = NULL;
	struct mip6lb_session *vals = NULL;
	struct mip6lb_session_key in, out;
	struct aging_result r = {};
	void *inp = NULL;
	__u32 n, i, nd;
	int ret, err = 0;

	keys = calloc(AGING_BATCH, sizeof(*keys));
	vals = calloc(AGING_BATCH, sizeof(*vals));
	del = calloc(AGING_BATCH, sizeof(*del));
	if (!keys || !vals || !del) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		n = AGING_BATCH;
		ret = bpf_map_lookup_batch(fd, inp, &out, keys, vals, &n, &opts);
		if (ret && errno != ENOENT) {
			err = -errno;
			pr_err("map sessions: batch lookup: %s", strerror(-err));
			goto out;
		}
		r.scanned += n;
		for (i = 0, nd = 0; i < n; i++)
			if (pred(&keys[i], &vals[i], arg))
				del[nd++] = keys[i];
		if (nd) {
			err = delete_keys(fd, del, nd, &r.deleted);
			if (err) {
				pr_err("map sessions: batch delete: %s", strerror(-err));
				goto out;
			}
		}
		if (ret)        /* ENOENT: that was the last batch */
			break;
		in = out;
		inp = &in;
	}
out:
	free(keys);
	free(vals);
	free(del);
	if (res)
		*res = r;
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
