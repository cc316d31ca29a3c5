// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the agent's feed requests ("HOA COA LIFETIME
 * [SEQ]", agent_feed_line() in agent/agent_ha.c) and the binding table
 * they drive (agent/agent.c): each input line is one request, a second
 * apart, with agent_tick() between them so bindings also expire.  The
 * agent is built without sockets (its fds stay -1; with no subscribers
 * nothing is sent), a table of 8 bindings so "table full" is reached.
 *
 * Checks: the reply is "ok" exactly when the call returned 0, otherwise
 * "error: ..."; the table stays sorted, duplicate-free and within its
 * size; the feed counters count every request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "agent_priv.h"
#include "fuzzutil.h"

#define MAX_LINES 32
#define TABLE     8

static struct agent *agent_new(void)
{
	struct agent *a = calloc(1, sizeof(*a));

	if (!a)
		abort();
	a->udp_fd = a->cap_fd = a->feed_fd = -1;
	a->cfg.role = AGENT_ROLE_HA;
	a->cfg.max_bindings = TABLE;
	a->cfg.max_subscriptions = TABLE;
	return a;
}

static void check_table(const struct agent *a)
{
	int i;

	FUZZ_CHECK(a->n_bindings >= 0 && a->n_bindings <= TABLE);
	FUZZ_CHECK(agent_binding_count(a) == a->n_bindings);
	for (i = 1; i < a->n_bindings; i++)
		FUZZ_CHECK(memcmp(&a->bindings[i - 1].home, &a->bindings[i].home,
				  sizeof(struct in6_addr)) < 0);
	for (i = 0; i < a->n_bindings; i++) {
		FUZZ_CHECK(agent_binding_find(a, &a->bindings[i].home) == &a->bindings[i]);
		FUZZ_CHECK(a->bindings[i].lifetime_s > 0);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), *line, *save = NULL;
	struct agent *a = agent_new();
	__u64 now = 1000000, n = 0;
	char reply[160];
	int rc;

	for (line = strtok_r(text, "\n", &save); line && n < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save)) {
		memset(reply, 0x55, sizeof(reply));
		rc = agent_feed_line(a, line, reply, sizeof(reply), now);
		FUZZ_CHECK(memchr(reply, 0, sizeof(reply)));
		if (rc == 0)
			FUZZ_CHECK(!strcmp(reply, "ok"));
		else
			FUZZ_CHECK(rc == -EINVAL && !strncmp(reply, "error: ", 7));
		n++;
		FUZZ_CHECK(a->st.feed_ok + a->st.feed_bad == n);
		check_table(a);
		now += 1000;
		agent_tick(a, now);
		check_table(a);
	}
	agent_close(a);
	free(text);
	return 0;
}
