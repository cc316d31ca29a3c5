// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health.c - the health checker's schedule and state machine
 * (health.h).  One timerfd, armed for the earliest probe start or
 * timeout; each probe's socket is registered in the event loop while it
 * is in flight.  Work per wake-up is one pass over the checked backends,
 * so the cost grows with their number, never with a thread per backend.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include "dpmaps.h"
#include "evloop.h"
#include "health.h"
#include "log.h"
#include "state.h"
#include "health_mark.h"

#define NS_PER_MS 1000000ULL
/* Probes due within this much of a wake-up start in the same pass. */
#define HC_SLACK_NS (2 * NS_PER_MS)
/* A backend with no next hop yet is looked at again after this long. */
#define HC_NH_WAIT_MS 250

struct hc_backend {
	struct health *h;
	__u32 id;
	bool checked;
	struct cfg_health cfg;       /* resolved: its overrides over its service's */
	struct in6_addr vip;
	struct hc_fsm fsm;
	struct hc_slot {             /* a probe, and room for its confirmation */
		struct hc_backend *b;
		struct hc_probe probe;   /* fd -1: free */
	} slot[HC_MAX_IN_FLIGHT];
};

struct health {
	struct lb_state *st;
	struct evloop *loop;
	int timer_fd;
	bool via_vip;
	bool has_override;
	struct in6_addr override;
	struct hc_backend *bes;      /* [MIP6LB_MAX_BACKENDS] */
	__u32 *ids;                  /* the checked ones, so that a wake-up */
	__u32 n_ids;                 /* walks them, not every id */
	__u64 probes, failures;
};

const char *hc_result_name(int r)
{
	static const char *const names[HC_R_MAX] = {
		[HC_R_NONE] = "none", [HC_R_OK] = "ok", [HC_R_REFUSED] = "refused",
		[HC_R_TIMEOUT] = "timeout", [HC_R_UNREACHABLE] = "unreachable",
		[HC_R_BAD_REPLY] = "bad_reply", [HC_R_ERROR] = "error",
	};

	return r >= 0 && r < HC_R_MAX ? names[r] : "?";
}

/* ---- the state machine --------------------------------------------------- */

void hc_fsm_init(struct hc_fsm *f, const struct cfg_health *h, bool up, __u64 now_ns,
		 __u64 phase_ns)
{
	memset(f, 0, sizeof(*f));
	f->up = up;
	f->rise = h->rise ? h->rise : 1;
	f->fall = h->fall ? h->fall : 1;
	f->interval_ms = h->interval_ms;
	f->timeout_ms = h->timeout_ms;
	f->next_ns = now_ns + phase_ns;
}

void hc_fsm_start(struct hc_fsm *f, __u64 now_ns)
{
	if (!f->in_flight) {
		f->sched_ns = f->next_ns;
		f->started_ns = now_ns;
		f->confirmed = false;
	} else {
		f->confirmed = true;
	}
	f->in_flight++;
	f->probes++;
}

__u64 hc_fsm_confirm_at(const struct hc_fsm *f)
{
	if (!f->up || f->in_flight != 1 || f->confirmed || f->fail_run + 1 >= f->fall)
		return ~0ULL;
	return f->started_ns + (__u64)f->timeout_ms * NS_PER_MS / HC_CONFIRM_DIV;
}

int hc_fsm_result(struct hc_fsm *f, int result, __u64 now_ns)
{
	__u64 interval = (__u64)f->interval_ms * NS_PER_MS;
	int change = 0;

	/* An answer ends every probe in flight; a failure ends its own. */
	if (result == HC_R_OK || !f->in_flight)
		f->in_flight = 0;
	else
		f->in_flight--;
	f->last = result;
	f->last_ns = now_ns;
	/* A fixed schedule: the next probe is one interval after the first
	 * one in flight was due, whatever its answer took. */
	f->next_ns = f->sched_ns + interval;
	if (f->next_ns < now_ns)
		f->next_ns = now_ns;
	if (result == HC_R_OK) {
		f->fail_run = 0;
		if (f->ok_run < 255)
			f->ok_run++;
		if (!f->up && f->ok_run >= f->rise) {
			f->up = true;
			f->changed_ns = now_ns;
			change = 1;
		}
		return change;
	}
	f->failures++;
	f->ok_run = 0;
	if (f->fail_run < 255)
		f->fail_run++;
	if (f->up && f->fail_run >= f->fall) {
		f->up = false;
		f->changed_ns = now_ns;
		return -1;
	}
	/* Still up after a failure: ask again at once rather than an
	 * interval later, so fall failures take about fall timeouts, not
	 * fall intervals (docs/mip6lbd.md has the arithmetic). */
	if (f->up)
		f->next_ns = now_ns + HC_REPROBE_MS * NS_PER_MS;
	return 0;
}

