// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health_tc.c - loads the health probes' tc egress program
 * (bpf/health.bpf.c) over the datapath's own backends and service_conf
 * maps, and attaches it with libbpf's tc API (a clsact qdisc, one
 * cls_bpf filter in direct-action mode per interface).
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dpmaps.h"
#include "health.h"
#include "health_mark.h"
#include "health.skel.h"
#include "log.h"

/* Ours among the egress filters: handle "ml", a priority of its own. */
#define HC_TC_HANDLE   0x6d6c
#define HC_TC_PRIORITY 0x6d6c

struct health_tc {
	struct mip6lb_health *skel;
	int ifindex[16];
	int n;
};

static void detach_one(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HC_TC_HANDLE, .priority = HC_TC_PRIORITY);

	bpf_tc_detach(&hook, &opts);
}

int health_tc_attach(struct health_tc **out, const struct dp_maps *maps,
		     const char (*ifaces)[16], int n)
{
	struct health_tc *t = calloc(1, sizeof(*t));
	int err, i;

	if (!t)
		return -ENOMEM;
	t->skel = mip6lb_health__open();
	if (!t->skel) {
		err = -errno;
		pr_err("health: opening the tc program: %s", strerror(-err));
		goto fail;
	}
	if ((err = bpf_map__reuse_fd(t->skel->maps.backends, maps->backends)) ||
	    (err = bpf_map__reuse_fd(t->skel->maps.service_conf, maps->service_conf))) {
		pr_err("health: sharing the datapath's maps: %s", strerror(-err));
		goto fail;
	}
	err = mip6lb_health__load(t->skel);
	if (err) {
		pr_err("health: loading the tc program: %s", strerror(-err));
		goto fail;
	}
	for (i = 0; i < n && i < 16; i++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HC_TC_HANDLE, .priority = HC_TC_PRIORITY,
			    .flags = BPF_TC_F_REPLACE,
			    .prog_fd = bpf_program__fd(t->skel->progs.mip6lb_health_egress));

		hook.ifindex = if_nametoindex(ifaces[i]);
		if (!hook.ifindex) {
			err = -errno;
			pr_err("health: interface %s: %s", ifaces[i], strerror(-err));
			goto fail;
		}
		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST) {
			pr_err("health: clsact on %s: %s", ifaces[i], strerror(-err));
			goto fail;
		}
		err = bpf_tc_attach(&hook, &opts);
		if (err) {
			pr_err("health: tc egress filter on %s: %s", ifaces[i], strerror(-err));
			goto fail;
		}
		t->ifindex[t->n++] = hook.ifindex;
	}
	*out = t;
	return 0;
fail:
	health_tc_detach(t);
	return err;
}

void health_tc_detach(struct health_tc *t)
{
	int i;

	if (!t)
		return;
	/* The clsact qdisc stays: other filters may hang off it. */
	for (i = 0; i < t->n; i++)
		detach_one(t->ifindex[i]);
	mip6lb_health__destroy(t->skel);
	free(t);
}

int health_tc_counters(const struct health_tc *t, __u64 *out)
{
	int ncpu = libbpf_num_possible_cpus(), fd, c;
	__u64 *v;
	__u32 i;

	memset(out, 0, MIP6LB_HCNT_MAX * sizeof(*out));
	if (!t)
		return 0;
	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	fd = bpf_map__fd(t->skel->maps.health_counters);
	for (i = 0; i < MIP6LB_HCNT_MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, v))
			continue;
		for (c = 0; c < ncpu; c++)
			out[i] += v[c];
	}
	free(v);
	return 0;
}
