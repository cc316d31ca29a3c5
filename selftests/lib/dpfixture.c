// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "mip6lb.skel.h"
#include "dpfixture.h"
#include "maglev.h"
#include "names.h"
#include "config.h"
#include "hash.h"

static void pin_cpu0(void)
{
	cpu_set_t set;

	/* The scratch map is per CPU: stay on one to read it back. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

void dpf_open(struct dpf *f)
{
	struct dp_sizes sz = { .sessions = DPF_SESSIONS, .probation = DPF_SESSIONS,
			       .coa = DPF_SESSIONS };

	dpf_open_sized(f, &sz);
}

void dpf_open_sized(struct dpf *f, const struct dp_sizes *sz)
{
	int err;

	memset(f, 0, sizeof(*f));
	pin_cpu0();
	f->skel = mip6lb__open();
	ck_assert_msg(f->skel, "mip6lb__open: %s", strerror(errno));
	bpf_map__set_max_entries(f->skel->maps.rings, DPF_SERVICES * MIP6LB_RING_SIZE);
	bpf_map__set_max_entries(f->skel->maps.sessions, sz->sessions);
	bpf_map__set_max_entries(f->skel->maps.probation, sz->probation);
	bpf_map__set_max_entries(f->skel->maps.coa_sessions, sz->coa);
	err = mip6lb__load(f->skel);
	ck_assert_msg(!err, "mip6lb__load: %s", strerror(-err));
	err = dp_maps_from_object(&f->maps, f->skel->obj);
	ck_assert_int_eq(err, 0);
	f->prog_fd = bpf_program__fd(f->skel->progs.mip6lb_xdp);
	f->scratch_fd = bpf_map__fd(f->skel->maps.scratch);
}

void dpf_close(struct dpf *f)
{
	mip6lb__destroy(f->skel);
	f->skel = NULL;
}

static void parse_addr(const char *text, struct in6_addr *a)
{
	ck_assert_msg(inet_pton(AF_INET6, text, a) == 1, "bad address %s", text);
}

void dpf_add_service(struct dpf *f, const struct dpf_service *s)
{
	struct mip6lb_service_key key = {};
	struct mip6lb_service svc = {};
	char name[16];
	int n;

	parse_addr(s->vip, &key.vip);
	key.proto = s->proto;
	key.port = s->port;
	svc.id = s->id;
	n = id_order_parse(s->identity ? s->identity : "hoa,spi,iid,src", svc.id_order);
	ck_assert_int_gt(n, 0);
	svc.n_ids = n;
	if (s->eui64_only != 0)
		svc.flags |= MIP6LB_SVC_EUI64_ONLY;
	svc.forward = s->forward;
	svc.chain_policy = s->chain_policy;
	svc.notify = s->notify;
	svc.lifetime_s = s->lifetime_s ? s->lifetime_s : MIP6LB_DEFAULT_LIFETIME;
	if (s->lb_addr)
		parse_addr(s->lb_addr, &svc.lb_addr);
	svc.lb_host_mask = mip6lb_lb_host_mask(s->lb_plen ? s->lb_plen : 128);
	/* As the daemon's, from a name: never equal to the id, so a test
	 * that hashed the id would fail. */
	snprintf(name, sizeof(name), "svc%u", s->id);
	svc.hash_id = config_service_hash_id(s->name ? s->name : name);
	ck_assert_int_eq(dp_service_write(&f->maps, &key, &svc, false), 0);
}

__u32 dpf_hash(struct dpf *f, const struct mip6lb_session_key *key)
{
	struct mip6lb_service svc;

	ck_assert_int_eq(bpf_map_lookup_elem(f->maps.service_conf, &key->service_id, &svc), 0);
	return mip6lb_session_hash(key, svc.hash_id);
}

void dpf_add_backend(struct dpf *f, __u32 id, __u32 service_id, const char *addr)
{
	struct mip6lb_backend be = {};

	parse_addr(addr, &be.addr);
	be.service_id = service_id;
	be.flags = MIP6LB_BE_ACTIVE | MIP6LB_BE_NH_VALID;
	be.ifindex = DPF_IFINDEX;
	memcpy(be.dmac, (__u8[6]){ 0x02, 0xbe, 0, 0, 0, (__u8)id }, 6);
	memcpy(be.smac, pb_lb_mac, 6);
	ck_assert_int_eq(dp_backend_write(&f->maps, id, &be), 0);
}

