// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * classify.c - `classify -c CONFIG FILE.pcap`: run every packet of a
 * capture through the real XDP program (bpf_prog_test_run_opts), with the
 * config's services, backends, VIP defaults and Maglev rings written into
 * its maps by the daemon's own state_apply() (lib/state.c), and say for
 * each packet what the datapath did.  Only the next hops differ: offline,
 * every backend's is a fixed one on loopback, so a forwarded packet comes
 * back as XDP_TX; ids and ring placement are the daemon's, so a new session
 * lands on the backend the live daemon would pick for the same config.
 *
 * What is printed is read back from the datapath, not re-derived:
 *   verdict   the program's return code;
 *   kind      the kind_* counter that moved;
 *   backend   the backend_stats entry that moved;
 *   reason    the pass/drop/anomaly counter that moved;
 *   service   the forwarded-to backend's service, else the services/vips/
 *             frags map entry the datapath's lookup order finds;
 *   identity  the session key of that kind, rebuilt with the datapath's own
 *             parser (bpf/parse.h built for userspace), then checked against
 *             the session table: it must exist and point at that backend.
 *             For an ICMPv6 error it is the session of the flow the error
 *             quotes (bpf/icmp_error.h), session "follow"; or, with
 *             session "ring", the quoted client's identity the ring
 *             hashed, which must have no session.
 * Any disagreement between these is reported on stderr and makes the exit
 * code 1: it means the classifier no longer understands the datapath.
 *
 * All packets share one session table, in capture order, so a later packet
 * sees the sessions earlier ones made.  The process stays on CPU 0 so the
 * per-CPU parse scratch it cross-checks is the one the run wrote.
 *
 * Frames XDP never sees are not run but still get their row, verdict drop:
 * `runt` below an Ethernet header (test_run refuses them, and no driver
 * hands one up), `too_big` above what the program sees in one buffer.  The
 * program is not xdp.frags, so a driver will not run it where frames
 * exceed that; test_run would split such a frame over pages and show the
 * program only the first, so its verdict would mean nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "mip6lb.skel.h"
#include "cli.h"
#include "config.h"
#include "dpmaps.h"
#include "log.h"
#include "names.h"
#include "parse_user.h"
#include "pcapsrc.h"
#include "state.h"
#include "table.h"

/* Sessions table size for a classification: far more identities than any
 * capture worth reading by eye, and a few MB instead of the daemon's
 * preallocated million. */
#define CLF_SESSIONS   65536
/* test_run's ingress is loopback: a next hop there makes the program
 * return XDP_TX, as it does on a one-armed balancer. */
#define CLF_IFINDEX    1
#define CLF_FRAG_BUCKETS 4096

/* The offline next hop of every backend (a backend's mac replaces dmac). */
static const struct st_fixed_nh clf_nh = {
	.ifindex = CLF_IFINDEX,
	.dmac = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x01 },
	.smac = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa },
};

/* Identity of a first fragment, for its later fragments (which carry
 * neither ports nor SPI: the datapath follows the frags map). */
struct frag_rec {
	struct mip6lb_frag_key key;
	int kind;
	char identity[INET6_ADDRSTRLEN];
	struct frag_rec *next;
};

struct clf {
	struct mip6lb *skel;
	struct dp_maps maps;
	int prog_fd;
	int scratch_fd;                /* -1: no parse cross-check (see pin_cpu0) */
	int ncpu;
	struct lb_state *st;           /* the daemon's model; owns the config */
	__u32 *be_ids;                 /* the configured backends' ids */
	int n_be;
	struct mip6lb_counter_val cnt[MIP6LB_CNT_MAX];  /* totals so far */
	__u64 *be_pkts;                /* backend_stats totals so far, by id */
	struct frag_rec *frags[CLF_FRAG_BUCKETS];
	int disagreements;
	size_t max_len;                /* the most bytes of a frame XDP sees in one buffer */
};

struct clf_row {
	long index;
	const char *verdict;
	int service;                   /* service id, -1 = none */
	int kind;                      /* MIP6LB_KIND_*, NONE = null */
	char identity[INET6_ADDRSTRLEN];
	int backend;                   /* backend id, -1 = none */
	int reason;                    /* counter index, -1 = null */
	int more[4];                   /* further anomaly counters, -1 ends */
	const char *session;           /* new, hit, rehash, frag, or NULL */
	size_t caplen, wire_len;       /* caplen < wire_len: cut by the snap length */
	char source[INET6_ADDRSTRLEN + 16];
	const char *not_run;           /* runt, too_big, not_run; NULL when run */
};

