/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dpfixture.h - the datapath under test: the real BPF object loaded from
 * its skeleton with small tables, services and backends written through the
 * same dpmaps code the daemon uses, packets run with bpf_prog_test_run_opts.
 */
#ifndef MIP6LB_DPFIXTURE_H
#define MIP6LB_DPFIXTURE_H

#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"
#include "dpmaps.h"
#include "parse_user.h"
#include "pktbuild.h"

#define DPF_SERVICES   16
#define DPF_SESSIONS   65536
#define DPF_IFINDEX    1          /* test_run's ingress is loopback */

struct mip6lb;

struct dpf {
	struct mip6lb *skel;
	struct dp_maps maps;
	int prog_fd;
	int scratch_fd;
};

struct dpf_result {
	int    verdict;               /* XDP_* */
	__u8   out[PB_MAX + 64];
	__u32  out_len;
	__u32  backend;               /* backend_stats delta, or ~0 */
};

/* Load and attach nothing; abort the test on failure (ck_assert). */
void dpf_open(struct dpf *f);
/* The same with the session tables sized by sz. */
void dpf_open_sized(struct dpf *f, const struct dp_sizes *sz);
void dpf_close(struct dpf *f);

struct dpf_service {
	__u32 id;
	const char *vip;
	__u8 proto;                   /* 0 = any */
	__u16 port;                   /* 0 = any */
	const char *identity;         /* NULL = "hoa,spi,iid,src" */
	int eui64_only;               /* -1 = default (yes) */
	int forward;                  /* MIP6LB_FWD_* */
	const char *lb_addr;
	unsigned int lb_plen;         /* 0 = 128; else lb_addr is a prefix */
	int chain_policy;
	__u32 lifetime_s;
	__u8 notify;                  /* MIP6LB_NOTIFY_*: coa_sessions looked up */
	const char *name;             /* its hash_id's name; NULL = "svc<id>" */
};
void dpf_add_service(struct dpf *f, const struct dpf_service *s);
/* The identity hash the datapath computes for key: with the hash_id of
 * key's service as written in service_conf. */
__u32 dpf_hash(struct dpf *f, const struct mip6lb_session_key *key);

/* Backend with a resolved next hop on DPF_IFINDEX: dmac 02:be:00:00:00:id. */
void dpf_add_backend(struct dpf *f, __u32 id, __u32 service_id, const char *addr);
void dpf_set_backend_flags(struct dpf *f, __u32 id, __u32 flags);
/* The backend's ip6ip6 mtu (0 = unknown: no Packet Too Big check). */
void dpf_set_backend_mtu(struct dpf *f, __u32 id, __u16 mtu);
/* Rebuild the service's ring from the listed backend ids (weights 1 unless
 * weights is non-NULL); a drained backend is simply left out by the caller. */
void dpf_ring(struct dpf *f, __u32 service_id, const __u32 *ids, const __u32 *weights, int n);

/* Run one packet; fills r and returns r->verdict. */
int dpf_run(struct dpf *f, const struct pb *b, struct dpf_result *r);
/* Counter total. */
__u64 dpf_counter(struct dpf *f, int idx);
/* The BPF parser's result for the last packet (scratch map, this CPU). */
void dpf_last_parse(struct dpf *f, struct mip6lb_pkt *pkt);
/* Session lookup by kind + identity text, in every session table (as
 * dp_session_lookup); returns 0 and fills val if found. */
int dpf_session(struct dpf *f, __u32 service_id, int kind, const char *identity,
		struct mip6lb_session *val);
long dpf_session_count(struct dpf *f);

#endif