void hc_fsm_confirm_skip(struct hc_fsm *f)
{
	f->confirmed = true;
}

/* ---- probes -------------------------------------------------------------- */

static void rearm(struct health *h);
static void on_probe(void *arg, __u32 events);

static void slot_stop(struct hc_slot *sl)
{
	if (sl->probe.fd >= 0) {
		evloop_del(sl->b->h->loop, sl->probe.fd);
		hc_probe_close(&sl->probe);
	}
}

static void probe_stop(struct hc_backend *b)
{
	int i;

	for (i = 0; i < HC_MAX_IN_FLIGHT; i++)
		slot_stop(&b->slot[i]);
	b->fsm.in_flight = 0;
}

static void finish(struct hc_slot *sl, int result, __u64 now)
{
	struct hc_backend *b = sl->b;
	struct health *h = b->h;
	int change;

	/* An answer makes the other probe in flight moot (hc_fsm_result). */
	if (result == HC_R_OK)
		probe_stop(b);
	else
		slot_stop(sl);
	if (result != HC_R_OK)
		h->failures++;
	change = hc_fsm_result(&b->fsm, result, now);
	pr_debug("health: backend %s/%s (id %u): %s%s", h->st->bes[b->id].cfg.service,
		 h->st->bes[b->id].cfg.name, b->id, hc_result_name(result),
		 sl != &b->slot[0] ? " (confirmation)" : "");
	if (change)
		state_backend_set_down(h->st, b->id, change < 0);
}

/* Start a probe in a free slot.  deadline: 0, or the deadline to share
 * (a confirmation expires with the probe it confirms). */
static void probe_begin(struct hc_backend *b, __u64 now, __u64 deadline)
{
	struct health *h = b->h;
	const struct in6_addr *dst = &b->vip;
	__u32 mark = MIP6LB_HEALTH_MARK | b->id, want = 0;
	struct hc_slot *sl = NULL;
	int i, r;

	for (i = 0; i < HC_MAX_IN_FLIGHT && !sl; i++)
		if (b->slot[i].probe.fd < 0)
			sl = &b->slot[i];
	/* Through the VIP, a backend whose next hop is not resolved yet cannot
	 * be reached (the tc program would drop the probe, as the datapath
	 * drops its traffic): no verdict until it is, so a start or a
	 * neighbour's slow answer does not take it down. */
	if (!sl || (h->via_vip && !h->has_override && !h->st->bes[b->id].nh.valid)) {
		if (b->fsm.in_flight)
			hc_fsm_confirm_skip(&b->fsm);
		else
			b->fsm.next_ns = now + HC_NH_WAIT_MS * NS_PER_MS;
		return;
	}
	if (h->has_override) {
		dst = &h->override;
		mark = 0;
	} else if (!h->via_vip) {
		dst = &h->st->bes[b->id].cfg.addr;
		mark = 0;
	}
	hc_fsm_start(&b->fsm, now);
	h->probes++;
	r = hc_probe_start(&sl->probe, &b->cfg, dst, b->cfg.port, mark, now, &want);
	if (r == HC_R_NONE && evloop_add(h->loop, sl->probe.fd, want, on_probe, sl)) {
		hc_probe_close(&sl->probe);
		r = HC_R_ERROR;
	}
	if (r != HC_R_NONE) {
		finish(sl, r, now);
		return;
	}
	if (deadline)
		sl->probe.deadline_ns = deadline;
}

