// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics.c - the Prometheus text exposition (metrics.h).  Names follow
 * the Prometheus conventions: a mip6lb_ prefix, _total on counters, base
 * units (seconds, bytes), one # HELP and # TYPE per family, labels for
 * what varies (counter, kind, service, backend, peer, reason).
 *
 * Per-backend and per-service session counts come from one walk of each
 * session table (sessions, coa_sessions, probation: the `table` label) per
 * scrape at most every SESS_MAX_AGE_NS (a million sessions take a few
 * hundred batched syscalls, not one per entry).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include "daemon.h"
#include "aging.h"
#include "dpmaps.h"
#include "evloop.h"
#include "health.h"
#include "health_mark.h"
#include "log.h"
#include "metrics.h"
#include "names.h"
#include "notify.h"
#include "sync.h"
#include "state.h"

#define SESS_MAX_AGE_NS 1000000000ULL

struct metrics {
	struct daemon *d;
	struct MHD_Daemon *mhd;
	int epoll_fd;
	__u16 port;
	/* session counts, refreshed at most once per SESS_MAX_AGE_NS */
	__u64 counted_ns;
	struct dp_session_counts *sc;
	/* the aging sweep */
	__u64 sweeps, sweep_ns, swept, expired;
	double sweep_last_s;
	__u64 scrapes;
};

/* ---- text building -------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3)))
static void out(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += n;
			return;
		}
		{
			size_t cap = (b->cap + n + 1) * 2;
			char *p = realloc(b->p, cap);

			if (!p) {
				b->oom = true;
				return;
			}
			b->p = p;
			b->cap = cap;
		}
	}
}

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
	out(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static const char *esc(const char *s, char *tmp, size_t len)
{
	size_t o = 0;

	for (; s && *s && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			tmp[o++] = '\\';
			tmp[o++] = *s;
		} else if (*s == '\n') {
			tmp[o++] = '\\';
			tmp[o++] = 'n';
		} else {
			tmp[o++] = *s;
		}
	}
	tmp[o] = 0;
	return tmp;
}

/* ---- the numbers -------------------------------------------------------------- */

static void count_sessions(struct metrics *m)
{
	__u64 now = dp_now_ns();

	if (m->counted_ns && now - m->counted_ns < SESS_MAX_AGE_NS)
		return;
	/* A failed walk leaves zeros (counted again next scrape). */
	if (dp_session_counts(m->d->st->maps, m->sc))
		memset(m->sc, 0, sizeof(*m->sc));
	else
		m->counted_ns = now;
}

static __u32 map_max_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}

static void render_datapath(struct metrics *m, struct buf *b)
{
	struct mip6lb_counter_val c[MIP6LB_CNT_MAX];
	int i;

	if (dp_counters_read(m->d->st->maps, c))
		memset(c, 0, sizeof(c));
	family(b, "mip6lb_datapath_packets_total", "counter",
	       "Packets the XDP program counted, by counter (mip6lbctl stats names)");
	for (i = 0; i < MIP6LB_CNT_MAX; i++)
		out(b, "mip6lb_datapath_packets_total{counter=\"%s\"} %llu\n",
		    mip6lb_counter_names[i], (unsigned long long)c[i].packets);
	family(b, "mip6lb_datapath_bytes_total", "counter",
	       "Bytes of the packets the XDP program counted, by counter");
	for (i = 0; i < MIP6LB_CNT_MAX; i++)
		out(b, "mip6lb_datapath_bytes_total{counter=\"%s\"} %llu\n",
		    mip6lb_counter_names[i], (unsigned long long)c[i].bytes);
	family(b, "mip6lb_balanced_packets_total", "counter",
	       "Balanced packets by the identity kind that matched them");
	for (i = MIP6LB_KIND_HOA; i < MIP6LB_KIND_MAX; i++)
		out(b, "mip6lb_balanced_packets_total{kind=\"%s\"} %llu\n", kind_name(i),
		    (unsigned long long)c[MIP6LB_CNT_KIND_HOA + i - MIP6LB_KIND_HOA].packets);
	family(b, "mip6lb_session_rehash_total", "counter",
	       "Sessions moved to another backend on their next packet, by why their "
	       "backend could not keep them (down, drained past its deadline, disabled, removed)");
	for (i = 0; i < MIP6LB_REHASH_MAX; i++)
		out(b, "mip6lb_session_rehash_total{reason=\"%s\"} %llu\n", rehash_reason_name(i),
		    (unsigned long long)c[MIP6LB_CNT_REHASH_DOWN + i].packets);
}

