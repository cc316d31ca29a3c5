// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

static enum log_level cur_level = LOG_LVL_INFO;
static const char *cur_ident = "mip6lb";
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level level) { cur_level = level; }
enum log_level log_get_level(void) { return cur_level; }
void log_set_ident(const char *ident) { cur_ident = ident; }

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t len;

	if (level > cur_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len && line[len - 1] == '\n')
		line[--len] = '\0';
	fprintf(stderr, "%s: %s: %s\n", cur_ident, level_names[level], line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level l = level == LIBBPF_WARN ? LOG_LVL_WARN :
			   level == LIBBPF_INFO ? LOG_LVL_DEBUG : LOG_LVL_DEBUG;

	/* libbpf's info lines are chatty (feature probes): debug only. */
	if (level == LIBBPF_DEBUG && cur_level < LOG_LVL_DEBUG)
		return 0;
	log_vmsg(l, fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	enum log_level l = level == LIBXDP_WARN ? LOG_LVL_WARN : LOG_LVL_DEBUG;

	log_vmsg(l, fmt, ap);
	return 0;
}

void log_hook_libraries(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
