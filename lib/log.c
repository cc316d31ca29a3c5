// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* log.c - the leveled logger (log.h), its rate limit and escape helpers. */
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

/* suppressed: lines a rate limit held back before this one (0: none). */
static void log_vmsg_note(enum log_level level, unsigned long suppressed, const char *fmt,
			  va_list ap)
{
	char line[1024];
	size_t len;

	if (level > cur_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (suppressed)
		fprintf(stderr, "%s: %s: %s (%lu more suppressed)\n", cur_ident,
			level_names[level], line, suppressed);
	else
		fprintf(stderr, "%s: %s: %s\n", cur_ident, level_names[level], line);
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	log_vmsg_note(level, 0, fmt, ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_msg_ratelimited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
{
	unsigned long long now;
	struct timespec ts;
	va_list ap;

	if (level > cur_level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
	if (!rl->start_ns || now - rl->start_ns >= LOG_RL_INTERVAL_S * 1000000000ULL) {
		rl->start_ns = now;
		rl->lines = 0;
	}
	if (rl->lines >= LOG_RL_BURST) {
		rl->suppressed++;
		return;
	}
	rl->lines++;
	va_start(ap, fmt);
	log_vmsg_note(level, rl->suppressed, fmt, ap);
	va_end(ap);
	rl->suppressed = 0;
}

static size_t esc_width(unsigned char c)
{
	return c == '\\' ? 2 : (c >= 0x20 && c < 0x7f) ? 1 : 4;
}

const char *log_escape(char *buf, size_t len, const void *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = s;
	size_t i, o = 0, total = 0, room;

	if (len < 4) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	for (i = 0; i < n && total < len; i++)
		total += esc_width(p[i]);
	/* When it does not all fit, stop where "..." still does. */
	room = total <= len - 1 ? len - 1 : len - 4;
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (o + esc_width(c) > room)
			break;
		if (esc_width(c) == 1) {
			buf[o++] = (char)c;
		} else if (c == '\\') {
			buf[o++] = '\\';
			buf[o++] = '\\';
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
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
