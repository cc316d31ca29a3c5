// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctl_server.c - the control socket (ctl_server.h): the unix stream socket,
 * its connections in the daemon's event loop, reading one request per
 * connection and writing its response.  What a request does is
 * ctl_commands.c (ctlsrv_handle).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include "ctl_server.h"
#include "daemon.h"
#include "dpmaps.h"
#include "evloop.h"
#include "log.h"

#define CTL_SEND_TIMEOUT_S 5

struct ctl_conn {
	int fd;
	char *buf;
	size_t len, cap;
	__u64 started_ns;
	struct ctl_server *srv;
	struct ctl_conn *next;
};

struct ctl_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct daemon *d;
	struct ctl_conn *conns;
};

/* ---- the socket --------------------------------------------------------- */

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
	evloop_del(s->d->loop, c->fd);
	close(c->fd);
	free(c->buf);
	free(c);
}

static void conn_respond(struct ctl_conn *c)
{
	struct timeval tv = { .tv_sec = CTL_SEND_TIMEOUT_S };
	char *resp = ctlsrv_handle(c->srv->d, c->buf, c->len);
	size_t off = 0, len;
	ssize_t n;

	if (!resp) {
		pr_err("control: building a response: %s", strerror(ENOMEM));
		return;
	}
	/* Responses can be large (session list); send them blocking, with a
	 * timeout, rather than buffering them in the loop. */
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	len = strlen(resp);
	while (off < len) {
		n = send(c->fd, resp + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pr_warn("control: sending the response: %s", n < 0 ? strerror(errno) : "closed");
			break;
		}
		off += n;
	}
	free(resp);
}

static void on_conn(void *arg, __u32 events)
{
	struct ctl_conn *c = arg;
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
			/* One request per connection: the newline, or EOF, ends it. */
			if (nl)
				c->len = nl - c->buf;
			if (c->len)
				conn_respond(c);
			conn_close(c);
			return;
		}
	}
}

static void on_listen(void *arg, __u32 events)
{
	struct ctl_server *s = arg;
	struct ctl_conn *c;
	int fd, err;

	for (;;) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				pr_warn("control: accept: %s", strerror(errno));
			return;
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
		c->started_ns = dp_now_ns();
		err = evloop_add(s->d->loop, fd, EPOLLIN, on_conn, c);
		if (err) {
			close(fd);
			free(c->buf);
			free(c);
			continue;
		}
		c->next = s->conns;
		s->conns = c;
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

int ctlsrv_open(struct ctl_server **out, const char *path, struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_server *s;
	mode_t old_umask;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		pr_err("control socket %s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
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
	unlink(path);

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->d = d;
	strcpy(s->path, path);
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
	if (chmod(path, 0600) || listen(s->fd, 16)) {
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
	free(s);
	return err;
}

void ctlsrv_expire(struct ctl_server *s, __u64 now_ns)
{
	struct ctl_conn *c, *next;

	for (c = s->conns; c; c = next) {
		next = c->next;
		if (now_ns - c->started_ns > CTL_CONN_TIMEOUT_S * 1000000000ULL) {
			pr_debug("control: dropping a connection that sent no complete request");
			conn_close(c);
		}
	}
}

void ctlsrv_close(struct ctl_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s->conns);
	evloop_del(s->d->loop, s->fd);
	close(s->fd);
	unlink(s->path);
	free(s);
}
