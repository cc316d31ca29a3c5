// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health_probe.c - one health probe's socket, never blocking: tcp (the
 * connection is accepted), http (GET health_path, status 2xx or 3xx) and
 * udp (a datagram is answered; an ICMP port unreachable comes back as
 * ECONNREFUSED on the connected socket).  The caller (health.c) waits for
 * the EPOLL bits it is told and enforces the timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "health.h"

#define HC_UDP_PAYLOAD "mip6lbd health probe\n"

static int errno_result(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case ECONNRESET:
		return HC_R_REFUSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
		return HC_R_UNREACHABLE;
	case ETIMEDOUT:
		return HC_R_TIMEOUT;
	}
	return HC_R_ERROR;
}

int hc_probe_start(struct hc_probe *p, const struct cfg_health *h, const struct in6_addr *dst,
		   __u16 port, __u32 mark, __u64 now_ns, __u32 *want)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	bool udp = h->type == CFG_HEALTH_UDP;
	char a[INET6_ADDRSTRLEN];
	int r;

	memset(p, 0, sizeof(*p));
	p->type = h->type;
	p->deadline_ns = now_ns + (__u64)h->timeout_ms * 1000000ULL;
	sa.sin6_addr = *dst;
	p->fd = socket(AF_INET6, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (p->fd < 0)
		return HC_R_ERROR;
	if (mark && setsockopt(p->fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		goto err;
	if (p->type == CFG_HEALTH_HTTP) {
		inet_ntop(AF_INET6, dst, a, sizeof(a));
		r = snprintf(p->buf, sizeof(p->buf),
			     "GET %s HTTP/1.0\r\nHost: [%s]:%u\r\nUser-Agent: mip6lbd-health\r\n"
			     "Connection: close\r\n\r\n", h->path, a, port);
		if (r < 0 || (size_t)r >= sizeof(p->buf))
			goto err;
		p->len = r;
	}
	if (connect(p->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno != EINPROGRESS) {
			r = errno_result(errno);
			hc_probe_close(p);
			return r;
		}
		*want = EPOLLOUT;
		return HC_R_NONE;
	}
	/* A UDP connect is immediate; so, rarely, is a TCP one. */
	return hc_probe_event(p, EPOLLOUT, want);
err:
	hc_probe_close(p);
	return HC_R_ERROR;
}

/* "HTTP/1.x NNN ..." in buf[0..len): 2xx and 3xx are up. */
static int http_status(const char *buf, size_t len)
{
	int code;

	if (len < 12 || memcmp(buf, "HTTP/1.", 7) || buf[8] != ' ')
		return HC_R_BAD_REPLY;
	if (buf[9] < '0' || buf[9] > '9' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' ||
	    buf[11] > '9')
		return HC_R_BAD_REPLY;
	code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	return code >= 200 && code < 400 ? HC_R_OK : HC_R_BAD_REPLY;
}

int hc_probe_event(struct hc_probe *p, __u32 events, __u32 *want)
{
	int err = 0;
	socklen_t el = sizeof(err);
	ssize_t n;
	char junk[64];

	if (!p->connected) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el))
			return HC_R_ERROR;
		if (err)
			return errno_result(err);
		if (!(events & (EPOLLOUT | EPOLLIN)))
			return (events & (EPOLLERR | EPOLLHUP)) ? HC_R_REFUSED : HC_R_NONE;
		p->connected = true;
		if (p->type == CFG_HEALTH_TCP)
			return HC_R_OK;
		if (p->type == CFG_HEALTH_UDP) {
			if (send(p->fd, HC_UDP_PAYLOAD, sizeof(HC_UDP_PAYLOAD) - 1, 0) < 0)
				return errno == EAGAIN ? HC_R_ERROR : errno_result(errno);
			*want = EPOLLIN;
			return HC_R_NONE;
		}
	}
	if (p->type == CFG_HEALTH_UDP) {
		n = recv(p->fd, junk, sizeof(junk), 0);
		if (n >= 0)
			return HC_R_OK;
		if (errno == EAGAIN || errno == EINTR) {
			*want = EPOLLIN;
			return HC_R_NONE;
		}
		return errno_result(errno);
	}
	/* http: the request out, then the status line in (into the same
	 * buffer: the request is not needed once it is sent). */
	if (p->off < p->len) {
		n = send(p->fd, p->buf + p->off, p->len - p->off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				*want = EPOLLOUT;
				return HC_R_NONE;
			}
			return errno_result(errno);
		}
		p->off += n;
		if (p->off < p->len) {
			*want = EPOLLOUT;
			return HC_R_NONE;
		}
		p->off = p->len = 0;
		p->buf[0] = 0;
		*want = EPOLLIN;
		/* Sent: the answer comes later. */
		if (!(events & EPOLLIN))
			return HC_R_NONE;
	}
	n = recv(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			*want = EPOLLIN;
			return HC_R_NONE;
		}
		return errno_result(errno);
	}
	p->len += n;
	p->buf[p->len] = 0;
	if (p->len >= 12 || memchr(p->buf, '\n', p->len) || !n || p->len == sizeof(p->buf) - 1)
		return http_status(p->buf, p->len);
	*want = EPOLLIN;
	return HC_R_NONE;
}

void hc_probe_close(struct hc_probe *p)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (p->fd < 0)
		return;
	if (p->type != CFG_HEALTH_UDP)
		setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(p->fd);
	p->fd = -1;
}
