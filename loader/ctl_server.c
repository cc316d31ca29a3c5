// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctl_server.c - the control socket (ctl_server.h): the unix stream socket,
 * its connections in the daemon's event loop, reading one request per
 * connection and writing its response.  What a request does is
 * ctl_commands.c (ctlsrv_handle).
 *
 * The event loop also ages sessions, applies notifications and answers
 * other clients, so no client may hold it: every read and write here is
 * non-blocking, and a client that stops reading keeps only its own
 * response, until its deadline or until memory for responses runs short.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "ctl_server.h"
#include "daemon.h"
#include "dpmaps.h"
#include "evloop.h"
#include "log.h"

#define NS_PER_S 1000000000ULL
/* Accepts per wake-up: the loop reads the requests of what it accepted
 * before taking more, so a burst of new connections cannot evict a client
 * (CTL_MAX_CONNS) before its request was read. */
#define ACCEPT_BATCH 16

struct ctl_conn {
	int fd;
	char *buf;               /* the request as received */
	size_t len, cap;
	char *out;               /* the response; NULL while reading */
	size_t out_len, out_off;
	__u64 deadline_ns;       /* dropped after this (ctlsrv_expire) */
	__u64 progress_ns;       /* connect, then the last write the client took */
	struct ctl_server *srv;
	struct ctl_conn *next;
};

struct ctl_server {
	int fd;
	/* An open /dev/null, given up at EMFILE so that one pending connection
	 * can be accepted and closed: otherwise it stays in the backlog, the
	 * socket stays readable and the loop spins on accept. */
	int spare_fd;
	bool paused;             /* accept off until the next ctlsrv_expire */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct daemon *d;
	struct ctl_conn *conns;
	unsigned int n_conns;
	size_t queued;           /* response bytes the kernel has not taken */
	size_t max_queued;
};

/* ---- connections -------------------------------------------------------- */

static void conn_close(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;
	struct ctl_conn **pp;

	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->n_conns--;
	s->queued -= c->out_len - c->out_off;
	evloop_del(s->d->loop, c->fd);
	close(c->fd);
	free(c->buf);
	free(c->out);
	free(c);
}

/* The connection that has gone longest without progress, other than
 * keep; with writers_only, only one holding response bytes. */
static struct ctl_conn *slowest(struct ctl_server *s, const struct ctl_conn *keep,
				bool writers_only)
{
	struct ctl_conn *c, *best = NULL;

	for (c = s->conns; c; c = c->next) {
		if (c == keep || (writers_only && c->out_off == c->out_len))
			continue;
		if (!best || c->progress_ns < best->progress_ns)
			best = c;
	}
	return best;
}

/* Send what the client takes.  Returns false once c is closed (all sent,
 * or the client went away). */
static bool conn_flush(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;
	__u64 now;
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			pr_debug("control: sending the response: %s",
				 n < 0 ? strerror(errno) : "closed");
			conn_close(c);
			return false;
		}
		c->out_off += n;
		s->queued -= n;
		now = dp_now_ns();
		c->progress_ns = now;
		c->deadline_ns = now + CTL_CONN_TIMEOUT_S * NS_PER_S;
	}
	if (c->out_off == c->out_len) {
		conn_close(c);
		return false;
	}
	return true;
}

static void conn_respond(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;
	struct ctl_conn *victim;
	char *resp = ctlsrv_handle(s->d, c->buf, c->len);

	if (!resp) {
		pr_err_ratelimited("control: building a response: %s", strerror(ENOMEM));
		conn_close(c);
		return;
	}
	c->out = resp;
	c->out_len = strlen(resp);
	c->out_off = 0;
	s->queued += c->out_len;
	if (!conn_flush(c))
		return;
	/* The client has not taken it all: wait for room, and make sure the
	 * clients that do not read cannot pile up responses. */
	if (evloop_mod(s->d->loop, c->fd, EPOLLOUT)) {
		conn_close(c);
		return;
	}
	while (s->queued > s->max_queued && (victim = slowest(s, c, true))) {
		pr_warn_ratelimited("control: %zu response bytes waiting for clients that do not "
				    "read (limit %zu): dropping the slowest", s->queued,
				    s->max_queued);
		conn_close(victim);
	}
}