static void disagree(struct clf *c, long idx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void disagree(struct clf *c, long idx, const char *fmt, ...)
{
	va_list ap;

	c->disagreements++;
	fprintf(stderr, CLI_PROG ": classify: packet %ld: ", idx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (the classifier and the datapath disagree)\n");
}

/* Best effort: the counters are summed over CPUs anyway; only the parse
 * cross-check needs the run and the read on one known CPU, and it is
 * skipped when CPU 0 is not ours (a cpuset without it). */
static bool pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

/* ---- the datapath, set up from the config ------------------------------ */

/* The daemon's own id-to-name path; "" prints as - or null. */
static const char *svc_name(const struct clf *c, int id)
{
	const char *name = state_service_name(c->st, id);

	return name ? name : "";
}

static const char *be_name(const struct clf *c, int id)
{
	const char *name = state_backend_name(c->st, id);

	return name ? name : "";
}

/* The config goes in as the daemon applies it: state_apply() over fresh
 * maps, with offline next hops. */
static int apply_config(struct clf *c, struct mip6lb_config *cfg)
{
	__u32 id;
	int err;

	/* No reader drains the events ring buffer here: an event_dropped per
	 * packet would only hide the reasons that matter. */
	cfg->daemon.events_per_sec = 0;
	/* Nor admission control: a replay runs at its own pace, not the
	 * capture's, so probation and the per-CPU budget would judge the
	 * replay's timing.  Every new identity is recorded at once, which is
	 * where probation leads a node that keeps sending (same backend). */
	cfg->daemon.probation_ms = 0;
	cfg->daemon.new_per_sec = 0;
	err = state_new_offline(&c->st, &c->maps, &clf_nh);
	if (err)
		return cli_error("classify: %s", strerror(-err));
	err = state_apply(c->st, cfg);
	if (err)
		return cli_error("classify: applying the config: %s", strerror(-err));
	c->be_ids = calloc(MIP6LB_MAX_BACKENDS, sizeof(*c->be_ids));
	c->be_pkts = calloc(MIP6LB_MAX_BACKENDS, sizeof(*c->be_pkts));
	if (!c->be_ids || !c->be_pkts)
		return cli_error("classify: out of memory");
	for (id = 0; id < MIP6LB_MAX_BACKENDS; id++)
		if (state_backend_name(c->st, id))
			c->be_ids[c->n_be++] = id;
	return CLI_OK;
}

/* The bytes of a frame an XDP program sees in its one buffer: a page less
 * the headroom and the skb_shared_info tail, on this kernel.  Asked of the
 * kernel, not computed: test_run of a two-instruction XDP_PASS over a
 * frame of a few pages, whose xdp_md comes back with data_end at the end
 * of the first buffer (kernels since 5.18 put the rest in fragments). */
static size_t probe_max_len(void)
{
	static const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	long page = sysconf(_SC_PAGESIZE);
	size_t len = 4 * (page > 0 ? page : 4096), max = 0;
	struct xdp_md ctx = {};
	unsigned char *buf;
	int fd;
	LIBBPF_OPTS(bpf_test_run_opts, o, .repeat = 1, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .ctx_out = &ctx, .ctx_size_out = sizeof(ctx));

	buf = calloc(1, len);
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "clf_probe", "GPL", pass, 2, NULL);
	if (buf && fd >= 0) {
		ctx.data_end = len;
		o.data_in = buf;
		o.data_size_in = len;
		if (!bpf_prog_test_run_opts(fd, &o) && ctx.data_end > ETH_HLEN)
			max = ctx.data_end;
	}
	if (!max) {
		/* A kernel without fragments in test_run refuses the frame:
		 * its linear limit, for the usual 256 bytes of headroom and
		 * 320 of skb_shared_info. */
		max = (page > 0 ? page : 4096) - 256 - 320;
		pr_debug("classify: no XDP frame size from the kernel (%s); assuming %zu bytes",
			 strerror(errno), max);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return max;
}

static int clf_open(struct clf *c, const char *config, int verbose)
{
	struct mip6lb_config cfg;
	struct bpf_map *scratch;
	char err_text[512];
	bool pinned;
	int err, n_svc;

	err = config_load(config, &cfg, err_text, sizeof(err_text));
	if (err)
		return cli_error("%s", err_text);
	pinned = pin_cpu0();
	log_set_ident(CLI_PROG);
	/* libbpf's warnings repeat a failed load several ways; the one line
	 * below says it, and -v shows them all. */
	log_set_level(verbose ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	log_hook_libraries();

	c->skel = mip6lb__open();
	if (!c->skel) {
		err = cli_error("classify: opening the datapath object: %s", strerror(errno));
		goto out;
	}
	/* Fresh maps: state_apply() numbers services from 0 in config order,
	 * so rings for n_services are enough. */
	n_svc = cfg.n_services ? cfg.n_services : 1;
	bpf_map__set_max_entries(c->skel->maps.rings, n_svc * MIP6LB_RING_SIZE);
	bpf_map__set_max_entries(c->skel->maps.sessions, CLF_SESSIONS);
	err = mip6lb__load(c->skel);
	if (err) {
		err = cli_error("classify: loading the datapath: %s (classify runs the real XDP program and needs root, or CAP_BPF with CAP_NET_ADMIN%s)",
				strerror(-err), verbose ? "" : "; -v shows libbpf's messages");
		goto out;
	}
	err = dp_maps_from_object(&c->maps, c->skel->obj);
	if (err) {
		err = cli_error("classify: datapath maps: %s", strerror(-err));
		goto out;
	}
	c->prog_fd = bpf_program__fd(c->skel->progs.mip6lb_xdp);
	c->ncpu = libbpf_num_possible_cpus();
	if (c->ncpu < 0) {
		err = cli_error("classify: counting CPUs: %s", strerror(-c->ncpu));
		goto out;
	}
	scratch = bpf_object__find_map_by_name(c->skel->obj, "scratch");
	c->scratch_fd = pinned && scratch &&
			bpf_map__value_size(scratch) == sizeof(struct mip6lb_pkt) ?
			bpf_map__fd(scratch) : -1;
	c->max_len = probe_max_len();
	err = apply_config(c, &cfg);
out:
	config_free(&cfg);      /* empty when state_apply() took it */
	return err;
}

static void clf_close(struct clf *c)
{
	int i;

	for (i = 0; i < CLF_FRAG_BUCKETS; i++) {
		while (c->frags[i]) {
			struct frag_rec *r = c->frags[i];

			c->frags[i] = r->next;
			free(r);
		}
	}
	free(c->be_pkts);
	free(c->be_ids);
	state_free(c->st);
	mip6lb__destroy(c->skel);
}

/* ---- reading what the datapath did ------------------------------------- */

static bool is_reason(int i)
{
	const char *n = mip6lb_counter_names[i];

	if (!n)
		return false;
	/* Everything but traffic totals, kinds and session outcomes: every
	 * pass_*, drop_* and anomaly (chain_too_long, hao_malformed, ...),
	 * including ones added after this was written. */
	return strncmp(n, "kind_", 5) && strncmp(n, "session_", 8) &&
	       strncmp(n, "probation_", 10) &&
	       strcmp(n, "rx") && strcmp(n, "tx") && strcmp(n, "redirect") &&
	       strcmp(n, "frag_tracked") && strcmp(n, "event_sent");
}

static bool is_verdict_reason(int i)
{
	const char *n = mip6lb_counter_names[i];

	return n && (!strncmp(n, "pass_", 5) || !strncmp(n, "drop_", 5));
}

static __u64 be_stats(struct clf *c, int id)
{
	struct mip6lb_counter_val v;

	return dp_backend_stats_read(&c->maps, id, &v) ? 0 : v.packets;
}

/* The backend whose stats moved: check the expected one first; scan all
 * only when it did not move (which is then reported). */
static int moved_backend(struct clf *c, int expect)
{
	__u64 v;
	int j, found = -1;
	__u32 id;

	if (expect >= 0 && state_backend_name(c->st, expect)) {
		v = be_stats(c, expect);
		if (v != c->be_pkts[expect]) {
			c->be_pkts[expect] = v;
			return expect;
		}
	}
	for (j = 0; j < c->n_be; j++) {
		id = c->be_ids[j];
		v = be_stats(c, id);
		if (v != c->be_pkts[id]) {
			c->be_pkts[id] = v;
			found = id;
		}
	}
	return found;
}

/* A configured service's id, else -1. */
static int svc_active(struct clf *c, __u32 id)
{
	return state_service_name(c->st, id) ? (int)id : -1;
}

/* mip6lb_service_lookup(): (vip, proto, port), (vip, proto, 0), (vip, 0, 0). */
static int svc_lookup(struct clf *c, const struct mip6lb_pkt *pkt)
{
	struct mip6lb_service_key key = { .vip = pkt->dst, .proto = pkt->proto };
	struct mip6lb_service_ref ref;

	if (pkt->flags & MIP6LB_PKT_HAS_PORTS) {
		key.port = pkt->dport;
		if (!bpf_map_lookup_elem(c->maps.services, &key, &ref))
			return svc_active(c, ref.id);
		key.port = 0;
	}
	if (!bpf_map_lookup_elem(c->maps.services, &key, &ref))
		return svc_active(c, ref.id);
	key.proto = 0;
	if (!bpf_map_lookup_elem(c->maps.services, &key, &ref))
		return svc_active(c, ref.id);
	return -1;
}

static int svc_by_vip(struct clf *c, const struct mip6lb_pkt *pkt)
{
	struct mip6lb_vip v;

	if (bpf_map_lookup_elem(c->maps.vips, &pkt->dst, &v))
		return -1;
	return svc_active(c, v.service_id);
}

static unsigned int frag_hash(const struct mip6lb_frag_key *k)
{
	const unsigned char *p = (const void *)k;
	unsigned int h = 2166136261U;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619U;
	return h % CLF_FRAG_BUCKETS;
}

static void make_frag_key(const struct mip6lb_pkt *pkt, struct mip6lb_frag_key *k)
{
	memset(k, 0, sizeof(*k));
	k->src = pkt->src;
	k->dst = pkt->dst;
	k->id = pkt->frag_id;
}

static struct frag_rec *frag_find(struct clf *c, const struct mip6lb_frag_key *k)
{
	struct frag_rec *r;

	for (r = c->frags[frag_hash(k)]; r; r = r->next)
		if (!memcmp(&r->key, k, sizeof(*k)))
			return r;
	return NULL;
}

static void frag_remember(struct clf *c, const struct mip6lb_pkt *pkt, int kind, const char *id)
{
	struct mip6lb_frag_key k;
	struct frag_rec *r;

	make_frag_key(pkt, &k);
	r = frag_find(c, &k);
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return;
		r->key = k;
		r->next = c->frags[frag_hash(&k)];
		c->frags[frag_hash(&k)] = r;
	}
	r->kind = kind;
	snprintf(r->identity, sizeof(r->identity), "%s", id);
}

/* The session key a forwarded packet used.  For kinds the packet carries,
 * the parser rebuilds it (in any session table: sessions, coa_sessions,
 * probation); a coa session is found in coa_sessions under the packet's
 * HAO or source (session.h reports coa when the session it hit was made by
 * a binding notification). */
static int session_key(struct clf *c, const struct mip6lb_pkt *pkt, int svc, int kind,
		       struct mip6lb_session_key *key, struct mip6lb_session *val)
{
	struct mip6lb_service conf;
	__u32 sid = svc;
	int i;

	if (bpf_map_lookup_elem(c->maps.service_conf, &sid, &conf))
		return -ENOENT;
	if (kind != MIP6LB_KIND_COA) {
		if (!mip6lb_identity_key(pkt, sid, conf.flags, kind, key))
			return -ENOENT;
		return dp_session_lookup(&c->maps, key, val);
	}
	for (i = 0; i < 2; i++) {
		if (!mip6lb_identity_key(pkt, sid, conf.flags,
					 i ? MIP6LB_KIND_SRC : MIP6LB_KIND_HOA, key))
			continue;
		if (!bpf_map_lookup_elem(c->maps.coa_sessions, key, val))
			return 0;
	}
	return -ENOENT;
}

static const char *verdict_name(int ret)
{
	switch (ret) {
	case XDP_TX: return "tx";
	case XDP_REDIRECT: return "redirect";
	case XDP_PASS: return "pass";
	}
	return "drop";          /* XDP_DROP, XDP_ABORTED */
}

/* The kernel's own parse of the packet just run (per-CPU scratch). */
static void check_parse(struct clf *c, long idx, int ret, const struct mip6lb_pkt *pkt)
{
	struct mip6lb_pkt *vals;
	__u32 zero = 0;
	int cpu = sched_getcpu();

	if (c->scratch_fd < 0 || ret != MIP6LB_PARSE_OK || cpu < 0 || cpu >= c->ncpu)
		return;
	vals = calloc(c->ncpu, sizeof(*vals));
	if (!vals)
		return;
	if (!bpf_map_lookup_elem(c->scratch_fd, &zero, vals) && cpu == 0 &&
	    !mip6lb_pkt_same(&vals[cpu], pkt))
		disagree(c, idx, "the userspace parser's result differs from the datapath's");
	free(vals);
}

/* A row for a frame that is not run: dropped before XDP, by why. */
static void not_run_row(struct clf_row *row, const struct pcapsrc_frame *f, const char *why)
{
	struct mip6lb_pkt pkt;
	int ret;

	row->verdict = !strcmp(why, "not_run") ? NULL : "drop";
	row->not_run = why;
	snprintf(row->source, sizeof(row->source), "-");
	if (f->len < ETH_HLEN)
		return;
	/* Whose it was, as far as the datapath's parser can tell. */
	ret = mip6lb_parse_buf(f->data, f->len, &pkt);
	if (ret == MIP6LB_PARSE_NOT_IPV6)
		snprintf(row->source, sizeof(row->source), "(not IPv6)");
	else if (pkt.flags & MIP6LB_PKT_ADDRS)
		inet_ntop(AF_INET6, &pkt.src, row->source, sizeof(row->source));
}

static void row_init(struct clf_row *row, long idx, const struct pcapsrc_frame *f)
{
	int i;

	memset(row, 0, sizeof(*row));
	row->index = idx;
	row->caplen = f->len;
	row->wire_len = f->wire_len;
	row->service = row->backend = row->reason = -1;
	for (i = 0; i < 4; i++)
		row->more[i] = -1;
}

/* The frame through the program: 0 with its return code in *retval; 1
 * when it is not run, with a row that says why; < 0 on an error. */
static int run_frame(struct clf *c, const struct pcapsrc_frame *f, struct clf_row *row,
		     __u32 *retval)
{
	int err;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f->data,
		.data_size_in = f->len,
		.repeat = 1,
	);

	if (f->len < ETH_HLEN) {
		not_run_row(row, f, "runt");
		return 1;
	}
	if (f->len > c->max_len) {
		not_run_row(row, f, "too_big");
		return 1;
	}
	err = bpf_prog_test_run_opts(c->prog_fd, &opts);
	if (err) {
		err = -errno;
		/* The probe's size was wrong after all: the kernel says too big. */
		if (f->len > ETH_FRAME_LEN && (err == -EINVAL || err == -E2BIG || err == -ENOMEM)) {
			not_run_row(row, f, "too_big");
			return 1;
		}
		not_run_row(row, f, "not_run");
		return err;
	}
	*retval = opts.retval;
	return 0;
}

/* How much each counter moved since the last packet. */
static int counter_deltas(struct clf *c, __u64 d[MIP6LB_CNT_MAX])
{
	struct mip6lb_counter_val now[MIP6LB_CNT_MAX];
	int i, err;

	err = dp_counters_read(&c->maps, now);
	if (err)
		return err;
	for (i = 0; i < MIP6LB_CNT_MAX; i++) {
		d[i] = now[i].packets - c->cnt[i].packets;
		c->cnt[i] = now[i];
	}
	return 0;
}

static void row_source(struct clf_row *row, int ret, const struct mip6lb_pkt *pkt)
{
	if (ret == MIP6LB_PARSE_NOT_IPV6)
		snprintf(row->source, sizeof(row->source), "(not IPv6)");
	else if (pkt->flags & MIP6LB_PKT_ADDRS)
		inet_ntop(AF_INET6, &pkt->src, row->source, sizeof(row->source));
	else
		snprintf(row->source, sizeof(row->source), "-");
}

/* Reasons: the verdict's own pass_/drop_ first, then anomalies. */
static void row_reasons(struct clf_row *row, const __u64 *d, bool fwd)
{
	int i, n_more = 0;

	for (i = 0; i < MIP6LB_CNT_MAX; i++)
		if (d[i] && is_reason(i) && !fwd && is_verdict_reason(i) && row->reason < 0)
			row->reason = i;
	for (i = 0; i < MIP6LB_CNT_MAX; i++) {
		if (!d[i] || !is_reason(i) || i == row->reason)
			continue;
		if (row->reason < 0)
			row->reason = i;
		else if (n_more < 4)
			row->more[n_more++] = i;
	}
}

static void row_session(struct clf_row *row, const __u64 *d)
{
	if (d[MIP6LB_CNT_SESSION_NEW])
		row->session = "new";
	else if (d[MIP6LB_CNT_SESSION_REHASH])
		row->session = "rehash";
	else if (d[MIP6LB_CNT_SESSION_HIT])
		row->session = "hit";
	else if (d[MIP6LB_CNT_FRAG_TRACKED])
		row->session = "frag";
}

/* The kind counter that moved: exactly one when forwarded, none else. */
static void row_kind(struct clf *c, long idx, struct clf_row *row, const __u64 *d, bool fwd)
{
	int i, n_kinds = 0;

	for (i = MIP6LB_CNT_KIND_HOA; i <= MIP6LB_CNT_KIND_COA; i++) {
		if (d[i]) {
			row->kind = MIP6LB_KIND_HOA + (i - MIP6LB_CNT_KIND_HOA);
			n_kinds++;
		}
	}
	if (n_kinds > 1)
		disagree(c, idx, "%d kind counters moved", n_kinds);
	if (fwd != (n_kinds > 0))
		disagree(c, idx, "verdict %s but %d kind counters moved", row->verdict, n_kinds);
}

/* Pass and drop alike: where the datapath's lookups led. */
static void not_forwarded(struct clf *c, long idx, struct clf_row *row, int ret,
			  const struct mip6lb_pkt *pkt)
{
	if (ret == MIP6LB_PARSE_NOT_IPV6 || !(pkt->flags & MIP6LB_PKT_ADDRS) ||
	    (row->reason >= 0 && !strncmp(mip6lb_counter_names[row->reason], "pass_", 5)))
		row->service = -1;
	else if (ret < 0 || (pkt->flags & MIP6LB_PKT_CHAIN_LONG))
		row->service = svc_by_vip(c, pkt);
	else if (pkt->flags & MIP6LB_PKT_FRAG_LATER)
		row->service = svc_by_vip(c, pkt);
	else
		row->service = svc_lookup(c, pkt);
	row->kind = MIP6LB_KIND_NONE;
	if (moved_backend(c, -1) >= 0)
		disagree(c, idx, "verdict %s but a backend counted the packet", row->verdict);
}

/* Forwarded: which session (or first fragment) chose the backend; its
 * backend id, or -1. */
/* An ICMPv6 error (bpf/icmp_error.h): the service and session of the flow
 * it quotes (q, the quote as the client's packet), or for a ring pick the
 * identity the ring hashed, which no session holds. */
static int error_chosen_by(struct clf *c, long idx, struct clf_row *row, const __u64 *d,
			   const struct mip6lb_pkt *q)
{
	struct mip6lb_session_key key;
	struct mip6lb_session sess;
	struct mip6lb_service conf;
	__u32 sid;

	row->service = svc_lookup(c, q);
	if (row->service < 0 && !(q->flags & MIP6LB_PKT_HAS_PORTS))
		row->service = svc_by_vip(c, q);
	if (row->service < 0) {
		disagree(c, idx, "ICMPv6 error forwarded, but no service matches its quote");
		return -1;
	}
	if (d[MIP6LB_CNT_ICMP_ERROR_SESSION]) {
		row->session = "follow";
		if (session_key(c, q, row->service, row->kind, &key, &sess)) {
			disagree(c, idx, "ICMPv6 error followed a %s session its quote does not name",
				 kind_name(row->kind));
			return -1;
		}
		identity_format(&key, row->identity, sizeof(row->identity));
		return sess.backend_id;
	}
	row->session = "ring";
	sid = row->service;
	if (!bpf_map_lookup_elem(c->maps.service_conf, &sid, &conf) &&
	    mip6lb_identity_key(q, sid, conf.flags, row->kind, &key)) {
		identity_format(&key, row->identity, sizeof(row->identity));
		if (!dp_session_lookup(&c->maps, &key, &sess))
			disagree(c, idx, "ICMPv6 error balanced on the ring, but its %s has a session",
				 kind_name(row->kind));
	}
	return -1;
}

static int chosen_by(struct clf *c, long idx, struct clf_row *row, const __u64 *d,
		     const struct mip6lb_pkt *pkt, const struct mip6lb_pkt *q)
{
	struct mip6lb_session_key key;
	struct mip6lb_session sess;
	struct mip6lb_frag_key fk;
	struct mip6lb_frag fr;
	struct frag_rec *r;
	int expect = -1;

	if (q)
		return error_chosen_by(c, idx, row, d, q);

	make_frag_key(pkt, &fk);
	if (d[MIP6LB_CNT_FRAG_TRACKED]) {
		r = frag_find(c, &fk);
		if (!bpf_map_lookup_elem(c->maps.frags, &fk, &fr)) {
			expect = fr.backend_id;
			row->service = svc_active(c, fr.service_id);
			if (fr.kind != row->kind)
				disagree(c, idx, "first fragment's kind %s, counted as %s",
					 kind_name(fr.kind), kind_name(row->kind));
		}
		if (r)
			snprintf(row->identity, sizeof(row->identity), "%s", r->identity);
		return expect;
	}
	if (pkt->flags & (MIP6LB_PKT_CHAIN_LONG | MIP6LB_PKT_FRAG_LATER))
		row->service = svc_by_vip(c, pkt);
	else
		row->service = svc_lookup(c, pkt);
	if (row->service < 0) {
		disagree(c, idx, "forwarded, but no service matches");
	} else if (session_key(c, pkt, row->service, row->kind, &key, &sess)) {
		disagree(c, idx, "no %s session for this packet after it was forwarded",
			 kind_name(row->kind));
	} else {
		expect = sess.backend_id;
		identity_format(&key, row->identity, sizeof(row->identity));
	}
	return expect;
}

/* The backend that counted it must be the chosen one, in the service the
 * lookups found. */
static void forwarded(struct clf *c, long idx, struct clf_row *row, const __u64 *d,
		      const struct mip6lb_pkt *pkt, const struct mip6lb_pkt *q)
{
	int expect = chosen_by(c, idx, row, d, pkt, q);

	row->backend = moved_backend(c, expect);
	if (row->backend < 0)
		disagree(c, idx, "forwarded, but no backend counted it");
	else if (expect >= 0 && row->backend != expect)
		disagree(c, idx, "forwarded to backend %d, but the session points at %d",
			 row->backend, expect);
	if (row->backend >= 0) {
		int bs = svc_active(c, c->st->bes[row->backend].service_id);

		if (row->service >= 0 && row->service != bs)
			disagree(c, idx, "service %s, but backend %s belongs to %s",
				 svc_name(c, row->service), be_name(c, row->backend),
				 bs >= 0 ? svc_name(c, bs) : "no service");
		row->service = bs;
	}
	if (!q && (pkt->flags & MIP6LB_PKT_FRAG) && !(pkt->flags & MIP6LB_PKT_FRAG_LATER))
		frag_remember(c, pkt, row->kind, row->identity);
}

/* 0: run, row filled; 1: not run, a row that says why; < 0: not run, an
 * error (the row says not_run). */
static int run_one(struct clf *c, long idx, const struct pcapsrc_frame *f, struct clf_row *row)
{
	__u64 d[MIP6LB_CNT_MAX];
	struct mip6lb_pkt pkt, outer, q;
	__u32 retval = 0;
	int ret;
	bool fwd, err;

	row_init(row, idx, f);
	ret = run_frame(c, f, row, &retval);
	if (ret)
		return ret;
	ret = counter_deltas(c, d);
	if (ret)
		return ret;
	ret = mip6lb_parse_buf(f->data, f->len, &pkt);
	check_parse(c, idx, ret, &pkt);

	row->verdict = verdict_name(retval);
	fwd = retval == XDP_TX || retval == XDP_REDIRECT;
	row_source(row, ret, &pkt);
	row_reasons(row, d, fwd);
	row_session(row, d);
	row_kind(c, idx, row, d, fwd);
	/* An ICMPv6 error followed the flow it quotes. */
	err = d[MIP6LB_CNT_ICMP_ERROR_SESSION] || d[MIP6LB_CNT_ICMP_ERROR_RING];
	if (err && mip6lb_parse_icmp_error_buf(f->data, f->len, &outer, &q) != 0) {
		disagree(c, idx, "counted as an ICMPv6 error, but its quote does not parse");
		err = false;
	}
	if (fwd)
		forwarded(c, idx, row, d, &pkt, err ? &q : NULL);
	else
		not_forwarded(c, idx, row, ret, &pkt);
	return 0;
}

/* ---- output ------------------------------------------------------------ */

static struct json_object *jstr_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static struct json_object *row_json(const struct clf *c, const struct clf_row *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "index", json_object_new_int64(r->index));
	json_object_object_add(o, "verdict", jstr_or_null(r->verdict));
	json_object_object_add(o, "service",
			       jstr_or_null(r->service >= 0 ? svc_name(c, r->service) : NULL));
	json_object_object_add(o, "kind",
			       jstr_or_null(r->kind != MIP6LB_KIND_NONE ? kind_name(r->kind) : NULL));
	json_object_object_add(o, "identity", jstr_or_null(r->identity));
	json_object_object_add(o, "backend",
			       jstr_or_null(r->backend >= 0 ? be_name(c, r->backend) : NULL));
	json_object_object_add(o, "reason",
			       jstr_or_null(r->not_run ? r->not_run :
					    r->reason >= 0 ? mip6lb_counter_names[r->reason] : NULL));
	return o;
}

