// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "evloop.h"
#include "log.h"

#define EV_BATCH 32

struct ev_entry {
	int fd;                  /* -1 once deleted */
	ev_handler cb;
	void *arg;
	struct ev_entry *next;
};

struct evloop {
	int epfd;
	struct ev_entry *entries;
	bool dispatching;        /* defer frees: a later event of this batch may point here */
	bool have_dead;
};

int evloop_new(struct evloop **out)
{
	struct evloop *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		err = -errno;
		pr_err("epoll_create1: %s", strerror(-err));
		free(l);
		return err;
	}
	*out = l;
	return 0;
}

static void reap(struct evloop *l)
{
	struct ev_entry **pp = &l->entries, *e;

	while ((e = *pp)) {
		if (e->fd < 0) {
			*pp = e->next;
			free(e);
		} else {
			pp = &e->next;
		}
	}
	l->have_dead = false;
}

void evloop_free(struct evloop *l)
{
	struct ev_entry *e, *n;

	if (!l)
		return;
	for (e = l->entries; e; e = n) {
		n = e->next;
		free(e);
	}
	close(l->epfd);
	free(l);
}

int evloop_add(struct evloop *l, int fd, __u32 events, ev_handler cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct ev_entry *e;
	int err;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fd = fd;
	e->cb = cb;
	e->arg = arg;
	ev.data.ptr = e;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		pr_err("epoll_ctl(ADD, fd %d): %s", fd, strerror(-err));
		free(e);
		return err;
	}
	e->next = l->entries;
	l->entries = e;
	return 0;
}

int evloop_mod(struct evloop *l, int fd, __u32 events)
{
	struct epoll_event ev = { .events = events };
	struct ev_entry *e;
	int err;

	for (e = l->entries; e; e = e->next)
		if (e->fd == fd)
			break;
	if (!e)
		return -ENOENT;
	ev.data.ptr = e;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev)) {
		err = -errno;
		pr_err("epoll_ctl(MOD, fd %d): %s", fd, strerror(-err));
		return err;
	}
	return 0;
}

void evloop_del(struct evloop *l, int fd)
{
	struct ev_entry *e;

	for (e = l->entries; e; e = e->next) {
		if (e->fd != fd)
			continue;
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		e->fd = -1;
		l->have_dead = true;
		break;
	}
	if (!l->dispatching && l->have_dead)
		reap(l);
}

int evloop_run_once(struct evloop *l, int timeout_ms)
{
	struct epoll_event evs[EV_BATCH];
	int n, i, err;

	n = epoll_wait(l->epfd, evs, EV_BATCH, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		err = -errno;
		pr_err("epoll_wait: %s", strerror(-err));
		return err;
	}
	l->dispatching = true;
	for (i = 0; i < n; i++) {
		struct ev_entry *e = evs[i].data.ptr;

		if (e->fd >= 0)
			e->cb(e->arg, evs[i].events);
	}
	l->dispatching = false;
	if (l->have_dead)
		reap(l);
	return n;
}
