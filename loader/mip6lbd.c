// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lbd.c - the daemon: options and config, then maps (created or
 * adopted), state, binding notifications, attach, and one event loop over
 * signals, the control socket, next-hop changes, a one-second timer
 * (next-hop retries, session aging), the datapath's new-session events and,
 * when notifications are configured, their UDP socket and 250 ms timer;
 * the health checker's timer and probe sockets (loader/health.h); and,
 * with metrics_listen, the Prometheus endpoint (loader/metrics.h).  With
 * announce = on it owns the VIP device (loader/announce.h) and announces
 * the VIPs once it is ready to take traffic (announce_when_ready()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "aging.h"
#include "announce.h"
#include "config.h"
#include "ctl_server.h"
#include "daemon.h"
#include "datapath.h"
#include "evloop.h"
#include "health.h"
#include "log.h"
#include "metrics.h"
#include "names.h"
#include "nexthop.h"
#include "notify.h"
#include "hostprobe.h"
#include "state.h"
#include "sync.h"
#include "peer_link.h"

struct opts {
	const char *config;
	char ifaces[CFG_MAX_IFACES][IF_NAMESIZE];
	int n_ifaces;                /* -i given: replaces the config's */
	int xdp_mode;                /* CFG_XDP_*, or -1: the config's */
	const char *pin_dir;
	const char *socket;
	bool check_config;
	bool flush;
	bool verbose;
};

struct run {
	const struct opts *o;
	struct daemon d;
	struct datapath dp;
	struct lb_state *st;
	struct nh_resolver *nh;
	struct evloop *loop;
	int sig_fd;
	int timer_fd;
	struct notify *notify;       /* NULL until notifications are configured */
	int notify_timer_fd;
	__u64 notify_sig;            /* notify_config_sig() of what it runs with */
	int sync_timer_fd;           /* session sync's SYNC_TICK_MS timer */
	bool stop;
	bool nh_dirty;
	__u64 last_sweep_ns;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mip6lbd [-c FILE] [-i IFACE]... [--xdp-mode native|generic|auto]\n"
		"               [--pin-dir DIR] [--socket PATH] [--check-config] [--flush] [-v] [-h]\n"
		"\n"
		"  -c, --config FILE     config file (default %s)\n"
		"  -i, --interface IFACE attach to IFACE; repeatable; replaces the config's interfaces\n"
		"  -m, --xdp-mode MODE   native, generic or auto (default: the config's, else auto)\n"
		"  -p, --pin-dir DIR     where the maps are pinned (default %s)\n"
		"  -s, --socket PATH     control socket (default %s)\n"
		"  -n, --check-config    validate the config and exit (0 valid, 2 invalid)\n"
		"      --flush           detach the program that uses these pins (and any on -i\n"
		"                        interfaces), remove the pins, exit\n"
		"  -v, --verbose         debug logging (libbpf and libxdp included)\n"
		"  -h, --help            this help\n",
		MIP6LBD_DEFAULT_CONFIG, MIP6LBD_DEFAULT_PIN_DIR, MIP6LBD_DEFAULT_SOCKET);
}

static int parse_mode(const char *s)
{
	if (!strcmp(s, "native"))
		return CFG_XDP_NATIVE;
	if (!strcmp(s, "generic"))
		return CFG_XDP_GENERIC;
	if (!strcmp(s, "auto"))
		return CFG_XDP_AUTO;
	return -EINVAL;
}