static void row_table(const struct clf *c, const struct clf_row *r, struct table *t)
{
	char reason[256] = "-";
	size_t off;
	int i;

	if (r->not_run) {
		snprintf(reason, sizeof(reason), "%s", r->not_run);
	} else if (r->reason >= 0) {
		off = snprintf(reason, sizeof(reason), "%s", mip6lb_counter_names[r->reason]);
		for (i = 0; i < 4 && r->more[i] >= 0 && off < sizeof(reason); i++)
			off += snprintf(reason + off, sizeof(reason) - off, " +%s",
					mip6lb_counter_names[r->more[i]]);
	}
	if (r->caplen < r->wire_len)
		snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason),
			 " [captured %zu of %zu bytes]", r->caplen, r->wire_len);
	table_cell(t, "%ld", r->index);
	table_cell(t, "%s", r->source);
	table_cell(t, "%s", r->verdict ? r->verdict : "-");
	table_cell(t, "%s", r->service >= 0 ? svc_name(c, r->service) : "-");
	table_cell(t, "%s", r->kind != MIP6LB_KIND_NONE ? kind_name(r->kind) : "-");
	table_cell(t, "%s", r->identity[0] ? r->identity : "-");
	table_cell(t, "%s", r->backend >= 0 ? be_name(c, r->backend) : "-");
	table_cell(t, "%s", r->session ? r->session : "-");
	table_cell(t, "%s", reason);
}

