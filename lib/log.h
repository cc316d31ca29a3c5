/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* log.h - one leveled logger for the daemon, the agent and the CLI; libbpf
 * and libxdp print through it too. */
#ifndef MIP6LB_LOG_H
#define MIP6LB_LOG_H

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

#endif