static int add_ifaces(struct opts *o, const char *arg)
{
	char buf[256], *tok, *save = NULL;
	int i;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return -EINVAL;
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (strlen(tok) >= IF_NAMESIZE || strchr(tok, '/'))
			return -EINVAL;
		for (i = 0; i < o->n_ifaces; i++)
			if (!strcmp(o->ifaces[i], tok))
				break;
		if (i < o->n_ifaces)
			continue;
		if (o->n_ifaces == CFG_MAX_IFACES)
			return -E2BIG;
		strcpy(o->ifaces[o->n_ifaces++], tok);
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_FLUSH = 256 };
	static const struct option longopts[] = {
		{ "config",       required_argument, NULL, 'c' },
		{ "interface",    required_argument, NULL, 'i' },
		{ "xdp-mode",     required_argument, NULL, 'm' },
		{ "pin-dir",      required_argument, NULL, 'p' },
		{ "socket",       required_argument, NULL, 's' },
		{ "check-config", no_argument,       NULL, 'n' },
		{ "flush",        no_argument,       NULL, OPT_FLUSH },
		{ "verbose",      no_argument,       NULL, 'v' },
		{ "help",         no_argument,       NULL, 'h' },
		{}
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->config = MIP6LBD_DEFAULT_CONFIG;
	o->pin_dir = MIP6LBD_DEFAULT_PIN_DIR;
	o->socket = MIP6LBD_DEFAULT_SOCKET;
	o->xdp_mode = -1;
	while ((c = getopt_long(argc, argv, "c:i:m:p:s:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'i':
			if (add_ifaces(o, optarg)) {
				fprintf(stderr, "mip6lbd: -i %s: not an interface name, or more than %d\n",
					optarg, CFG_MAX_IFACES);
				return MIP6LBD_EXIT_USAGE;
			}
			break;
		case 'm':
			o->xdp_mode = parse_mode(optarg);
			if (o->xdp_mode < 0) {
				fprintf(stderr, "mip6lbd: --xdp-mode %s: expected native, generic or auto\n",
					optarg);
				return MIP6LBD_EXIT_USAGE;
			}
			break;
		case 'p':
			o->pin_dir = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'n':
			o->check_config = true;
			break;
		case OPT_FLUSH:
			o->flush = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(MIP6LBD_EXIT_OK);
		default:
			usage(stderr);
			return MIP6LBD_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mip6lbd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return MIP6LBD_EXIT_USAGE;
	}
	if (o->pin_dir[0] != '/' || o->socket[0] != '/') {
		fprintf(stderr, "mip6lbd: --pin-dir and --socket take absolute paths\n");
		return MIP6LBD_EXIT_USAGE;
	}
	return MIP6LBD_EXIT_OK;
}

/* Binding notifications are configured: a [peer], or a service that asks
 * for them.  Only then is the notify socket opened (it binds a UDP port
 * nobody else may then use, and a daemon without notifications has no
 * business listening on the network). */
static bool notify_configured(const struct mip6lb_config *cfg)
{
	int i;

	for (i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].role != CFG_ROLE_BALANCER)
			return true;
	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].notify != MIP6LB_NOTIFY_OFF)
			return true;
	return false;
}

/* Command-line overrides, applied to every load of the config. */
static void apply_overrides(struct mip6lb_config *cfg, const struct opts *o)
{
	int i;

	if (o->n_ifaces) {
		for (i = 0; i < o->n_ifaces; i++)
			strcpy(cfg->daemon.ifaces[i], o->ifaces[i]);
		cfg->daemon.n_ifaces = o->n_ifaces;
	}
	if (o->xdp_mode >= 0)
		cfg->daemon.xdp_mode = o->xdp_mode;
}

static bool same_ifaces(const struct cfg_daemon *a, const struct cfg_daemon *b)
{
	int i;

	if (a->n_ifaces != b->n_ifaces)
		return false;
	for (i = 0; i < a->n_ifaces; i++)
		if (strcmp(a->ifaces[i], b->ifaces[i]))
			return false;
	return true;
}

/* Reload fixup: what only a restart can change keeps its running value. */
static void reload_fixup(struct mip6lb_config *cfg, void *arg)
{
	struct run *r = arg;
	const struct cfg_daemon *cur = &r->st->cfg.daemon;
	struct cfg_daemon *d = &cfg->daemon;

	apply_overrides(cfg, r->o);
	if (!same_ifaces(cur, d))
		pr_warn("reload: daemon.interface changed; it takes effect at the next restart");
	if (cur->xdp_mode != d->xdp_mode)
		pr_warn("reload: daemon.xdp_mode changed; it takes effect at the next restart");
	if (cur->max_sessions != d->max_sessions)
		pr_warn("reload: daemon.max_sessions changed; it needs a restart with --flush "
			"(live sessions are lost)");
	if (memcmp(&cur->notify_addr, &d->notify_addr, sizeof(d->notify_addr)) ||
	    cur->notify_port != d->notify_port)
		pr_warn("reload: daemon.notify_listen changed; it takes effect at the next restart");
	if (cur->has_metrics != d->has_metrics || cur->metrics_port != d->metrics_port ||
	    memcmp(&cur->metrics_addr, &d->metrics_addr, sizeof(d->metrics_addr)))
		pr_warn("reload: daemon.metrics_listen changed; it takes effect at the next restart");
	d->has_metrics = cur->has_metrics;
	d->metrics_addr = cur->metrics_addr;
	d->metrics_port = cur->metrics_port;
	memcpy(d->ifaces, cur->ifaces, sizeof(d->ifaces));
	d->n_ifaces = cur->n_ifaces;
	d->xdp_mode = cur->xdp_mode;
	d->max_sessions = cur->max_sessions;
	if (cur->max_bindings != d->max_bindings || cur->probation_sessions != d->probation_sessions)
		pr_warn("reload: daemon.max_bindings or probation_sessions changed; it takes "
			"effect at a restart with --flush");
	d->max_bindings = cur->max_bindings;
	d->probation_sessions = cur->probation_sessions;
	d->notify_addr = cur->notify_addr;
	d->notify_port = cur->notify_port;
	if (cur->announce != d->announce || cur->announce_table != d->announce_table ||
	    strcmp(cur->announce_dev, d->announce_dev))
		pr_warn("reload: daemon.announce, announce_table or announce_dev changed; it "
			"takes effect at the next restart");
	d->announce = cur->announce;
	d->announce_table = cur->announce_table;
	memcpy(d->announce_dev, cur->announce_dev, sizeof(d->announce_dev));
}