static long count_sessions_cb_n;

static int count_cb(const struct mip6lb_session_key *k, const struct mip6lb_session *v, void *a)
{
	(void)k;
	(void)v;
	(void)a;
	count_sessions_cb_n++;
	return 0;
}

/* What the run saw, for the summary line and the exit code. */
struct clf_totals {
	long idx, n_verdict[4], n_short, n_unrun, n_runt, n_big;
	bool read_err;
	char err[512];                 /* the capture's read error */
};

/* One frame: run it, count its row. */
static void classify_frame(struct clf *c, struct clf_totals *t, const struct pcapsrc_frame *f,
			   struct clf_row *row)
{
	int ret;

	t->idx++;
	if (f->len < f->wire_len)
		t->n_short++;
	ret = run_one(c, t->idx, f, row);
	if (ret < 0) {
		cli_warn("classify: packet %ld (%zu bytes) was not run: %s", t->idx, f->len,
			 strerror(-ret));
		t->n_unrun++;
	} else if (ret > 0) {
		if (!strcmp(row->not_run, "runt"))
			t->n_runt++;
		else
			t->n_big++;
	}
	if (row->verdict)
		t->n_verdict[!strcmp(row->verdict, "tx") ? 0 :
			     !strcmp(row->verdict, "redirect") ? 1 :
			     !strcmp(row->verdict, "pass") ? 2 : 3]++;
}

