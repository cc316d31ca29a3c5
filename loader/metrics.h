/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * metrics.h - mip6lbd's Prometheus endpoint ([daemon] metrics_listen,
 * off by default): GET /metrics answers the text exposition format
 * (version 0.0.4).  libmicrohttpd does the HTTP, with no thread of its
 * own: its epoll fd sits in the daemon's event loop, so a scrape runs in
 * the loop like every other source and reads the daemon's structs
 * safely; the datapath's numbers come from map reads (syscalls), which
 * never block the datapath.  docs/mip6lbd.md lists the metrics.
 */
#ifndef MIP6LB_METRICS_H
#define MIP6LB_METRICS_H

#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>

struct daemon;
struct metrics;
struct aging_result;

/* Listen on [addr]:port (port 0: any free port, see metrics_port()). */
int metrics_open(struct metrics **out, struct daemon *d, const struct in6_addr *addr,
		 __u16 port);
void metrics_close(struct metrics *m);
__u16 metrics_port(const struct metrics *m);
/* Connection timeouts: call once a second. */
void metrics_tick(struct metrics *m);
/* The aging sweep's last run, for mip6lb_aging_*. */
void metrics_note_sweep(struct metrics *m, __u64 duration_ns, const struct aging_result *r);

/* The whole exposition as text (what a scrape returns), malloc'd; NULL
 * when out of memory.  *len gets its length. */
char *metrics_render(struct metrics *m, size_t *len);

#endif