static void render_backends(struct metrics *m, struct buf *b)
{
	static const enum st_be_state states[] = {
		ST_BE_ACTIVE, ST_BE_DRAINED, ST_BE_DOWN, ST_BE_DISABLED,
	};
	const struct lb_state *st = m->d->st;
	struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "mip6lb_backend_packets_total", "counter", "Packets sent to the backend" },
		{ "mip6lb_backend_bytes_total", "counter", "Bytes sent to the backend" },
		{ "mip6lb_backend_sessions", "gauge",
		  "Sessions that name the backend, by session table (sessions, coa, probation)" },
		{ "mip6lb_backend_state", "gauge",
		  "1 for the backend's state (active, drained, down, disabled), 0 for the others" },
		{ "mip6lb_backend_health_up", "gauge",
		  "1 when the backend passes its health checks (only checked backends)" },
		{ "mip6lb_backend_health_probes_total", "counter", "Health probes started" },
		{ "mip6lb_backend_health_failures_total", "counter", "Health probes that failed" },
	};
	char sv[80], bv[80];
	size_t f;
	__u32 id;
	int s;

	for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		family(b, fam[f].name, fam[f].type, fam[f].help);
		for (id = 0; id < MIP6LB_MAX_BACKENDS; id++) {
			const char *name = state_backend_name(st, id);
			struct mip6lb_counter_val cv = {};
			struct health_view hv;
			const char *svc;

			if (!name)
				continue;
			svc = state_service_name(st, st->bes[id].service_id);
			esc(svc, sv, sizeof(sv));
			esc(name, bv, sizeof(bv));
			switch (f) {
			case 0:
			case 1:
				dp_backend_stats_read(st->maps, id, &cv);
				out(b, "%s{service=\"%s\",backend=\"%s\"} %llu\n", fam[f].name, sv, bv,
				    (unsigned long long)(f ? cv.bytes : cv.packets));
				break;
			case 2:
				for (s = 0; s < DP_SESSION_TABLES; s++)
					out(b, "%s{service=\"%s\",backend=\"%s\",table=\"%s\"} %u\n",
					    fam[f].name, sv, bv, dp_session_table_name(s),
					    m->sc->backend[id][s]);
				break;
			case 3:
				for (s = 0; s < (int)(sizeof(states) / sizeof(states[0])); s++)
					out(b, "%s{service=\"%s\",backend=\"%s\",state=\"%s\"} %d\n",
					    fam[f].name, sv, bv, st_be_state_name(states[s]),
					    state_backend_state(st, id) == states[s]);
				break;
			default:
				if (!health_view(m->d->health, id, &hv))
					break;
				if (f == 4)
					out(b, "%s{service=\"%s\",backend=\"%s\"} %d\n", fam[f].name, sv,
					    bv, hv.up);
				else
					out(b, "%s{service=\"%s\",backend=\"%s\"} %llu\n", fam[f].name,
					    sv, bv, (unsigned long long)(f == 5 ? hv.probes :
									 hv.failures));
				break;
			}
		}
	}
}

static void render_services(struct metrics *m, struct buf *b)
{
	const struct lb_state *st = m->d->st;
	struct mip6lb_service_stats ss;
	char sv[80];
	__u32 id;
	int f;

	family(b, "mip6lb_service_midflow_sessions_total", "counter",
	       "Packets that found no session although mid-flow (TCP without SYN): "
	       "persistence failed (eviction, a restart, another instance)");
	for (id = 0; id < MIP6LB_MAX_SERVICES; id++) {
		const char *name = state_service_name(st, id);

		if (!name || dp_service_stats_read(st->maps, id, &ss))
			continue;
		esc(name, sv, sizeof(sv));
		out(b, "mip6lb_service_midflow_sessions_total{service=\"%s\"} %llu\n", sv,
		    (unsigned long long)ss.midflow_new);
	}

	for (f = 0; f < 2; f++) {
		if (!f)
			family(b, "mip6lb_service_sessions", "gauge",
			       "Sessions of the service, by session table (sessions, coa, probation)");
		else
			family(b, "mip6lb_service_ring_backends", "gauge",
			       "Backends on the service's Maglev ring (up, not drained or disabled)");
		for (id = 0; id < MIP6LB_MAX_SERVICES; id++) {
			const char *name = state_service_name(st, id);
			int t;

			if (!name)
				continue;
			esc(name, sv, sizeof(sv));
			if (f) {
				out(b, "mip6lb_service_ring_backends{service=\"%s\"} %u\n", sv,
				    st->svcs[id].n_ring);
				continue;
			}
			for (t = 0; t < DP_SESSION_TABLES; t++)
				out(b, "mip6lb_service_sessions{service=\"%s\",table=\"%s\"} %u\n", sv,
				    dp_session_table_name(t), m->sc->service[id][t]);
		}
	}
}

