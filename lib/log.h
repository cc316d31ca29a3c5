/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* log.h - one leveled logger for the daemon, the agent and the CLI; libbpf
 * and libxdp print through it too.  Two helpers for lines whose cause a
 * peer controls: a per-call-site rate limit, and an escape for bytes that
 * came from the wire. */
#ifndef MIP6LB_LOG_H
#define MIP6LB_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Prefix every line with this program name (default "mip6lb"). */
void log_set_ident(const char *ident);
/* Route libbpf's and libxdp's messages through this logger. */
void log_hook_libraries(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...)   log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define pr_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/*
 * Rate limit: at most LOG_RL_BURST lines per LOG_RL_INTERVAL_S seconds
 * from one call site; the rest are counted, and the next line that gets
 * through ends with "(N more suppressed)".  For errors a peer can repeat
 * as fast as it likes (accept at the descriptor limit): a flood of them
 * would cost more than the error itself.
 */
#define LOG_RL_BURST      5
#define LOG_RL_INTERVAL_S 10

struct log_ratelimit {
	unsigned long long start_ns;   /* CLOCK_MONOTONIC start of the window */
	unsigned int lines;            /* printed in this window */
	unsigned long suppressed;      /* not printed since the last printed line */
};

void log_msg_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One static limiter per expansion, so per call site. */
#define log_ratelimited(level, ...) do {                                  \
	static struct log_ratelimit log_rl__;                             \
	log_msg_ratelimited(&log_rl__, level, __VA_ARGS__);               \
} while (0)
#define pr_err_ratelimited(...)  log_ratelimited(LOG_LVL_ERROR, __VA_ARGS__)
#define pr_warn_ratelimited(...) log_ratelimited(LOG_LVL_WARN, __VA_ARGS__)

/*
 * Escape n bytes of s for a log line (or an error message a terminal
 * prints): printable ASCII stays, a backslash becomes "\\", every other
 * byte (control bytes such as ESC, DEL, bytes >= 0x80) becomes \xNN, so a
 * peer cannot drive the reader's terminal or forge lines.  Stops at what
 * fits in len - 1 bytes and then ends with "..."; always NUL-terminated
 * (len >= 4).  Returns buf.  LOG_ESC_LEN suits a name or a short line.
 */
#define LOG_ESC_LEN 128
const char *log_escape(char *buf, size_t len, const void *s, size_t n);

#endif
