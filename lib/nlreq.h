/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nlreq.h - one rtnetlink request and its answers over a libmnl socket,
 * the way the daemon's two netlink users (nexthop.c resolving next hops,
 * loader/announce.c writing the VIP routes) both ask: NLM_F_ACK, answers
 * of an earlier request that timed out skipped by sequence number.
 */
#ifndef MIP6LB_NLREQ_H
#define MIP6LB_NLREQ_H

#include <stddef.h>
#include <libmnl/libmnl.h>

/*
 * Send nlh (its sequence number taken from ++*seq) and run cb on every
 * answer, read into buf, until the kernel's ACK or error.  Returns 0, the
 * kernel's negative errno, -ETIMEDOUT (the socket's receive timeout), or
 * another negative errno; logs nothing: the caller knows what it asked.
 */
int nlreq_run(struct mnl_socket *nl, unsigned int portid, unsigned int *seq, void *buf,
	      size_t buflen, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