static void on_probe(void *arg, __u32 events)
{
	struct hc_slot *sl = arg;
	__u32 want = 0;
	int r = hc_probe_event(&sl->probe, events, &want);

	if (r == HC_R_NONE)
		evloop_mod(sl->b->h->loop, sl->probe.fd, want);
	else
		finish(sl, r, dp_now_ns());
	rearm(sl->b->h);
}

/* The earliest moment this backend needs a pass: a deadline, a
 * confirmation or its next probe. */
static __u64 backend_due(const struct hc_backend *b)
{
	__u64 t = ~0ULL;
	int i;

	if (!b->fsm.in_flight)
		return b->fsm.next_ns;
	for (i = 0; i < HC_MAX_IN_FLIGHT; i++)
		if (b->slot[i].probe.fd >= 0 && b->slot[i].probe.deadline_ns < t)
			t = b->slot[i].probe.deadline_ns;
	if (hc_fsm_confirm_at(&b->fsm) < t)
		t = hc_fsm_confirm_at(&b->fsm);
	return t;
}

/* One pass: timeouts, then confirmations and probes that are due. */
static void run_due(struct health *h)
{
	__u64 now = dp_now_ns();
	__u32 i;
	int k;

	for (i = 0; i < h->n_ids; i++) {
		struct hc_backend *b = &h->bes[h->ids[i]];

		for (k = 0; k < HC_MAX_IN_FLIGHT; k++) {
			struct hc_slot *sl = &b->slot[k];

			if (sl->probe.fd >= 0 && now + HC_SLACK_NS >= sl->probe.deadline_ns)
				finish(sl, HC_R_TIMEOUT, now);
		}
		if (!b->fsm.in_flight && now + HC_SLACK_NS >= b->fsm.next_ns)
			probe_begin(b, now, 0);
		else if (b->fsm.in_flight && now + HC_SLACK_NS >= hc_fsm_confirm_at(&b->fsm))
			probe_begin(b, now, b->slot[0].probe.fd >= 0 ? b->slot[0].probe.deadline_ns
								  : b->slot[1].probe.deadline_ns);
	}
}

static void rearm(struct health *h)
{
	struct itimerspec its = {};
	__u64 when = ~0ULL, now;
	__u32 i;

	for (;;) {
		when = ~0ULL;
		for (i = 0; i < h->n_ids; i++) {
			__u64 t = backend_due(&h->bes[h->ids[i]]);

			if (t < when)
				when = t;
		}
		now = dp_now_ns();
		/* A quick re-probe is due at once: run it now, not through a
		 * timer that a zero value would disarm. */
		if (when == ~0ULL || when > now + HC_SLACK_NS)
			break;
		run_due(h);
	}
	if (when != ~0ULL) {
		its.it_value.tv_sec = when / 1000000000ULL;
		its.it_value.tv_nsec = when % 1000000000ULL;
	}
	if (timerfd_settime(h->timer_fd, TFD_TIMER_ABSTIME, &its, NULL))
		pr_warn("health: timer: %s", strerror(errno));
}