static void print_summary(struct clf *c, const struct clf_totals *t, const char *file,
			  struct pcapsrc *src)
{
	long n = t->idx;

	count_sessions_cb_n = 0;
	dp_sessions_foreach(&c->maps, count_cb, NULL);
	printf("\n%ld packet%s (%s, link type %s): %ld tx, %ld redirect, %ld pass, %ld drop",
	       n, n == 1 ? "" : "s", file, pcapsrc_linktype(src), t->n_verdict[0],
	       t->n_verdict[1], t->n_verdict[2], t->n_verdict[3]);
	if (t->n_runt + t->n_big + t->n_unrun)
		printf(" (%ld not run)", t->n_runt + t->n_big + t->n_unrun);
	printf("; %ld session%s\n", count_sessions_cb_n, count_sessions_cb_n == 1 ? "" : "s");
}

/* Exit 1 unless every packet went through the datapath. */
static int classify_rc(const struct clf *c, const struct clf_totals *t, const char *file)
{
	int rc = CLI_OK;

	if (t->n_short)
		cli_warn("classify: %ld packet%s cut short by the capture's snap length; the datapath judged the captured bytes",
			 t->n_short, t->n_short == 1 ? " was" : "s were");
	if (t->n_runt)
		rc = cli_error("classify: %ld packet%s shorter than an Ethernet header (%d bytes): not run, dropped as runt",
			       t->n_runt, t->n_runt == 1 ? "" : "s", ETH_HLEN);
	if (t->n_big)
		rc = cli_error("classify: %ld packet%s larger than the %zu bytes XDP sees in one buffer: not run, dropped as too_big",
			       t->n_big, t->n_big == 1 ? "" : "s", c->max_len);
	if (t->n_unrun)
		rc = cli_error("classify: %ld packet%s could not be run", t->n_unrun,
			       t->n_unrun == 1 ? "" : "s");
	if (t->read_err)
		rc = cli_error("classify: %s: %s (after packet %ld)", file, t->err, t->idx);
	if (c->disagreements)
		rc = cli_error("classify: %d disagreement%s between the classifier and the datapath",
			       c->disagreements, c->disagreements == 1 ? "" : "s");
	return rc;
}