/* ---- binding notifications (loader/notify.h) ----------------------------- */

static const char *service_name_cb(void *ctx, __u32 id)
{
	const struct run *r = ctx;

	return state_service_name(r->st, id);
}

static const char *backend_name_cb(void *ctx, __u32 id)
{
	const struct run *r = ctx;

	return state_backend_name(r->st, id);
}

static int choice_cb(void *ctx, __u32 service_id, __u32 backend_id, struct proto_choice *out)
{
	const struct run *r = ctx;

	return notify_state_choice(r->st, service_id, backend_id, out);
}

static int resolve_cb(void *ctx, const struct proto_choice *c, __u32 *service_id,
		      __u32 *backend_id)
{
	const struct run *r = ctx;

	return notify_state_resolve(r->st, c, service_id, backend_id);
}

static void sig_mix(__u64 *h, const void *p, size_t len)
{
	const __u8 *b = p;

	while (len--)
		*h = (*h ^ *b++) * 0x100000001b3ULL;   /* FNV-1a */
}

/* What decides who gets subscribed: each service's notify mode, and the
 * peers (name, address, role, prefixes).  A reload that changes it resyncs. */
static __u64 notify_config_sig(const struct mip6lb_config *cfg)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < cfg->n_services; i++) {
		sig_mix(&h, cfg->services[i].name, strlen(cfg->services[i].name) + 1);
		sig_mix(&h, &cfg->services[i].notify, 1);
	}
	for (i = 0; i < cfg->n_peers; i++) {
		const struct cfg_peer *p = &cfg->peers[i];

		sig_mix(&h, p->name, strlen(p->name) + 1);
		sig_mix(&h, &p->addr, sizeof(p->addr));
		sig_mix(&h, &p->port, sizeof(p->port));
		sig_mix(&h, &p->role, sizeof(p->role));
		sig_mix(&h, p->home_prefixes, p->n_home_prefixes * sizeof(*p->home_prefixes));
	}
	return h;
}

static void on_notify(void *arg, __u32 events)
{
	struct run *r = arg;

	notify_on_readable(r->notify, notify_now_ms());
}

