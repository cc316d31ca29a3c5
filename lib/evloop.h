/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * evloop.h - mip6lbd's event loop: a registry of fds and callbacks over
 * one epoll instance.  Every source (signals, the control socket and its
 * connections, the next-hop monitor, the timer, the events ring buffer, and
 * later the notification sockets) registers here, so a new module only
 * needs evloop_add() and never touches the main loop.
 */
#ifndef MIP6LB_EVLOOP_H
#define MIP6LB_EVLOOP_H

#include <linux/types.h>

struct evloop;

/* events: the EPOLL* bits that fired. */
typedef void (*ev_handler)(void *arg, __u32 events);

int evloop_new(struct evloop **out);
/* Unregisters and frees every handler; closes no fd. */
void evloop_free(struct evloop *l);
/* Register fd for events (EPOLLIN, ...).  One handler per fd. */
int evloop_add(struct evloop *l, int fd, __u32 events, ev_handler cb, void *arg);
/* Change the events fd waits for (EPOLLOUT while output is queued; 0 to
 * pause it).  The handler stays. */
int evloop_mod(struct evloop *l, int fd, __u32 events);
/* Unregister fd; safe from inside any callback, including fd's own. */
void evloop_del(struct evloop *l, int fd);
/* Wait up to timeout_ms (-1 = forever) and run the callbacks of what is
 * ready.  Returns the number of callbacks run, or a negative errno;
 * a signal interrupting the wait counts as 0. */
int evloop_run_once(struct evloop *l, int timeout_ms);

#endif