/* Info metrics (a constant 1, the value in a label, as the
 * node_uname_info / build_info convention): one per service's ring and
 * one overall, so a dashboard can alert when instances differ
 * (count by (fingerprint) (mip6lb_rings_info) > 1). */
static void render_fingerprints(struct metrics *m, struct buf *b)
{
	const struct lb_state *st = m->d->st;
	char sv[80];
	__u64 fp;
	__u32 id;

	family(b, "mip6lb_ring_info", "gauge",
	       "1, labelled with the fingerprint of the service's ring layout (from names, "
	       "never local ids; equal on instances that pick alike)");
	for (id = 0; id < MIP6LB_MAX_SERVICES; id++) {
		const char *name = state_service_name(st, id);

		if (!name || state_service_fingerprint(st, id, &fp))
			continue;
		esc(name, sv, sizeof(sv));
		out(b, "mip6lb_ring_info{service=\"%s\",fingerprint=\"" STATE_FP_FMT "\"} 1\n", sv,
		    (unsigned long long)fp);
	}
	family(b, "mip6lb_rings_info", "gauge",
	       "1, labelled with the fingerprint over every service's ring (mip6lbctl status)");
	if (!state_fingerprint(st, &fp))
		out(b, "mip6lb_rings_info{fingerprint=\"" STATE_FP_FMT "\"} 1\n",
		    (unsigned long long)fp);
}

static void render_table(struct metrics *m, struct buf *b)
{
	__u32 size = map_max_entries(m->d->st->maps->sessions);
	long n = m->sc->table[DP_TABLE_SESSIONS];

	family(b, "mip6lb_sessions", "gauge", "Entries in the session table");
	out(b, "mip6lb_sessions %ld\n", n);
	family(b, "mip6lb_session_table_size", "gauge", "Capacity of the session table (entries)");
	out(b, "mip6lb_session_table_size %u\n", size);
	family(b, "mip6lb_session_table_fill_ratio", "gauge",
	       "Entries over capacity of the session table (an LRU: 1 means evictions)");
	out(b, "mip6lb_session_table_fill_ratio %.6f\n", size ? (double)n / size : 0.0);
	family(b, "mip6lb_aging_sweeps_total", "counter", "Aging sweeps of the session table");
	out(b, "mip6lb_aging_sweeps_total %llu\n", (unsigned long long)m->sweeps);
	family(b, "mip6lb_aging_sweep_seconds_total", "counter", "Time spent in aging sweeps");
	out(b, "mip6lb_aging_sweep_seconds_total %.6f\n", m->sweep_ns / 1e9);
	family(b, "mip6lb_aging_last_sweep_seconds", "gauge", "Duration of the last aging sweep");
	out(b, "mip6lb_aging_last_sweep_seconds %.6f\n", m->sweep_last_s);
	family(b, "mip6lb_aging_scanned_entries_total", "counter", "Entries the sweeps read");
	out(b, "mip6lb_aging_scanned_entries_total %llu\n", (unsigned long long)m->swept);
	family(b, "mip6lb_aging_expired_entries_total", "counter",
	       "Entries the sweeps deleted as idle past their lifetime");
	out(b, "mip6lb_aging_expired_entries_total %llu\n", (unsigned long long)m->expired);
}

static __u64 jget(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? (__u64)json_object_get_int64(v) : 0;
}

static void render_peers(struct metrics *m, struct buf *b)
{
	struct json_object *doc = NULL, *peers = NULL, *rej;
	char pv[80];
	size_t i, n = 0;
	int f;

	if (m->d->notify) {
		doc = notify_peers_json(m->d->notify, notify_now_ms());
		if (doc && json_object_object_get_ex(doc, "peers", &peers))
			n = json_object_array_length(peers);
	}
	for (f = 0; f < 3; f++) {
		static const char *const names[] = {
			"mip6lb_notify_accepted_total", "mip6lb_notify_rejected_total",
			"mip6lb_notify_sent_total",
		};
		static const char *const helps[] = {
			"Notifications from the peer that were authenticated and applied",
			"Datagrams from the peer that were rejected, by reason",
			"Messages sent to the peer (SUBSCRIBE, UNSUBSCRIBE, ...)",
		};

		family(b, names[f], "counter", helps[f]);
		for (i = 0; i < n; i++) {
			struct json_object *p = json_object_array_get_idx(peers, i), *nm;

			if (!json_object_object_get_ex(p, "name", &nm))
				continue;
			esc(json_object_get_string(nm), pv, sizeof(pv));
			if (f == 1) {
				if (!json_object_object_get_ex(p, "rejected", &rej))
					continue;
				json_object_object_foreach(rej, reason, val)
					out(b, "%s{peer=\"%s\",reason=\"%s\"} %lld\n", names[f], pv,
					    reason, (long long)json_object_get_int64(val));
			} else {
				out(b, "%s{peer=\"%s\"} %llu\n", names[f], pv,
				    (unsigned long long)jget(p, f ? "sent" : "accepted"));
			}
		}
	}
	family(b, "mip6lb_notify_unknown_peer_total", "counter",
	       "Notification datagrams from no configured peer");
	out(b, "mip6lb_notify_unknown_peer_total %llu\n",
	    (unsigned long long)(doc ? jget(doc, "unknown_peer") : 0));
	family(b, "mip6lb_notify_rx_dropped_kernel_total", "counter",
	       "Notification datagrams the kernel dropped before the daemon read them");
	out(b, "mip6lb_notify_rx_dropped_kernel_total %llu\n",
	    (unsigned long long)(doc ? jget(doc, "rx_dropped_kernel") : 0));
	json_object_put(doc);
}