static void on_notify_timer(void *arg, __u32 events)
{
	struct run *r = arg;
	__u64 ticks;

	if (read(r->notify_timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	notify_tick(r->notify, notify_now_ms());
}

/* Subscribe for the nodes whose sessions no event will announce: those in
 * adopted pins, or in services that just turned notify on. */
static void notify_resync_log(struct run *r, const char *why)
{
	long n = notify_resync(r->notify, notify_now_ms());

	if (n > 0)
		pr_info("notify: %s: subscribing for %ld home addresses", why, n);
}

static void notify_stop(struct run *r)
{
	if (r->notify_timer_fd >= 0) {
		evloop_del(r->loop, r->notify_timer_fd);
		close(r->notify_timer_fd);
		r->notify_timer_fd = -1;
	}
	if (r->notify) {
		evloop_del(r->loop, notify_fd(r->notify));
		notify_close(r->notify);       /* UNSUBSCRIBEs */
		r->notify = NULL;
		r->d.notify = NULL;
	}
}

/* ---- session sync (loader/sync.h) ----------------------------------------- */

/* The coa sessions the notification module wrote: sync shares them. */
static void on_coa_written(void *ctx, const struct mip6lb_session_key *keys,
			   const struct mip6lb_session *vals, int n)
{
	struct run *r = ctx;

	sync_note_written(r->d.sync, keys, vals, n);
}

/*
 * The bulk transfer from every balancer peer is over (or timed out, or
 * there is no peer): this instance now holds the group's sessions and may
 * take traffic, so the VIPs may be announced (announce.h's sync gate; the
 * announcement is opened before sync starts).
 */
static void on_sync_ready(void *arg)
{
	struct run *r = arg;

	pr_info("sync: this instance holds the group's sessions: ready to take traffic");
	if (r->d.announce)
		announce_gate(r->d.announce, ANN_GATE_SYNC, true);
}

static void on_sync(void *arg, __u32 events)
{
	struct run *r = arg;

	sync_on_readable(r->d.sync, peer_now_ms());
}

static void on_sync_timer(void *arg, __u32 events)
{
	struct run *r = arg;
	__u64 ticks;

	if (read(r->sync_timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	sync_tick(r->d.sync, peer_now_ms());
}

static void sync_stop(struct run *r)
{
	if (r->sync_timer_fd >= 0) {
		evloop_del(r->loop, r->sync_timer_fd);
		close(r->sync_timer_fd);
		r->sync_timer_fd = -1;
	}
	if (r->d.sync) {
		evloop_del(r->loop, sync_fd(r->d.sync));
		sync_close(r->d.sync);
		r->d.sync = NULL;
	}
}

/* Without a role = balancer peer there is no socket and the instance is
 * ready at once (on_sync_ready() still runs). */
static int sync_start(struct run *r)
{
	struct sync_opts o = { .on_ready = on_sync_ready, .arg = r };
	struct itimerspec its = {
		.it_interval = { .tv_nsec = SYNC_TICK_MS * 1000000L },
		.it_value = { .tv_nsec = SYNC_TICK_MS * 1000000L },
	};
	int err;

	if (!sync_configured(&r->st->cfg)) {
		on_sync_ready(r);
		return 0;
	}
	err = sync_open(&r->d.sync, &r->st->cfg, &r->dp.maps, r->st, &o, peer_now_ms());
	if (err)
		return err;
	err = evloop_add(r->loop, sync_fd(r->d.sync), EPOLLIN, on_sync, r);
	if (err)
		goto fail;
	r->sync_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->sync_timer_fd < 0 || timerfd_settime(r->sync_timer_fd, 0, &its, NULL)) {
		err = -errno;
		pr_err("sync: timer: %s", strerror(-err));
		goto fail;
	}
	err = evloop_add(r->loop, r->sync_timer_fd, EPOLLIN, on_sync_timer, r);
	if (err)
		goto fail;
	return 0;
fail:
	sync_stop(r);
	return err;
}

static int notify_start(struct run *r)
{
	struct notify_opts o = {
		.names = { .service = service_name_cb, .backend = backend_name_cb,
			   .choice = choice_cb, .resolve = resolve_cb, .ctx = r },
		.written = on_coa_written,
		.written_ctx = r,
	};
	struct itimerspec its = {
		.it_interval = { .tv_nsec = NOTIFY_TICK_MS * 1000000L },
		.it_value = { .tv_nsec = NOTIFY_TICK_MS * 1000000L },
	};
	const struct cfg_daemon *d = &r->st->cfg.daemon;
	char a[INET6_ADDRSTRLEN];
	int err;

	err = notify_open(&r->notify, &r->st->cfg, &r->dp.maps, &o);
	if (err)
		return err;                    /* logged, with the address */
	r->d.notify = r->notify;
	r->notify_sig = notify_config_sig(&r->st->cfg);
	err = evloop_add(r->loop, notify_fd(r->notify), EPOLLIN, on_notify, r);
	if (err)
		goto fail;
	r->notify_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->notify_timer_fd < 0 || timerfd_settime(r->notify_timer_fd, 0, &its, NULL)) {
		err = -errno;
		pr_err("notify: timer: %s", strerror(-err));
		goto fail;
	}
	err = evloop_add(r->loop, r->notify_timer_fd, EPOLLIN, on_notify_timer, r);
	if (err)
		goto fail;
	pr_info("notify: listening on [%s]:%u, %d peers",
		inet_ntop(AF_INET6, &d->notify_addr, a, sizeof(a)) ? a : "?",
		notify_port(r->notify), r->st->cfg.n_peers);
	return 0;
fail:
	notify_stop(r);
	return err;
}

/* After the services are written by a reload or a runtime change. */
static void notify_follow(struct run *r, bool reloaded)
{
	__u64 sig;
	int err;

	if (!r->notify) {
		if (!notify_configured(&r->st->cfg))
			return;
		/* First configured by this change: the sessions it should have
		 * subscribed for already exist. */
		if (!notify_start(r))
			notify_resync_log(r, "notifications configured");
		return;
	}
	if (!reloaded) {
		notify_maps_changed(r->notify, notify_now_ms());
		return;
	}
	err = notify_reload(r->notify, &r->st->cfg);
	if (err) {
		pr_err("notify: reload: %s; peers and keys unchanged", strerror(-err));
		return;
	}
	sig = notify_config_sig(&r->st->cfg);
	if (sig != r->notify_sig) {
		r->notify_sig = sig;
		notify_resync_log(r, "reload changed peers or notify modes");
	}
}

/* ---- VIP announcement (loader/announce.h) -------------------------------- */

/*
 * Open the gates whose conditions hold; the VIPs go up when the last one
 * opens.  Called after every turn of the event loop until then:
 *   attached  opened by run_daemon() once the maps are written and the
 *             program is attached;
 *   nexthops  every active backend's next hop is resolved (a packet for
 *             one that is not would be dropped), or announce_wait seconds
 *             have passed since the start (a backend that never answers
 *             neighbour discovery must not keep the VIPs down for ever);
 *   sync      session sync (issue 15) closes it until the group's
 *             sessions are pulled; without sync it is opened at start.
 */
static void announce_when_ready(struct run *r)
{
	const struct cfg_daemon *cd = &r->st->cfg.daemon;
	struct announce *a = r->d.announce;
	__u64 waited;
	int i, pending = 0;

	if (!a || announce_gate_is_open(a, ANN_GATE_NEXTHOPS))
		return;
	for (i = 0; i < MIP6LB_MAX_BACKENDS; i++) {
		const struct st_backend *b = &r->st->bes[i];

		if (b->used && b->cfg.name[0] && !b->cfg.drained && !b->down && !b->nh.valid)
			pending++;
	}
	waited = (dp_now_ns() - r->d.start_ns) / 1000000000ULL;
	if (pending && waited < cd->announce_wait_s)
		return;
	if (pending)
		pr_warn("announce: %d backends' next hops still unresolved after %u s "
			"(announce_wait); announcing anyway", pending, cd->announce_wait_s);
	announce_gate(a, ANN_GATE_NEXTHOPS, true);
}

static void on_changed(struct daemon *d)
{
	struct run *r = d->priv;

	announce_sync(d->announce, &r->st->cfg);
	notify_follow(d->priv, false);
	if (d->sync)
		sync_maps_changed(d->sync);
	if (d->health)
		health_sync(d->health);
}

/*
 * SIGHUP and `reload`.  A config with no [service] left would remove every
 * running service and delete all their sessions: far more often a file
 * truncated by a full disk, a failed copy or an editor than what the
 * operator meant, so it is refused unless the request says so
 * (`mip6lbctl reload allow-empty yes`; a signal cannot).  Starting with
 * such a file is fine: there is nothing to wipe.
 */
static int do_reload(struct daemon *d, bool allow_empty, char *err, size_t errlen)
{
	struct run *r = d->priv;
	struct mip6lb_config cfg;
	int ret, running = r->st->cfg.n_services;

	ret = config_load(d->config_path, &cfg, err, errlen);
	if (ret)
		goto fail;
	reload_fixup(&cfg, r);
	if (!cfg.n_services && running && !allow_empty) {
		snprintf(err, errlen,
			 "%s has no [service]: applying it would remove all %d running "
			 "service%s and their sessions; refused (if that is what you want, run "
			 "'mip6lbctl reload allow-empty yes')",
			 d->config_path, running, running == 1 ? "" : "s");
		config_free(&cfg);
		ret = -ENODATA;
		goto fail;
	}
	ret = state_apply(r->st, &cfg);
	config_free(&cfg);
	if (ret) {
		snprintf(err, errlen, "%s: applying: %s", d->config_path, strerror(-ret));
		goto fail;
	}
	pr_info("reload: %s applied%s", d->config_path,
		!r->st->cfg.n_services && running ? " (every service removed, as asked)" : "");
	announce_sync(r->d.announce, &r->st->cfg);
	notify_follow(r, true);
	if (r->d.sync)
		sync_reload(r->d.sync, &r->st->cfg, peer_now_ms());
	else if (sync_configured(&r->st->cfg) && !sync_start(r))
		pr_info("sync: started by the reload");
	if (r->d.health)
		health_sync(r->d.health);
	return 0;
fail:
	pr_err("reload: %s; keeping the running config", err);
	return ret;
}

/* ---- event sources ------------------------------------------------------ */

static void on_signal(void *arg, __u32 events)
{
	struct run *r = arg;
	struct signalfd_siginfo si;
	char err[1024];

	while (read(r->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			pr_info("SIGHUP: reloading %s", r->d.config_path);
			do_reload(&r->d, false, err, sizeof(err));
			break;
		case SIGTERM:
		case SIGINT:
			pr_info("%s: shutting down", strsignal(si.ssi_signo));
			r->stop = true;
			break;
		}
	}
}

static void on_timer(void *arg, __u32 events)
{
	struct run *r = arg;
	struct aging_result res;
	__u64 ticks, now, every;
	int err;

	if (read(r->timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	now = dp_now_ns();
	state_nh_refresh(r->st, false);
	state_drain_tick(r->st, now);
	metrics_tick(r->d.metrics);
	/* Routes the kernel refused are tried again (no request otherwise). */
	announce_sync(r->d.announce, &r->st->cfg);
	if (r->d.ctl)
		ctlsrv_expire(r->d.ctl, now);
	every = (__u64)r->st->cfg.daemon.sweep_interval_s * 1000000000ULL;
	if (now - r->last_sweep_ns < every)
		return;
	r->last_sweep_ns = now;
	err = aging_sweep_all(&r->dp.maps, now, &res);
	if (!err)
		metrics_note_sweep(r->d.metrics, dp_now_ns() - now, &res);
	if (!err && res.deleted) {
		pr_debug("aging: %ld of %ld sessions expired", res.deleted, res.scanned);
		/* A binding's remembered backend may have been one of them. */
		if (r->notify)
			notify_maps_changed(r->notify, notify_now_ms());
	}
}

static void on_nexthop(void *arg, __u32 events)
{
	struct run *r = arg;
	int ret = nh_process(r->nh);

	if (ret > 0)
		r->nh_dirty = true;
	else if (ret < 0)
		pr_err("next-hop monitor: %s", strerror(-ret));
}

static void on_events(void *arg, __u32 events)
{
	struct run *r = arg;

	datapath_events_consume(&r->dp);
}

/* New sessions: the notification module subscribes for the node (one
 * ring buffer consumer, this one), and the debug log shows them. */
static void on_new_session(const struct mip6lb_event *ev, void *arg)
{
	struct run *r = arg;
	char ident[64];

	if (r->notify)
		notify_on_event(r->notify, ev, notify_now_ms());
	if (r->d.sync)
		sync_on_event(r->d.sync, ev);
	if (log_get_level() < LOG_LVL_DEBUG)
		return;
	identity_format(&ev->key, ident, sizeof(ident));
	pr_debug("new session: service id %u, %s %s -> backend id %u (%llu events so far)",
		 ev->key.service_id, kind_name(ev->kind), ident, ev->backend_id,
		 (unsigned long long)r->dp.events_seen);
}

/* ---- health checks -------------------------------------------------------- */

/* The checker, and the tc program that takes its probes to the VIP
 * through each backend.  Without the program (no interface, or the kernel
 * refused it) probes go to the backends' own addresses: weaker, since it
 * no longer proves that the backend serves the VIP, and said so. */
static int health_start(struct run *r, int n_ifaces)
{
	int err = health_open(&r->d.health, r->st, r->loop);

	if (err)
		return err;
	if (n_ifaces && !health_tc_attach(&r->d.health_tc, &r->dp.maps,
					  (const char (*)[16])r->st->cfg.daemon.ifaces, n_ifaces))
		health_set_via_vip(r->d.health, true);
	else
		pr_warn("health: no tc egress program; probes go to the backends' own addresses, "
			"not through the VIP");
	health_sync(r->d.health);
	return 0;
}

/* ---- main --------------------------------------------------------------- */

static int setup_signals(struct run *r, sigset_t *mask)
{
	int err;

	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, mask, NULL)) {
		err = -errno;
		pr_err("sigprocmask: %s", strerror(-err));
		return err;
	}
	signal(SIGPIPE, SIG_IGN);
	r->sig_fd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r->sig_fd < 0) {
		err = -errno;
		pr_err("signalfd: %s", strerror(-err));
		return err;
	}
	return 0;
}

static int setup_timer(struct run *r)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = 1 },
		.it_value = { .tv_sec = 1 },
	};
	int err;

	r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->timer_fd < 0) {
		err = -errno;
		pr_err("timerfd_create: %s", strerror(-err));
		return err;
	}
	if (timerfd_settime(r->timer_fd, 0, &its, NULL)) {
		err = -errno;
		pr_err("timerfd_settime: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* Before anything is loaded: what the kernel must be able to do (the
 * datapath's program type, map types and helpers, and native XDP on each
 * interface when xdp_mode = native), one line naming the first missing
 * piece and what to do.  bpffs_ensure() has checked the pin dir. */
static int check_host(const struct mip6lb_config *cfg)
{
	struct probe_result missing;
	int err;

	err = probe_required((const char (*)[IF_NAMESIZE])cfg->daemon.ifaces,
			     cfg->daemon.n_ifaces, cfg->daemon.xdp_mode == CFG_XDP_NATIVE,
			     &missing);
	if (err)
		pr_err("%s", missing.detail);
	return err;
}

static int run_daemon(const struct opts *o, struct mip6lb_config *cfg)
{
	struct run r = { .o = o, .sig_fd = -1, .timer_fd = -1, .notify_timer_fd = -1,
			 .sync_timer_fd = -1 };
	sigset_t mask;
	int err, n_ifaces = cfg->daemon.n_ifaces;

	r.d.config_path = o->config;
	r.d.pin_dir = o->pin_dir;
	r.d.socket_path = o->socket;
	r.d.start_ns = dp_now_ns();
	r.d.reload = do_reload;
	r.d.changed = on_changed;
	r.d.priv = &r;
	r.d.dp = &r.dp;
	r.dp.lock_fd = -1;

	err = setup_signals(&r, &mask);
	if (err)
		goto out;
	err = evloop_new(&r.loop);
	if (err)
		goto out;
	r.d.loop = r.loop;
	/* Before anything is loaded or attached: a --socket naming a file
	 * that is not a socket stops the start, and the file is kept. */
	err = ctlsrv_check_path(o->socket);
	if (err)
		goto out_loop;
	err = bpffs_ensure(o->pin_dir);
	if (err)
		goto out_loop;
	err = check_host(cfg);
	if (err)
		goto out_loop;
	/* Before anything is loaded: no TUN, no start.  No route yet. */
	if (cfg->daemon.announce) {
		err = announce_open(&r.d.announce, cfg);
		if (err)
			goto out_loop;
	}
	{
		struct dp_sizes sz;

		dp_sizes_default(&sz, cfg->daemon.max_sessions);
		if (cfg->daemon.probation_sessions)
			sz.probation = cfg->daemon.probation_sessions;
		sz.coa = cfg->daemon.max_bindings;
		err = datapath_open_sized(&r.dp, o->pin_dir, &sz);
	}
	if (err)
		goto out_loop;
	err = nh_open(&r.nh);
	if (err) {
		pr_warn("next-hop resolver: %s; only backends with mac and dev set get a next hop",
			strerror(-err));
		r.nh = NULL;
	}
	err = state_new(&r.st, &r.dp.maps, r.nh);
	if (err)
		goto out_nh;
	r.d.st = r.st;
	err = state_apply(r.st, cfg);
	if (err)
		goto out_state;
	announce_sync(r.d.announce, &r.st->cfg);
	/* Before attaching: a notify_listen that cannot be bound stops the
	 * start while an earlier daemon's program still balances. */
	if (notify_configured(&r.st->cfg)) {
		err = notify_start(&r);
		if (err)
			goto out_state;
		if (r.dp.n_adopted)
			notify_resync_log(&r, "adopted pinned sessions");
	}
	/* Before attaching too: a sync_listen that cannot be bound stops
	 * the start; the bulk request goes out now. */
	err = sync_start(&r);
	if (err)
		goto out_state;

	if (n_ifaces) {
		err = datapath_attach(&r.dp, (const char (*)[IF_NAMESIZE])r.st->cfg.daemon.ifaces,
				      n_ifaces, xdp_mode_from_cfg(r.st->cfg.daemon.xdp_mode));
		if (err)
			goto out_state;
	} else {
		pr_warn("no interface configured (daemon.interface or -i): the maps are loaded "
			"and kept up to date, but nothing is attached");
	}

	err = datapath_events_open(&r.dp);
	if (err)
		goto out_detach;
	datapath_events_subscribe(&r.dp, on_new_session, &r);
	if ((err = evloop_add(r.loop, datapath_events_fd(&r.dp), EPOLLIN, on_events, &r)) ||
	    (err = evloop_add(r.loop, r.sig_fd, EPOLLIN, on_signal, &r)))
		goto out_detach;
	if (r.nh && (err = evloop_add(r.loop, nh_fd(r.nh), EPOLLIN, on_nexthop, &r)))
		goto out_detach;
	err = setup_timer(&r);
	if (err)
		goto out_detach;
	if ((err = evloop_add(r.loop, r.timer_fd, EPOLLIN, on_timer, &r)))
		goto out_detach;
	err = health_start(&r, n_ifaces);
	if (err)
		goto out_detach;
	if (r.st->cfg.daemon.has_metrics) {
		err = metrics_open(&r.d.metrics, &r.d, &r.st->cfg.daemon.metrics_addr,
				   r.st->cfg.daemon.metrics_port);
		if (err)
			goto out_detach;
	}
	err = ctlsrv_open(&r.d.ctl, o->socket, &r.d);
	if (err)
		goto out_detach;
	r.last_sweep_ns = dp_now_ns();
	if (r.d.announce) {
		/* The sync gate opens in on_sync_ready(). */
		announce_gate(r.d.announce, ANN_GATE_ATTACHED, true);
		announce_when_ready(&r);
	}

	pr_info("mip6lbd %s running (pid %d): %d services, %d backends, %d interfaces, "
		"control socket %s", MIP6LBD_VERSION, getpid(), r.st->cfg.n_services,
		r.st->cfg.n_backends, n_ifaces, o->socket);
	while (!r.stop) {
		err = evloop_run_once(r.loop, -1);
		if (err < 0)
			break;
		err = 0;
		if (r.nh_dirty) {
			r.nh_dirty = false;
			state_nh_refresh(r.st, true);
		}
		announce_when_ready(&r);
	}
	/* Withdraw first: the routers stop sending here while the rest shuts
	 * down (the program stays attached and serves what is in flight). */
	announce_withdraw(r.d.announce);

	ctlsrv_close(r.d.ctl);
	r.d.ctl = NULL;
out_detach:
	metrics_close(r.d.metrics);
	r.d.metrics = NULL;
	health_close(r.d.health);
	r.d.health = NULL;
	health_tc_detach(r.d.health_tc);
	r.d.health_tc = NULL;
	datapath_detach(&r.dp);
out_state:
	sync_stop(&r);
	notify_stop(&r);
	state_free(r.st);
out_nh:
	nh_close(r.nh);
	datapath_close(&r.dp);
	if (!err)
		pr_info("stopped; the maps stay pinned under %s", o->pin_dir);
out_loop:
	announce_close(r.d.announce);
	r.d.announce = NULL;
	evloop_free(r.loop);
out:
	if (r.timer_fd >= 0)
		close(r.timer_fd);
	if (r.sig_fd >= 0)
		close(r.sig_fd);
	return err ? MIP6LBD_EXIT_ERROR : MIP6LBD_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct mip6lb_config cfg;
	char err[1024], *cfg_path;
	struct opts o;
	int ret;

	log_set_ident("mip6lbd");
	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret;
	log_set_level(o.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	log_hook_libraries();

	if (o.flush)
		return datapath_flush(o.pin_dir, (const char (*)[IF_NAMESIZE])o.ifaces, o.n_ifaces) ?
		       MIP6LBD_EXIT_ERROR : MIP6LBD_EXIT_OK;

	if (config_load(o.config, &cfg, err, sizeof(err))) {
		if (o.check_config)
			fprintf(stderr, "%s\n", err);
		else
			pr_err("%s", err);
		return MIP6LBD_EXIT_USAGE;
	}
	if (o.check_config) {
		config_free(&cfg);
		return MIP6LBD_EXIT_OK;
	}
	/* Reloads read the same file whatever the working directory. */
	cfg_path = realpath(o.config, NULL);
	if (cfg_path)
		o.config = cfg_path;
	apply_overrides(&cfg, &o);
	ret = run_daemon(&o, &cfg);
	free(cfg_path);
	config_free(&cfg);
	return ret;
}