static void on_timer(void *arg, __u32 events)
{
	struct health *h = arg;
	__u64 ticks;

	if (read(h->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		pr_warn("health: timer read: %s", strerror(errno));
	run_due(h);
	rearm(h);
}

/* ---- following the config ----------------------------------------------- */

static void check_stop(struct hc_backend *b)
{
	probe_stop(b);
	b->checked = false;
}

void health_sync(struct health *h)
{
	struct lb_state *st = h->st;
	__u64 now = dp_now_ns();
	int started = 0, stopped = 0;
	__u32 id;

	for (id = 0; id < MIP6LB_MAX_BACKENDS; id++) {
		struct hc_backend *b = &h->bes[id];
		const struct st_backend *sb = &st->bes[id];
		const struct st_service *ss;
		struct cfg_health c;

		if (!sb->used || !sb->cfg.name[0] || sb->service_id >= MIP6LB_MAX_SERVICES) {
			if (b->checked) {
				check_stop(b);
				stopped++;
			}
			continue;
		}
		ss = &st->svcs[sb->service_id];
		config_health_resolve(&ss->cfg, &sb->cfg, &c);
		if (c.type == CFG_HEALTH_NONE || c.type == CFG_HEALTH_INHERIT || !c.port) {
			if (b->checked) {
				check_stop(b);
				stopped++;
			}
			/* Unchecked: nothing may keep it down. */
			if (sb->down)
				state_backend_set_down(st, id, false);
			continue;
		}
		if (b->checked && !memcmp(&b->cfg, &c, sizeof(c)) &&
		    !memcmp(&b->vip, &ss->cfg.vip, sizeof(b->vip)))
			continue;
		check_stop(b);
		b->checked = true;
		b->cfg = c;
		b->vip = ss->cfg.vip;
		/* Spread by id over the interval: a golden-ratio step keeps
		 * consecutive ids apart. */
		hc_fsm_init(&b->fsm, &c, !sb->down, now,
			    (__u64)((id * 2654435761U) % 1000) * c.interval_ms * (NS_PER_MS / 1000));
		started++;
	}
	h->n_ids = 0;
	for (id = 0; id < MIP6LB_MAX_BACKENDS; id++)
		if (h->bes[id].checked)
			h->ids[h->n_ids++] = id;
	if (started || stopped)
		pr_info("health: %d backends (re)started checks, %d stopped", started, stopped);
	rearm(h);
}

int health_open(struct health **out, struct lb_state *st, struct evloop *loop)
{
	struct health *h = calloc(1, sizeof(*h));
	__u32 id;
	int err;

	if (!h)
		return -ENOMEM;
	h->st = st;
	h->loop = loop;
	h->bes = calloc(MIP6LB_MAX_BACKENDS, sizeof(*h->bes));
	h->ids = calloc(MIP6LB_MAX_BACKENDS, sizeof(*h->ids));
	if (!h->bes || !h->ids) {
		err = -ENOMEM;
		goto fail;
	}
	for (id = 0; id < MIP6LB_MAX_BACKENDS; id++) {
		int k;

		h->bes[id].h = h;
		h->bes[id].id = id;
		for (k = 0; k < HC_MAX_IN_FLIGHT; k++) {
			h->bes[id].slot[k].b = &h->bes[id];
			h->bes[id].slot[k].probe.fd = -1;
		}
	}
	h->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (h->timer_fd < 0) {
		err = -errno;
		pr_err("health: timerfd_create: %s", strerror(-err));
		goto fail;
	}
	err = evloop_add(loop, h->timer_fd, EPOLLIN, on_timer, h);
	if (err) {
		close(h->timer_fd);
		goto fail;
	}
	*out = h;
	return 0;
fail:
	free(h->ids);
	free(h->bes);
	free(h);
	return err;
}

void health_close(struct health *h)
{
	__u32 id;

	if (!h)
		return;
	for (id = 0; id < MIP6LB_MAX_BACKENDS; id++)
		probe_stop(&h->bes[id]);
	evloop_del(h->loop, h->timer_fd);
	close(h->timer_fd);
	free(h->ids);
	free(h->bes);
	free(h);
}

void health_set_via_vip(struct health *h, bool on)
{
	h->via_vip = on;
}

bool health_via_vip(const struct health *h)
{
	return h->via_vip;
}

void health_set_dst_override(struct health *h, const struct in6_addr *addr)
{
	h->has_override = addr != NULL;
	if (addr)
		h->override = *addr;
}

bool health_view(const struct health *h, __u32 id, struct health_view *out)
{
	const struct hc_backend *b;

	memset(out, 0, sizeof(*out));
	if (!h || id >= MIP6LB_MAX_BACKENDS || !h->bes[id].checked)
		return false;
	b = &h->bes[id];
	out->checked = true;
	out->type = b->cfg.type;
	out->up = b->fsm.up;
	out->last = b->fsm.last;
	out->last_ns = b->fsm.last_ns;
	out->changed_ns = b->fsm.changed_ns;
	out->probes = b->fsm.probes;
	out->failures = b->fsm.failures;
	return true;
}

void health_totals(const struct health *h, __u64 *probes, __u64 *failures)
{
	*probes = h ? h->probes : 0;
	*failures = h ? h->failures : 0;
}