/* Session sync (loader/sync.h): per balancer peer, from sync_json() so
 * the names are the ones `mip6lbctl -j sync` prints. */
static void render_sync(struct metrics *m, struct buf *b)
{
	static const struct {
		const char *metric, *field, *help;
	} per_peer[] = {
		{ "mip6lb_sync_sessions_sent_total", "sessions_sent", "Sessions sent to the peer" },
		{ "mip6lb_sync_received_total", "received", "Sessions received from the peer" },
		{ "mip6lb_sync_applied_total", "applied", "Received sessions written (none was there)" },
		{ "mip6lb_sync_refreshed_total", "refreshed",
		  "Received sessions that extended a session with the same backend" },
		{ "mip6lb_sync_conflicts_total", "conflicts",
		  "Received sessions refused: a local session has another backend" },
		{ "mip6lb_sync_unknown_service_total", "unknown_service",
		  "Received sessions of a service not configured here" },
		{ "mip6lb_sync_unknown_backend_total", "unknown_backend",
		  "Received sessions naming a backend not configured here" },
		{ "mip6lb_sync_queue_dropped_total", "queue_dropped",
		  "Sessions dropped from the peer's full send queue" },
		{ "mip6lb_sync_queued", "queued", "Sessions waiting to be sent to the peer" },
	};
	struct json_object *doc = m->d->sync ? sync_json(m->d->sync, 0) : NULL, *peers = NULL,
			   *rej, *v;
	char pv[80];
	size_t i, n = 0, f;

	if (doc && json_object_object_get_ex(doc, "peers", &peers))
		n = json_object_array_length(peers);
	family(b, "mip6lb_sync_ready", "gauge",
	       "1 once the bulk transfer from the balancer peers is over (or none is configured)");
	out(b, "mip6lb_sync_ready %d\n", !doc || (json_object_object_get_ex(doc, "ready", &v) &&
						 json_object_get_boolean(v)));
	for (f = 0; f < sizeof(per_peer) / sizeof(per_peer[0]); f++) {
		family(b, per_peer[f].metric, f + 1 == sizeof(per_peer) / sizeof(per_peer[0]) ?
		       "gauge" : "counter", per_peer[f].help);
		for (i = 0; i < n; i++) {
			struct json_object *p = json_object_array_get_idx(peers, i);

			esc(json_object_get_string(json_object_object_get(p, "name")), pv, sizeof(pv));
			out(b, "%s{peer=\"%s\"} %llu\n", per_peer[f].metric, pv,
			    (unsigned long long)jget(p, per_peer[f].field));
		}
	}
	family(b, "mip6lb_sync_rejected_total", "counter",
	       "Sync datagrams from the peer that were rejected, by reason");
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(peers, i);

		esc(json_object_get_string(json_object_object_get(p, "name")), pv, sizeof(pv));
		if (!json_object_object_get_ex(p, "rejected", &rej))
			continue;
		json_object_object_foreach(rej, reason, val)
			out(b, "mip6lb_sync_rejected_total{peer=\"%s\",reason=\"%s\"} %lld\n", pv,
			    reason, (long long)json_object_get_int64(val));
	}
	json_object_put(doc);
}