void dpf_set_backend_flags(struct dpf *f, __u32 id, __u32 flags)
{
	struct mip6lb_backend be;

	ck_assert_int_eq(bpf_map_lookup_elem(f->maps.backends, &id, &be), 0);
	be.flags = flags;
	ck_assert_int_eq(dp_backend_write(&f->maps, id, &be), 0);
}

void dpf_set_backend_mtu(struct dpf *f, __u32 id, __u16 mtu)
{
	struct mip6lb_backend be;

	ck_assert_int_eq(bpf_map_lookup_elem(f->maps.backends, &id, &be), 0);
	be.mtu = mtu;
	ck_assert_int_eq(dp_backend_write(&f->maps, id, &be), 0);
}

void dpf_ring(struct dpf *f, __u32 service_id, const __u32 *ids, const __u32 *weights, int n)
{
	struct maglev_backend mb[64];
	char names[64][16];
	__u32 *ring = malloc(sizeof(*ring) * MIP6LB_RING_SIZE);
	int i;

	ck_assert_ptr_nonnull(ring);
	ck_assert_int_le(n, 64);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "be%u", ids[i]);
		mb[i].id = ids[i];
		mb[i].name = names[i];
		mb[i].weight = weights ? weights[i] : 1;
	}
	ck_assert_int_eq(maglev_build(mb, n, ring, MIP6LB_RING_SIZE), 0);
	ck_assert_int_eq(dp_ring_write(&f->maps, service_id, ring), 0);
	free(ring);
}

static void backend_totals(struct dpf *f, __u64 *pk)
{
	struct mip6lb_counter_val v;
	__u32 id;

	for (id = 0; id < 64; id++) {
		ck_assert_int_eq(dp_backend_stats_read(&f->maps, id, &v), 0);
		pk[id] = v.packets;
	}
}

int dpf_run(struct dpf *f, const struct pb *b, struct dpf_result *r)
{
	__u64 before[64], after[64];
	__u32 id;
	int err;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = b->data,
		.data_size_in = b->len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.repeat = 1,
	);

	backend_totals(f, before);
	err = bpf_prog_test_run_opts(f->prog_fd, &opts);
	ck_assert_msg(!err, "bpf_prog_test_run_opts: %s", strerror(errno));
	backend_totals(f, after);
	r->verdict = opts.retval;
	r->out_len = opts.data_size_out;
	r->backend = ~0U;
	for (id = 0; id < 64; id++)
		if (after[id] != before[id])
			r->backend = id;
	return r->verdict;
}

__u64 dpf_counter(struct dpf *f, int idx)
{
	struct mip6lb_counter_val v[MIP6LB_CNT_MAX];

	ck_assert_int_eq(dp_counters_read(&f->maps, v), 0);
	return v[idx].packets;
}

void dpf_last_parse(struct dpf *f, struct mip6lb_pkt *pkt)
{
	int ncpu = libbpf_num_possible_cpus();
	struct mip6lb_pkt *vals = calloc(ncpu, sizeof(*vals));
	__u32 zero = 0;

	ck_assert_ptr_nonnull(vals);
	ck_assert_int_eq(bpf_map_lookup_elem(f->scratch_fd, &zero, vals), 0);
	*pkt = vals[0];
	free(vals);
}

int dpf_session(struct dpf *f, __u32 service_id, int kind, const char *identity,
		struct mip6lb_session *val)
{
	struct mip6lb_session_key key = {};

	key.service_id = service_id;
	ck_assert_int_eq(identity_parse(kind, identity, &key), 0);
	return dp_session_lookup(&f->maps, &key, val);
}

static int count_cb(const struct mip6lb_session_key *k, const struct mip6lb_session *v, void *arg)
{
	return 0;
}

long dpf_session_count(struct dpf *f)
{
	return dp_sessions_foreach(&f->maps, count_cb, NULL);
}
