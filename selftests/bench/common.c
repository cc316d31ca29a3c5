// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The datapath under benchmark: the real object from its skeleton,
 * configured through the same dpmaps code the daemon uses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mip6lb.skel.h"
#include "bench.h"
#include "hash.h"
#include "maglev.h"
#include "names.h"
#include "config.h"

static const __u8 lb_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa };

int bench_dp_open(struct bench_dp *d, __u32 max_sessions)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->skel = mip6lb__open();
	if (!d->skel) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: open the datapath skeleton: %s\n", strerror(-err));
		return err;
	}
	bpf_map__set_max_entries(d->skel->maps.rings, BENCH_SERVICES * MIP6LB_RING_SIZE);
	bpf_map__set_max_entries(d->skel->maps.sessions, max_sessions);
	/* Probation as large, so that a new identity's row times its insert,
	 * not an eviction (as the old LRU sessions table was sized). */
	bpf_map__set_max_entries(d->skel->maps.probation, max_sessions);
	/* Room for the notify rows' coa sessions (200,000), without the
	 * datapath rows' millions of session slots twice over. */
	bpf_map__set_max_entries(d->skel->maps.coa_sessions,
				 max_sessions < (1U << 18) ? max_sessions : 1U << 18);
	err = mip6lb__load(d->skel);
	if (err) {
		fprintf(stderr, "mip6lb-bench: load the datapath (%u sessions): %s\n",
			max_sessions, strerror(-err));
		goto fail;
	}
	err = dp_maps_from_object(&d->maps, d->skel->obj);
	if (err)
		goto fail;
	d->prog_fd = bpf_program__fd(d->skel->progs.mip6lb_xdp);
	return 0;
fail:
	mip6lb__destroy(d->skel);
	d->skel = NULL;
	return err;
}

void bench_dp_close(struct bench_dp *d)
{
	int i;

	for (i = 0; i < BENCH_SERVICES; i++) {
		free(d->ring[i]);
		d->ring[i] = NULL;
	}
	mip6lb__destroy(d->skel);
	d->skel = NULL;
}

int bench_dp_service(struct bench_dp *d, __u32 id, const char *vip, int forward,
		     __u32 first_backend, int n_backends, __u32 ifindex)
{
	struct mip6lb_service_key key = {};
	struct mip6lb_service svc = {};
	struct maglev_backend mb[64];
	char names[64][16];
	__u32 *ring;
	int i, n, err;

	if (n_backends > 64 || id >= BENCH_SERVICES)
		return -E2BIG;
	if (inet_pton(AF_INET6, vip, &key.vip) != 1)
		return -EINVAL;
	svc.id = id;
	n = id_order_parse("hoa,spi,iid,src", svc.id_order);
	if (n < 0)
		return n;
	svc.n_ids = n;
	svc.flags = MIP6LB_SVC_EUI64_ONLY;
	svc.forward = forward;
	svc.chain_policy = MIP6LB_CHAIN_BALANCE_SRC;
	svc.lifetime_s = MIP6LB_DEFAULT_LIFETIME;
	inet_pton(AF_INET6, "2001:db8:ff::1", &svc.lb_addr);
	/* As the daemon's (config_service_hash_id of its name). */
	snprintf(names[0], sizeof(names[0]), "svc%u", id);
	svc.hash_id = config_service_hash_id(names[0]);
	d->hash_id[id] = svc.hash_id;
	err = dp_service_write(&d->maps, &key, &svc, false);
	if (err)
		return err;

	for (i = 0; i < n_backends; i++) {
		struct mip6lb_backend be = {};
		__u32 bid = first_backend + i;
		char addr[64];

		snprintf(addr, sizeof(addr), "2001:db8:%x::%x", 0x10 + id, i + 1);
		inet_pton(AF_INET6, addr, &be.addr);
		be.service_id = id;
		be.flags = MIP6LB_BE_ACTIVE | MIP6LB_BE_NH_VALID;
		be.ifindex = ifindex;
		memcpy(be.dmac, (__u8[6]){ 0x02, 0xbe, 0, 0, 0, (__u8)bid }, 6);
		memcpy(be.smac, lb_mac, 6);
		err = dp_backend_write(&d->maps, bid, &be);
		if (err)
			return err;
		snprintf(names[i], sizeof(names[i]), "be%u", bid);
		mb[i].id = bid;
		mb[i].name = names[i];
		mb[i].weight = 1;
	}
	ring = malloc(sizeof(*ring) * MIP6LB_RING_SIZE);
	if (!ring)
		return -ENOMEM;
	err = maglev_build(mb, n_backends, ring, MIP6LB_RING_SIZE);
	if (!err)
		err = dp_ring_write(&d->maps, id, ring);
	if (err) {
		free(ring);
		return err;
	}
	free(d->ring[id]);
	d->ring[id] = ring;
	return 0;
}

int bench_dp_notify(struct bench_dp *d, __u32 id, __u8 mode)
{
	struct mip6lb_service s;

	if (bpf_map_lookup_elem(d->maps.service_conf, &id, &s))
		return -errno;
	s.notify = mode;
	return bpf_map_update_elem(d->maps.service_conf, &id, &s, BPF_ANY) ? -errno : 0;
}

__u32 bench_dp_ring_backend(struct bench_dp *d, const struct mip6lb_session_key *key)
{
	if (key->service_id >= BENCH_SERVICES || !d->ring[key->service_id])
		bench_fail("no ring for service %u", key->service_id);
	return d->ring[key->service_id][mip6lb_ring_slot(key, d->hash_id[key->service_id])];
}
