// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nlreq.c - one rtnetlink request and its answers (nlreq.h).
 */
#include <errno.h>
#include "nlreq.h"

int nlreq_run(struct mnl_socket *nl, unsigned int portid, unsigned int *seq, void *buf,
	      size_t buflen, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int s = ++*seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = s;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, buflen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		/* A late answer to an earlier request that timed out: the
		 * kernel never mixes two requests in one datagram, so the
		 * first header speaks for all of it. */
		if ((size_t)n >= sizeof(struct nlmsghdr) &&
		    ((struct nlmsghdr *)buf)->nlmsg_seq != s)
			continue;
		errno = 0;
		ret = mnl_cb_run(buf, n, s, portid, cb, data);
		if (ret < 0)
			return errno ? -errno : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}
