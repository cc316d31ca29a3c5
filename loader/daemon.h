/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon.h - what the parts of mip6lbd share: the paths it runs with and
 * the objects the control socket, the timers and the notification module
 * (loader/notify.h) reach through one struct daemon.
 */
#ifndef MIP6LB_DAEMON_H
#define MIP6LB_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "paths.h"

struct datapath;
struct lb_state;
struct evloop;
struct ctl_server;
struct notify;
struct health;
struct health_tc;
struct metrics;
struct announce;
struct sync;

struct daemon {
	const char *config_path;
	const char *pin_dir;
	const char *socket_path;
	struct datapath *dp;         /* NULL when only the maps are loaded (tests) */
	struct lb_state *st;
	struct evloop *loop;
	struct ctl_server *ctl;
	/* Binding notifications; NULL while no [peer] and no service with
	 * notify != off has been configured (docs/mip6lbd.md). */
	struct notify *notify;
	/* Health checks (loader/health.h): NULL in tests that run none. */
	struct health *health;
	struct health_tc *health_tc;
	struct metrics *metrics;     /* NULL unless metrics_listen is set */
	struct announce *announce;   /* NULL unless announce = on (loader/announce.h) */
	/* Session sync (loader/sync.h): NULL without a role = balancer peer. */
	struct sync *sync;
	__u64 start_ns;              /* CLOCK_MONOTONIC */
	/* Re-read the config file and apply it (SIGHUP, `reload`).  Returns 0,
	 * or a negative errno with err set ("FILE:LINE: message"); on error
	 * the running state is left exactly as it was.  A file with no
	 * [service] while services run is refused unless allow_empty (the
	 * request's allow_empty; never for SIGHUP). */
	int (*reload)(struct daemon *d, bool allow_empty, char *err, size_t errlen);
	/* A runtime command changed services, backends or sessions (the
	 * maps): the daemon tells its caches (notify_maps_changed()).  May
	 * be NULL. */
	void (*changed)(struct daemon *d);
	void *priv;                  /* the main program's own state */
};

#endif
