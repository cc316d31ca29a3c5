// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for mip6lb-agent's config file (agent/agent_config.c
 * over lib/ini_lines.c and lib/peer_config.c): the input is the file,
 * parsed for both roles, through agent_config_parse_string() and, as
 * bytes on disk (a memfd), agent_config_load().  Runs in a private
 * directory holding "key", a valid key file.  An error must come with a
 * message and an empty config; a success with none and within the limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "agent.h"
#include "fuzzutil.h"

static int memfd = -1;
static char memfd_path[64];

static void check_config(const struct agent_config *cfg, int role, int rc, const char *err)
{
	int i;

	if (rc) {
		FUZZ_CHECK(rc < 0 && err[0]);
		FUZZ_CHECK(!cfg->peers && !cfg->n_peers);
		return;
	}
	FUZZ_CHECK(!err[0]);
	FUZZ_CHECK(cfg->role == role);
	FUZZ_CHECK(memchr(cfg->iface, 0, sizeof(cfg->iface)));
	FUZZ_CHECK(memchr(cfg->feed_socket, 0, sizeof(cfg->feed_socket)));
	FUZZ_CHECK(cfg->n_peers >= 0 && cfg->n_peers <= CFG_MAX_PEERS);
	for (i = 0; i < cfg->n_peers; i++)
		FUZZ_CHECK(cfg->peers[i].key_len >= CFG_KEY_MIN &&
			   cfg->peers[i].key_len <= CFG_KEY_MAX);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	fuzz_sandbox();
	memfd = memfd_create("fuzz_agent_config", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int roles[] = { AGENT_ROLE_HA, AGENT_ROLE_MN };
	char *text = fuzz_strdup(data, size);
	struct agent_config cfg;
	char err[512];
	size_t i;
	int rc;

	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		rc = agent_config_parse_string(text, "fuzz", roles[i], &cfg, err, sizeof(err));
		check_config(&cfg, roles[i], rc, err);
		agent_config_free(&cfg);
		rc = agent_config_load(memfd_path, roles[i], &cfg, err, sizeof(err));
		check_config(&cfg, roles[i], rc, err);
		agent_config_free(&cfg);
	}
	free(text);
	return 0;
}
