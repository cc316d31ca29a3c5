/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fuzzutil.h - what the text fuzzers share: a NUL-terminated copy of the
 * input, a check that aborts (so libFuzzer records the input), a private
 * working directory with a valid key file in it, and a quiet logger.
 */
#ifndef MIP6LB_FUZZUTIL_H
#define MIP6LB_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* data as a C string (malloc()ed; NULs inside stay and end it early). */
char *fuzz_strdup(const uint8_t *data, size_t size);

/* chdir into a fresh temporary directory holding KEY (a 32-byte key file,
 * mode 0600) and EMPTY (an empty file); removed at exit.  Configs name
 * key_file = key relative to it. */
void fuzz_sandbox(void);

/* Could a kernel have sent this buffer of netlink messages?  libmnl 1.0.4's
 * mnl_nlmsg_ok() compares (int)nlmsg_len, so a length of 2^31 or more
 * passes as negative and mnl_cb_run() walks off the buffer.  Only the
 * kernel's messages reach our parsers (mnl_socket_recvfrom refuses any
 * other sender) and it never sends such a length, so the netlink targets
 * skip those inputs instead of reporting libmnl's bug as ours. */
int fuzz_nl_plausible(const void *buf, size_t len);

/* Errors only: the daemon's log lines would drown libFuzzer's output. */
void fuzz_quiet(void);

#endif
