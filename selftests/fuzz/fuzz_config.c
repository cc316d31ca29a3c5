// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for mip6lbd's config file (lib/config.c over
 * lib/ini_lines.c and lib/peer_config.c): the input is the file.  It goes
 * through config_parse_string() and, as bytes on disk (a memfd), through
 * config_load(), which adds the file reader (NUL bytes, size bound).
 *
 * Runs in a private directory holding "key", a valid key file, so
 * key_file = key reaches the peer code.  Beyond the sanitizers it checks
 * the parser's promises: an error comes with a message and an empty
 * config, a success with none and with every limit and cross-reference
 * holding; both entries agree on text without NUL bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "config.h"
#include "fuzzutil.h"

static int memfd = -1;
static char memfd_path[64];

static void check_config(const struct mip6lb_config *cfg, int rc, const char *err)
{
	int i;

	if (rc) {
		FUZZ_CHECK(rc < 0 && err[0]);
		FUZZ_CHECK(!cfg->services && !cfg->backends && !cfg->peers);
		FUZZ_CHECK(!cfg->n_services && !cfg->n_backends && !cfg->n_peers);
		return;
	}
	FUZZ_CHECK(!err[0]);
	FUZZ_CHECK(cfg->n_services >= 0 && cfg->n_services <= MIP6LB_MAX_SERVICES);
	FUZZ_CHECK(cfg->n_backends >= 0 && cfg->n_backends <= MIP6LB_MAX_BACKENDS);
	FUZZ_CHECK(cfg->n_peers >= 0 && cfg->n_peers <= CFG_MAX_PEERS);
	FUZZ_CHECK(cfg->daemon.n_ifaces >= 0 && cfg->daemon.n_ifaces <= CFG_MAX_IFACES);
	for (i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];

		FUZZ_CHECK(s->name[0] && memchr(s->name, 0, sizeof(s->name)));
		FUZZ_CHECK(s->n_ids >= 1 && s->n_ids <= MIP6LB_MAX_ID_ORDER);
		FUZZ_CHECK(config_service_index(cfg, s->name) == i);
	}
	for (i = 0; i < cfg->n_backends; i++) {
		const struct cfg_backend *b = &cfg->backends[i];

		FUZZ_CHECK(b->service_idx >= 0 && b->service_idx < cfg->n_services);
		FUZZ_CHECK(!strcmp(b->service, cfg->services[b->service_idx].name));
		FUZZ_CHECK(b->weight <= 65535);
	}
	for (i = 0; i < cfg->n_peers; i++) {
		const struct cfg_peer *p = &cfg->peers[i];

		FUZZ_CHECK(p->key_len >= CFG_KEY_MIN && p->key_len <= CFG_KEY_MAX);
		FUZZ_CHECK(p->n_home_prefixes >= 0 && p->n_home_prefixes <= CFG_MAX_HOME_PREFIXES);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	fuzz_sandbox();
	memfd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mip6lb_config a, b;
	char ea[512], eb[512];
	char *text = fuzz_strdup(data, size);
	int ra, rb;

	ra = config_parse_string(text, "fuzz", &a, ea, sizeof(ea));
	check_config(&a, ra, ea);

	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	rb = config_load(memfd_path, &b, eb, sizeof(eb));
	check_config(&b, rb, eb);
	/* The file entry refuses NUL bytes; without any, the two parse the
	 * same text and must agree (key files are taken relative to the
	 * file's directory there, so only a config without peers compares). */
	if (!memchr(data, 0, size) && !ra && !a.n_peers)
		FUZZ_CHECK(!rb && a.n_services == b.n_services && a.n_backends == b.n_backends);
	config_free(&a);
	config_free(&b);
	FUZZ_CHECK(!a.services && !a.n_services);
	free(text);
	return 0;
}