static void render_health(struct metrics *m, struct buf *b)
{
	static const char *const names[MIP6LB_HCNT_MAX] = {
		"forwarded", "no_backend", "no_nexthop", "encap_failed",
	};
	__u64 c[MIP6LB_HCNT_MAX], probes, failures;
	int i;

	health_totals(m->d->health, &probes, &failures);
	health_tc_counters(m->d->health_tc, c);
	family(b, "mip6lb_health_probes_total", "counter", "Health probes started, all backends");
	out(b, "mip6lb_health_probes_total %llu\n", (unsigned long long)probes);
	family(b, "mip6lb_health_failures_total", "counter", "Health probes that failed");
	out(b, "mip6lb_health_failures_total %llu\n", (unsigned long long)failures);
	family(b, "mip6lb_health_tc_frames_total", "counter",
	       "Probe frames seen by the tc egress program, by outcome");
	for (i = 0; i < MIP6LB_HCNT_MAX; i++)
		out(b, "mip6lb_health_tc_frames_total{outcome=\"%s\"} %llu\n", names[i],
		    (unsigned long long)c[i]);
}

char *metrics_render(struct metrics *m, size_t *len)
{
	struct buf b = {};

	m->scrapes++;
	count_sessions(m);
	render_datapath(m, &b);
	render_backends(m, &b);
	render_services(m, &b);
	render_fingerprints(m, &b);
	render_table(m, &b);
	render_peers(m, &b);
	render_sync(m, &b);
	render_health(m, &b);
	family(&b, "mip6lb_metrics_scrapes_total", "counter", "Scrapes of this endpoint");
	out(&b, "mip6lb_metrics_scrapes_total %llu\n", (unsigned long long)m->scrapes);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

void metrics_note_sweep(struct metrics *m, __u64 duration_ns, const struct aging_result *r)
{
	if (!m)
		return;
	m->sweeps++;
	m->sweep_ns += duration_ns;
	m->sweep_last_s = duration_ns / 1e9;
	m->swept += r->scanned;
	m->expired += r->deleted;
}

/* ---- HTTP ----------------------------------------------------------------------- */

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **con_cls)
{
	static const char nf[] = "not found: try /metrics\n";
	struct metrics *m = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned int code = MHD_HTTP_OK;
	size_t len = 0;
	char *text;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return MHD_NO;
	if (strcmp(url, "/metrics")) {
		code = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(sizeof(nf) - 1, (void *)nf,
						       MHD_RESPMEM_PERSISTENT);
	} else {
		text = metrics_render(m, &len);
		if (!text)
			return MHD_NO;
		resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
		if (!resp)
			free(text);
	}
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				code == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8"
						    : "text/plain");
	ret = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void on_mhd(void *arg, __u32 events)
{
	struct metrics *m = arg;

	MHD_run(m->mhd);
}

void metrics_tick(struct metrics *m)
{
	if (m)
		MHD_run(m->mhd);
}

int metrics_open(struct metrics **out, struct daemon *d, const struct in6_addr *addr,
		 __u16 port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	const union MHD_DaemonInfo *info;
	char a[INET6_ADDRSTRLEN];
	struct metrics *m;
	int err;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->d = d;
	m->sc = calloc(1, sizeof(*m->sc));
	if (!m->sc) {
		free(m);
		return -ENOMEM;
	}
	sa.sin6_addr = *addr;
	inet_ntop(AF_INET6, addr, a, sizeof(a));
	/* No thread: MHD's epoll fd joins our loop (MHD_USE_EPOLL without
	 * MHD_USE_INTERNAL_POLLING_THREAD), so the handler runs on the
	 * loop's thread and may read the daemon's state. */
	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_IPv6 | MHD_USE_ERROR_LOG, port, NULL,
				  NULL, answer, m,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)5,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
				  MHD_OPTION_END);
	if (!m->mhd) {
		err = -EADDRNOTAVAIL;
		pr_err("metrics: cannot listen on [%s]:%u (in use, or not an address of this host)",
		       a, port);
		goto fail;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		err = -ENOTSUP;
		pr_err("metrics: libmicrohttpd has no epoll fd");
		goto fail;
	}
	m->epoll_fd = info->epoll_fd;
	err = evloop_add(d->loop, m->epoll_fd, EPOLLIN, on_mhd, m);
	if (err)
		goto fail;
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_BIND_PORT);
	m->port = info ? info->port : port;
	pr_info("metrics: Prometheus endpoint http://[%s]:%u/metrics", a, m->port);
	*out = m;
	return 0;
fail:
	if (m->mhd)
		MHD_stop_daemon(m->mhd);
	free(m->sc);
	free(m);
	return err;
}

void metrics_close(struct metrics *m)
{
	if (!m)
		return;
	evloop_del(m->d->loop, m->epoll_fd);
	MHD_stop_daemon(m->mhd);
	free(m->sc);
	free(m);
}

__u16 metrics_port(const struct metrics *m)
{
	return m->port;
}
