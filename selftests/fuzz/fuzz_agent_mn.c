// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the mobile node's address tracking
 * (agent/agent_mn.c): the input is a buffer of rtnetlink messages
 * (RTM_NEWADDR / RTM_DELADDR) as a receive would return it, run through
 * mnl_cb_run() into the file's message callback, then the care-of address
 * choice and the node's own binding (agent/agent.c).  agent_mn.c is
 * included so its static callback is reached as it is, with no socket;
 * the agent has no sockets (fds -1, nothing to send to).
 *
 * Checks: the address list stays within AGENT_MN_MAX_ADDRS with no
 * duplicates; a chosen care-of address is a global node address from the
 * list; the binding table holds at most the home address's binding.
 */
#include <stdint.h>
#include <stdlib.h>
#include "fuzzutil.h"
#include "../../agent/agent_mn.c"

#define IFINDEX 7

static struct agent *agent_new(void)
{
	struct agent *a = calloc(1, sizeof(*a));

	if (!a)
		abort();
	a->udp_fd = a->cap_fd = a->feed_fd = -1;
	a->cfg.role = AGENT_ROLE_MN;
	a->cfg.has_home = true;
	if (inet_pton(AF_INET6, "2001:db8:100::7", &a->cfg.home_addr) != 1)
		abort();
	a->cfg.lifetime_s = AGENT_DEFAULT_LIFETIME_S;
	a->cfg.max_bindings = 8;
	a->ifindex = IFINDEX;
	return a;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent *a = agent_new();
	size_t half = size / 2;
	struct in6_addr coa;
	void *b1, *b2;
	int i, j;

	if (!fuzz_nl_plausible(data, half) || !fuzz_nl_plausible(data + half, size - half)) {
		agent_close(a);
		return 0;
	}
	/* Two halves, two batches: the second sees what the first left.
	 * Each in its own allocation, aligned as the kernel's are, so ASan
	 * catches any read past its end; with NLMSG_ALIGNTO zeroed bytes of
	 * slack, as the agent's receive buffer always has: libmnl takes a
	 * message's attributes up to its aligned length. */
	b1 = calloc(1, half + NLMSG_ALIGNTO);
	b2 = calloc(1, size - half + NLMSG_ALIGNTO);
	if (!b1 || !b2)
		abort();
	memcpy(b1, data, half);
	memcpy(b2, data + half, size - half);
	mnl_cb_run(b1, half, 0, 0, msg_cb, a);
	coa_update(a, 1000);
	mnl_cb_run(b2, size - half, 0, 0, msg_cb, a);
	coa_update(a, 2000);

	FUZZ_CHECK(a->n_addrs >= 0 && a->n_addrs <= AGENT_MN_MAX_ADDRS);
	for (i = 0; i < a->n_addrs; i++)
		for (j = i + 1; j < a->n_addrs; j++)
			FUZZ_CHECK(memcmp(&a->addrs[i].addr, &a->addrs[j].addr, 16));
	if (!agent_mn_coa(a, &coa))
		FUZZ_CHECK(agent_node_addr(&coa));
	FUZZ_CHECK(a->n_bindings <= 1);
	if (a->n_bindings)
		FUZZ_CHECK(!memcmp(&a->bindings[0].home, &a->cfg.home_addr, 16));
	agent_close(a);
	free(b1);
	free(b2);
	return 0;
}