int cmd_classify(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	static const char *const hdr[] = {
		">#", "SOURCE", "VERDICT", "SERVICE", "KIND", "IDENTITY", "BACKEND", "SESSION", "REASON",
	};
	struct json_object *v, *doc = NULL, *list = NULL;
	const char *config = NULL, *file = NULL;
	struct clf_totals tot = { 0 };
	struct pcapsrc *src = NULL;
	struct pcapsrc_frame f;
	struct table *t = NULL;
	struct clf c;
	struct clf_row row;
	int rc, ret;

	(void)cmd;
	memset(&c, 0, sizeof(c));
	dp_maps_init(&c.maps);
	if (json_object_object_get_ex(args, "config", &v))
		config = json_object_get_string(v);
	if (json_object_object_get_ex(args, "file", &v))
		file = json_object_get_string(v);
	/* Open the capture first: a typo in its name should not cost a
	 * BPF load. */
	if (pcapsrc_open(file, &src, tot.err, sizeof(tot.err)))
		return cli_error("classify: %s", tot.err);
	rc = clf_open(&c, config, ctx->verbose);
	if (rc)
		goto out;
	if (ctx->json) {
		doc = json_object_new_object();
		list = json_object_new_array();
		json_object_object_add(doc, "packets", list);
	} else {
		t = table_new(9, hdr);
	}
	/* A capture cut short (ret < 0): the packets before the cut are
	 * still printed. */
	while ((ret = pcapsrc_next(src, &f, tot.err, sizeof(tot.err))) > 0) {
		classify_frame(&c, &tot, &f, &row);
		if (list)
			json_object_array_add(list, row_json(&c, &row));
		else
			row_table(&c, &row, t);
	}
	tot.read_err = ret < 0;
	if (doc) {
		cli_print_json(ctx, doc);
	} else {
		table_print(t, stdout);
		print_summary(&c, &tot, file, src);
	}
	rc = classify_rc(&c, &tot, file);
out:
	json_object_put(doc);
	table_free(t);
	pcapsrc_close(src);
	clf_close(&c);
	return rc;
}
