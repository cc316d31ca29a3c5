// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ini_lines.c - the libinih glue mip6lbd's config.c and mip6lb-agent's
 * agent_config.c share (see ini_lines.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ini_lines.h"
#include "strparse.h"

void ini_lines_init(struct ini_lines *in, const char *text, const char *file,
		    const char *basedir, char *err, size_t errlen)
{
	memset(in, 0, sizeof(*in));
	in->file = file;
	in->basedir = basedir;
	in->err = err;
	in->errlen = errlen;
	in->pos = text;
	if (err && errlen)
		err[0] = '\0';
}

int ini_lines_fail(struct ini_lines *in, int line, int rc, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (in->rc && in->err_line <= line)
		return in->rc;
	in->rc = rc;
	in->err_line = line;
	if (!in->err || !in->errlen)
		return rc;
	off = snprintf(in->err, in->errlen, "%s:%d: ", in->file, line);
	if (off >= 0 && (size_t)off < in->errlen) {
		va_start(ap, fmt);
		vsnprintf(in->err + off, in->errlen - off, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int ini_lines_bad(struct ini_lines *in, const char *key, const char *val, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return ini_lines_fail(in, in->lineno, -EINVAL, "%s = '%s': %s", key, val, why);
}

int ini_lines_num(struct ini_lines *in, const char *key, const char *val, __u32 min, __u32 max,
		  __u32 *out)
{
	if (parse_u32(val, min, max, out))
		return ini_lines_bad(in, key, val, "expected an integer in %u..%u", min, max);
	return 0;
}

static char *read_line(char *buf, int num, void *user)
{
	struct ini_lines *in = user;
	const char *p = in->pos, *nl;
	size_t len;

	/* Returning EOF on the first error stops inih there, so no later
	 * line can report something that the first error caused. */
	if (in->rc || !*p)
		return NULL;
	nl = strchr(p, '\n');
	len = nl ? (size_t)(nl - p) + 1 : strlen(p);
	in->pos += len;
	in->lineno++;
	if (in->lineno == 1 && len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3, len -= 3;
	/* inih would take an indented line after a key as a continuation of
	 * that key's value (the distro build has INI_ALLOW_MULTILINE on), so an
	 * indented key would silently be appended to the previous value. */
	while (len && (*p == ' ' || *p == '\t'))
		p++, len--;
	if (len + 1 > (size_t)num) {
		ini_lines_fail(in, in->lineno, -EINVAL, "line too long (at most %d characters)",
			       num - 3);
		return NULL;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (buf[0] == '[' && in->section(in->user, buf))
		return NULL;
	return buf;
}

int ini_lines_parse(struct ini_lines *in, int (*section)(void *user, const char *line),
		    ini_handler on_key, void *user)
{
	int ret;

	in->section = section;
	in->user = user;
	ret = ini_parse_stream(read_line, in, on_key, user);
	if (ret > 0)
		ini_lines_fail(in, ret, -EINVAL, "expected '[section]' or 'key = value'");
	else if (ret < 0)
		ini_lines_fail(in, in->lineno, -ENOMEM, "inih failed (%d)", ret);
	return in->rc;
}

int ini_lines_header(struct ini_lines *in, const char *line, char *hdr, size_t hdrlen,
		     char **words, int max)
{
	const char *end = strchr(line, ']'), *rest;
	char *t, *save = NULL;
	int n = 0;

	if (!end) {
		ini_lines_fail(in, in->lineno, -EINVAL, "section header without ']'");
		return -1;
	}
	for (rest = end + 1; *rest == ' ' || *rest == '\t' || *rest == '\r'; rest++)
		;
	if (*rest && *rest != '\n' && *rest != ';' && *rest != '#') {
		ini_lines_fail(in, in->lineno, -EINVAL, "text after the section header");
		return -1;
	}
	if ((size_t)(end - line) > hdrlen) {
		ini_lines_fail(in, in->lineno, -EINVAL, "section header too long");
		return -1;
	}
	memcpy(hdr, line + 1, end - line - 1);
	hdr[end - line - 1] = '\0';
	for (t = strtok_r(hdr, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		words[n++] = t;
	}
	return n;
}

int ini_lines_name(struct ini_lines *in, const char *name, size_t size)
{
	size_t n = strlen(name);

	if (n && n < size &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n)
		return 0;
	return ini_lines_fail(in, in->lineno, -EINVAL, "bad name '%s': 1..%zu of A-Z a-z 0-9 . _ -",
			      name, size - 1);
}

int ini_lines_key(struct ini_lines *in, const char *sec_name, const char *key, int *first_line,
		  bool repeatable)
{
	if (!sec_name)
		return ini_lines_fail(in, in->lineno, -EINVAL, "'%s' is outside any section", key);
	if (!first_line)
		return ini_lines_fail(in, in->lineno, -EINVAL, "unknown key '%s' in [%s]", key,
				      sec_name);
	if (*first_line && !repeatable)
		return ini_lines_fail(in, in->lineno, -EINVAL,
				      "'%s' given twice in this section (first at line %d)", key,
				      *first_line);
	if (!*first_line)
		*first_line = in->lineno;
	return 0;
}

int ini_lines_grow(struct ini_lines *in, void **arr, int n, int *cap, size_t size)
{
	int ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	p = calloc(ncap, size);
	if (!p)
		return ini_lines_fail(in, in->lineno, -ENOMEM, "out of memory");
	if (*arr) {
		memcpy(p, *arr, n * size);
		explicit_bzero(*arr, n * size);
		free(*arr);
	}
	*arr = p;
	*cap = ncap;
	return 0;
}

char *ini_lines_path(struct ini_lines *in, const char *key, const char *val)
{
	char *path;

	if (!*val) {
		ini_lines_bad(in, key, val, "expected a file name");
		return NULL;
	}
	if (val[0] != '/' && in->basedir) {
		if (asprintf(&path, "%s/%s", in->basedir, val) < 0)
			path = NULL;
	} else {
		path = strdup(val);
	}
	if (!path)
		ini_lines_fail(in, in->lineno, -ENOMEM, "out of memory");
	return path;
}

/* open_regular()'s answer for a file that opened but is not a regular
 * file: outside the errno range, so no open() or fstat() error reads as it. */
#define NOT_REGULAR 4096

/* Both files and keys: O_NONBLOCK so that opening a FIFO (or a device)
 * returns at once instead of waiting for a writer; the type is checked on
 * the descriptor before any read, so nothing but a regular file is read. */
static int open_regular(const char *path, struct stat *sb)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, sb)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (!S_ISREG(sb->st_mode)) {
		close(fd);
		return -NOT_REGULAR;
	}
	return fd;
}

/* Read up to max bytes of fd into buf; *len gets how many.  0 or -errno. */
static int read_upto(int fd, void *buf, size_t max, size_t *len)
{
	ssize_t r;

	*len = 0;
	while (*len < max) {
		r = read(fd, (char *)buf + *len, max - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		*len += r;
	}
	return 0;
}

static void size_text(char *buf, size_t len, size_t bytes)
{
	if (bytes >= (1U << 20) && !(bytes % (1U << 20)))
		snprintf(buf, len, "%zu MiB", bytes >> 20);
	else if (bytes >= 1024 && !(bytes % 1024))
		snprintf(buf, len, "%zu KiB", bytes >> 10);
	else
		snprintf(buf, len, "%zu bytes", bytes);
}

int ini_lines_read_file(const char *path, size_t max, char **out, char *err, size_t errlen)
{
	char *buf = NULL, *nb, limit[32];
	size_t len, cap, got;
	const char *nul;
	struct stat sb;
	int fd, rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	fd = open_regular(path, &sb);
	if (fd < 0) {
		rc = fd == -NOT_REGULAR ? -EINVAL : fd;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path,
				 fd == -NOT_REGULAR ? "not a regular file" : strerror(-fd));
		return rc;
	}
	size_text(limit, sizeof(limit), max);
	if ((__u64)sb.st_size > max) {
		if (err && errlen)
			snprintf(err, errlen, "%s: file too large (%llu bytes, limit %s)", path,
				 (unsigned long long)sb.st_size, limit);
		close(fd);
		return -EFBIG;
	}
	/* Sized by st_size, but read to the end and grown up to one byte past
	 * the limit: a file that grows under us is still caught. */
	cap = (size_t)sb.st_size + 2;
	len = 0;
	for (;;) {
		nb = realloc(buf, cap);
		if (!nb) {
			rc = -ENOMEM;
			goto fail;
		}
		buf = nb;
		rc = read_upto(fd, buf + len, cap - 1 - len, &got);
		if (rc)
			goto fail;
		len += got;
		if (len < cap - 1 || len > max)
			break;
		cap = cap * 2 < max + 2 ? cap * 2 : max + 2;
	}
	if (len > max) {
		if (err && errlen)
			snprintf(err, errlen, "%s: file too large (over %zu bytes, limit %s)", path,
				 max, limit);
		rc = -EFBIG;
		goto out;
	}
	buf[len] = '\0';
	/* The parser works on C strings; a NUL would hide the rest.  The
	 * line is counted as the parser would count it. */
	nul = memchr(buf, '\0', len);
	if (nul) {
		const char *p;
		int line = 1;

		for (p = buf; p < nul; p++)
			line += *p == '\n';
		if (err && errlen)
			snprintf(err, errlen, "%s:%d: contains a NUL byte; a config file is text",
				 path, line);
		rc = -EINVAL;
		goto out;
	}
	close(fd);
	*out = buf;
	return 0;
fail:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
out:
	free(buf);
	close(fd);
	return rc;
}

const char *ini_lines_addr_why(const struct in6_addr *a, unsigned int flags)
{
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return flags & INI_ADDR_ANY ? NULL : "the unspecified address";
	if (IN6_IS_ADDR_LOOPBACK(a))
		return flags & INI_ADDR_LOOPBACK ? NULL : "a loopback address";
	if (IN6_IS_ADDR_MULTICAST(a))
		return "a multicast address";
	/* A config line has no %scope, and the same fe80:: address is on
	 * every link. */
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return flags & INI_ADDR_LINKLOCAL ? NULL :
		       "a link-local address, and nothing here says on which link";
	/* ::ffff:a.b.c.d is an IPv4 socket's address: no IPv6 packet carries
	 * it, and an IPv6-only socket cannot bind it. */
	if (IN6_IS_ADDR_V4MAPPED(a))
		return "an IPv4-mapped address (::ffff:a.b.c.d), which no IPv6 packet carries";
	if (IN6_IS_ADDR_V4COMPAT(a))
		return "an IPv4-compatible address (::a.b.c.d, deprecated by RFC 4291)";
	return NULL;
}

static int key_fail(struct ini_lines *in, const char *path, int rc)
{
	return ini_lines_fail(in, in->lineno, rc, "key_file %s: %s", path, strerror(-rc));
}

int ini_lines_read_key(struct ini_lines *in, const char *path, __u8 *key, size_t min,
		       size_t max, __u32 *len_out)
{
	__u8 buf[INI_LINES_KEY_MAX + 1];
	size_t len = 0;
	struct stat sb;
	int fd, rc = 0;

	if (max > INI_LINES_KEY_MAX)
		return ini_lines_fail(in, in->lineno, -EINVAL, "key_file %s: keys of over %d bytes",
				      path, INI_LINES_KEY_MAX);
	fd = open_regular(path, &sb);
	if (fd == -NOT_REGULAR)
		return ini_lines_fail(in, in->lineno, -EINVAL, "key_file %s: not a regular file",
				      path);
	if (fd < 0)
		return key_fail(in, path, fd);
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = ini_lines_fail(in, in->lineno, -EINVAL,
				    "key_file %s: mode %04o lets group or others at the key; chmod 600 it",
				    path, (unsigned int)(sb.st_mode & 07777));
		goto out;
	}
	/* Read one byte past the maximum instead of trusting st_size, so a
	 * file that grows under us is still caught as too long. */
	rc = read_upto(fd, buf, max + 1, &len);
	if (rc) {
		rc = key_fail(in, path, rc);
		goto out;
	}
	if (min && (len < min || len > max)) {
		rc = ini_lines_fail(in, in->lineno, -EINVAL,
				    "key_file %s: %s%zu bytes; a key is %zu..%zu bytes", path,
				    len > max ? "over " : "", len > max ? max : len, min, max);
		goto out;
	}
	memcpy(key, buf, len);
	*len_out = (__u32)len;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}
