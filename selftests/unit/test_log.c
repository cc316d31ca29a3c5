// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/log's helpers for lines a peer can cause: log_escape() (control
 * bytes as \xNN, a length cap) and the per-call-site rate limit with its
 * "(N more suppressed)".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>
#include "harness.h"
#include "log.h"

static const struct {
	const char *in;
	size_t n;          /* bytes of in */
	size_t len;        /* output buffer */
	const char *out;
} esc[] = {
	{ "plain name-1.2_x", 16, 64, "plain name-1.2_x" },
	{ "", 0, 64, "" },
	{ "\x1b[31mred", 8, 64, "\\x1b[31mred" },
	{ "a\r\nb", 4, 64, "a\\x0d\\x0ab" },
	{ "back\\slash", 10, 64, "back\\\\slash" },
	{ "nul\0after", 9, 64, "nul\\x00after" },
	{ "\x7f\xc3\xa9", 3, 64, "\\x7f\\xc3\\xa9" },
	/* Cut where it no longer fits, with "..." (10 bytes: 6 + "..." + NUL). */
	{ "abcdefghijkl", 12, 10, "abcdef..." },
	/* Exactly fits: no "...". */
	{ "abcdefghi", 9, 10, "abcdefghi" },
	/* An escape is never cut in half. */
	{ "abcd\x1b" "efgh", 9, 10, "abcd..." },
	{ "abc", 3, 4, "abc" },
	{ "abcd", 4, 4, "..." },
};

START_TEST(test_log_escape)
{
	char buf[64];

	memset(buf, 'Z', sizeof(buf));
	ck_assert_ptr_eq(log_escape(buf, esc[_i].len, esc[_i].in, esc[_i].n), buf);
	ck_assert_str_eq(buf, esc[_i].out);
	ck_assert_uint_lt(strlen(buf), esc[_i].len);
}
END_TEST

/* Run fn with stderr in a temporary file; its text in out. */
static void capture(void (*fn)(void), char *out, size_t len)
{
	char path[] = "/tmp/mip6lb-ut-log-XXXXXX";
	int fd = mkstemp(path), saved;
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	fn();
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	n = pread(fd, out, len - 1, 0);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	close(fd);
	unlink(path);
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static struct log_ratelimit rl;

static void flood(void)
{
	int i;

	for (i = 0; i < 1000; i++)
		log_msg_ratelimited(&rl, LOG_LVL_WARN, "accept: flood %d", i);
}

static void after_window(void)
{
	/* As if the interval had passed. */
	rl.start_ns -= (LOG_RL_INTERVAL_S + 1) * 1000000000ULL;
	log_msg_ratelimited(&rl, LOG_LVL_WARN, "accept: again");
	log_msg_ratelimited(&rl, LOG_LVL_WARN, "accept: and again");
}

static void two_sites(void)
{
	int i;

	for (i = 0; i < 20; i++) {
		pr_warn_ratelimited("site one %d", i);
		pr_warn_ratelimited("site two %d", i);
	}
}

static void below_level(void)
{
	int i;

	for (i = 0; i < 20; i++)
		log_msg_ratelimited(&rl, LOG_LVL_DEBUG, "debug %d", i);
	log_msg_ratelimited(&rl, LOG_LVL_WARN, "shown");
}

START_TEST(test_log_ratelimit)
{
	char out[8192];

	log_set_ident("ut");
	memset(&rl, 0, sizeof(rl));
	capture(flood, out, sizeof(out));
	ck_assert_int_eq(lines(out), LOG_RL_BURST);
	ck_assert_ptr_nonnull(strstr(out, "ut: warn: accept: flood 0\n"));
	ck_assert_ptr_nonnull(strstr(out, "ut: warn: accept: flood 4\n"));
	ck_assert_ptr_null(strstr(out, "flood 5"));

	capture(after_window, out, sizeof(out));
	ck_assert_str_eq(out, "ut: warn: accept: again (995 more suppressed)\n"
			      "ut: warn: accept: and again\n");

	/* Each call site has its own budget. */
	capture(two_sites, out, sizeof(out));
	ck_assert_int_eq(lines(out), 2 * LOG_RL_BURST);
	ck_assert_ptr_nonnull(strstr(out, "site one 4\n"));
	ck_assert_ptr_nonnull(strstr(out, "site two 4\n"));

	/* Lines below the level neither print nor use the budget. */
	memset(&rl, 0, sizeof(rl));
	capture(below_level, out, sizeof(out));
	ck_assert_str_eq(out, "ut: warn: shown\n");
	log_set_ident("mip6lb");
}
END_TEST

MIP6LB_SUITE(log, 0)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_loop_test(tc, test_log_escape, 0, sizeof(esc) / sizeof(esc[0]));
	tcase_add_test(tc, test_log_ratelimit);
	suite_add_tcase(s, tc);
	return s;
}