/* Read what has arrived; the newline, or EOF, ends the request. */
static void conn_read(struct ctl_conn *c)
{
	char *nb, *nl;
	ssize_t n;

	for (;;) {
		if (c->cap - c->len < 4096) {
			if (c->cap >= CTL_MAX_REQUEST) {
				static const char msg[] =
					"{\"ok\":false,\"error\":\"request too large\"}\n";

				send(c->fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
				conn_close(c);
				return;
			}
			nb = realloc(c->buf, c->cap * 2 + 1);
			if (!nb) {
				conn_close(c);
				return;
			}
			c->buf = nb;
			c->cap *= 2;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;         /* wait for more */
		if (n < 0) {
			conn_close(c);
			return;
		}
		c->buf[c->len + n] = '\0';
		nl = memchr(c->buf + c->len, '\n', n);
		c->len += n;
		if (nl || n == 0) {
			/* The handler sees everything received, so that a second
			 * document after the newline is an error, not ignored. */
			if (c->len)
				conn_respond(c);
			else
				conn_close(c);
			return;
		}
	}
}

static void on_conn(void *arg, __u32 events)
{
	struct ctl_conn *c = arg;

	if (c->out)
		conn_flush(c);
	else
		conn_read(c);
}

/* ---- the listening socket ----------------------------------------------- */

static void accept_pause(struct ctl_server *s)
{
	if (!s->paused && !evloop_mod(s->d->loop, s->fd, 0))
		s->paused = true;
}

/*
 * accept failed with EMFILE or ENFILE.  Make room by dropping the
 * connection that has gone longest without progress; with none, accept
 * the pending connection on the spare descriptor's slot and close it;
 * with no spare either, stop accepting until the next ctlsrv_expire.
 * Returns true when accept is worth trying again.
 */
static bool accept_shed(struct ctl_server *s, int err)
{
	struct ctl_conn *victim = slowest(s, NULL, false);
	int fd;

	if (victim) {
		pr_warn_ratelimited("control: accept: %s; dropping the connection idle longest "
				    "(%u open)", strerror(err), s->n_conns);
		conn_close(victim);
		return true;
	}
	if (s->spare_fd >= 0) {
		pr_warn_ratelimited("control: accept: %s; closing new connections", strerror(err));
		close(s->spare_fd);
		fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && s->spare_fd >= 0)
			return true;
	}
	pr_warn_ratelimited("control: accept: %s; not accepting for a second", strerror(err));
	accept_pause(s);
	return false;
}

static void on_listen(void *arg, __u32 events)
{
	struct ctl_server *s = arg;
	struct ctl_conn *c;
	int fd, err, i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			err = errno;
			if (err == EAGAIN || err == EWOULDBLOCK)
				return;
			if (err == EINTR || err == ECONNABORTED)
				continue;
			if (err == EMFILE || err == ENFILE) {
				if (accept_shed(s, err))
					continue;
				return;
			}
			/* Anything else (ENOBUFS, ENOMEM) would repeat at once:
			 * do not spin on it. */
			pr_warn_ratelimited("control: accept: %s; not accepting for a second",
					    strerror(err));
			accept_pause(s);
			return;
		}
		if (s->n_conns >= CTL_MAX_CONNS) {
			pr_warn_ratelimited("control: %u connections open (the limit): dropping the "
					    "one idle longest", s->n_conns);
			conn_close(slowest(s, NULL, false));
		}
		c = calloc(1, sizeof(*c));
		if (c) {
			c->cap = 4096;
			c->buf = malloc(c->cap + 1);
		}
		if (!c || !c->buf) {
			if (c)
				free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->srv = s;
		c->progress_ns = dp_now_ns();
		c->deadline_ns = c->progress_ns + CTL_CONN_TIMEOUT_S * NS_PER_S;
		err = evloop_add(s->d->loop, fd, EPOLLIN, on_conn, c);
		if (err) {
			close(fd);
			free(c->buf);
			free(c);
			continue;
		}
		c->next = s->conns;
		s->conns = c;
		s->n_conns++;
	}
}

static int mkdir_parent(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	p = strrchr(buf, '/');
	if (!p || p == buf)
		return 0;
	*p = '\0';
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int ctlsrv_check_path(const char *path)
{
	struct sockaddr_un sa;
	struct stat sb;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		pr_err("control socket %s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	/* Only a socket may be replaced (a stale one, after kill -9): a
	 * mistyped --socket must not delete a file. */
	if (!lstat(path, &sb) && !S_ISSOCK(sb.st_mode)) {
		pr_err("control socket %s exists and is not a socket; not replacing it", path);
		return -EEXIST;
	}
	return 0;
}

int ctlsrv_open(struct ctl_server **out, const char *path, struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_server *s;
	mode_t old_umask;
	int fd, err;

	err = ctlsrv_check_path(path);
	if (err)
		return err;
	strcpy(sa.sun_path, path);
	err = mkdir_parent(path);
	if (err) {
		pr_err("control socket %s: creating its directory: %s", path, strerror(-err));
		return err;
	}
	/* A socket file nobody listens on is a leftover (kill -9). */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		pr_err("control socket %s: another daemon is listening on it", path);
		return -EADDRINUSE;
	}
	close(fd);
	err = ctlsrv_check_path(path);       /* again, right before the unlink */
	if (err)
		return err;
	unlink(path);

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->d = d;
	s->max_queued = CTL_MAX_QUEUED;
	strcpy(s->path, path);
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = -errno;
		pr_err("control socket: %s", strerror(-err));
		goto err_free;
	}
	/* Mode 0600 from the start: no window in which others can connect. */
	old_umask = umask(0177);
	err = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old_umask);
	if (err) {
		pr_err("control socket %s: bind: %s", path, strerror(-err));
		goto err_close;
	}
	/* A full backlog makes clients' connect() fail or wait; the loop
	 * drains it quickly, so let a burst of clients queue. */
	if (chmod(path, 0600) || listen(s->fd, SOMAXCONN)) {
		err = -errno;
		pr_err("control socket %s: %s", path, strerror(-err));
		goto err_unlink;
	}
	err = evloop_add(d->loop, s->fd, EPOLLIN, on_listen, s);
	if (err)
		goto err_unlink;
	*out = s;
	return 0;

err_unlink:
	unlink(path);
err_close:
	close(s->fd);
err_free:
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	free(s);
	return err;
}

void ctlsrv_expire(struct ctl_server *s, __u64 now_ns)
{
	struct ctl_conn *c, *next;

	for (c = s->conns; c; c = next) {
		next = c->next;
		if (now_ns > c->deadline_ns) {
			pr_debug("control: dropping a connection that %s",
				 c->out ? "does not read its response" :
				 "sent no complete request");
			conn_close(c);
		}
	}
	if (s->paused && !evloop_mod(s->d->loop, s->fd, EPOLLIN))
		s->paused = false;
	if (s->spare_fd < 0)
		s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

unsigned int ctlsrv_conns(const struct ctl_server *s)
{
	return s->n_conns;
}

void ctlsrv_set_max_queued(struct ctl_server *s, size_t bytes)
{
	s->max_queued = bytes;
}

void ctlsrv_close(struct ctl_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s->conns);
	evloop_del(s->d->loop, s->fd);
	close(s->fd);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	unlink(s->path);
	free(s);
}
