// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzzutil.c - see fuzzutil.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include "log.h"
#include "fuzzutil.h"

static char sandbox[64];

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void sandbox_remove(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/key", sandbox);
	unlink(path);
	snprintf(path, sizeof(path), "%s/empty", sandbox);
	unlink(path);
	rmdir(sandbox);
}

static void write_file(const char *name, const void *buf, size_t len)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd))
		abort();
}

void fuzz_sandbox(void)
{
	unsigned char key[32];
	int i;

	snprintf(sandbox, sizeof(sandbox), "/tmp/mip6lb-fuzz-XXXXXX");
	if (!mkdtemp(sandbox) || chdir(sandbox))
		abort();
	for (i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	write_file("key", key, sizeof(key));
	write_file("empty", "", 0);
	atexit(sandbox_remove);
}

void fuzz_quiet(void)
{
	log_set_level(LOG_LVL_ERROR);
}

int fuzz_nl_plausible(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	struct nlmsghdr h;

	while (len >= sizeof(h)) {
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len > 0x7fffffffU)
			return 0;
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len)
			break;          /* libmnl stops here */
		if (NLMSG_ALIGN(h.nlmsg_len) >= len)
			break;
		p += NLMSG_ALIGN(h.nlmsg_len);
		len -= NLMSG_ALIGN(h.nlmsg_len);
	}
	return 1;
}
