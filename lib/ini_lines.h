/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ini_lines.h - what mip6lbd's config.c and mip6lb-agent's agent_config.c
 * share around libinih: a line reader that counts lines, the
 * "FILE:LINE: message" error, and the checks every section header, key and
 * key_file gets in both files.
 *
 * Line numbers: Debian's libinih is built without INI_HANDLER_LINENO, and
 * compile-time options of a shared library cannot be changed, so inih reads
 * through our own line reader (ini_parse_stream), which counts lines.  The
 * reader also hands each section header to the caller as it passes: inih
 * only reports a section once a key in it arrives, and an empty [service x]
 * or a misspelled [servcie x] must still be caught, at its own line.
 */
#ifndef MIP6LB_INI_LINES_H
#define MIP6LB_INI_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <ini.h>

/* The longest key_file ini_lines_read_key() takes. */
#define INI_LINES_KEY_MAX 66

/* One parse: embedded in the caller's parser state. */
struct ini_lines {
	const char *file;            /* for messages */
	const char *basedir;         /* for a relative file name; NULL = cwd */
	char *err;                   /* the message, may be NULL */
	size_t errlen;
	int rc;                      /* the reported error, 0 = none yet */
	int err_line;
	const char *pos;             /* reader cursor in the text */
	int lineno;                  /* of the line inih is working on */
	/* Gets each line that starts with '[', de-indented, before inih does;
	 * nonzero stops the parse (the error is reported by then). */
	int (*section)(void *user, const char *line);
	void *user;
};

/* Start a parse of text (a C string); empties err. */
void ini_lines_init(struct ini_lines *in, const char *text, const char *file,
		    const char *basedir, char *err, size_t errlen);

/* Run inih over the text: section() sees each header line, on_key() each
 * key; both get user.  The first error stops the parse.  Returns in->rc. */
int ini_lines_parse(struct ini_lines *in, int (*section)(void *user, const char *line),
		    ini_handler on_key, void *user);

/* Report rc at line as "FILE:LINE: message".  The error at the earliest
 * line is kept: validation runs every check, and the first line a user has
 * to fix is the useful one.  Returns in->rc. */
int __attribute__((format(printf, 4, 5)))
ini_lines_fail(struct ini_lines *in, int line, int rc, const char *fmt, ...);

/* -EINVAL at the current line: "KEY = 'VAL': why". */
int __attribute__((format(printf, 4, 5)))
ini_lines_bad(struct ini_lines *in, const char *key, const char *val, const char *fmt, ...);

/* val as a decimal integer in min..max, or ini_lines_bad(). */
int ini_lines_num(struct ini_lines *in, const char *key, const char *val, __u32 min, __u32 max,
		  __u32 *out);

/* line is a header line (it starts with '[').  Checks its syntax and
 * splits the text between the brackets, copied to hdr (hdrlen bytes), into
 * words.  Returns how many (max + 1 when there are more than max), or -1
 * after reporting what is wrong. */
int ini_lines_header(struct ini_lines *in, const char *line, char *hdr, size_t hdrlen,
		     char **words, int max);

/* The name in a header: 1..size-1 of A-Z a-z 0-9 . _ -; 0 or the error. */
int ini_lines_name(struct ini_lines *in, const char *name, size_t size);

/* The checks every key gets before its value's: that there is a section
 * (sec_name is NULL before the first header), that the key is known in it
 * (first_line is the key's slot in the section, NULL for an unknown key)
 * and that it is not given twice unless repeatable.  Records the line the
 * key was first given at.  0 or the error. */
int ini_lines_key(struct ini_lines *in, const char *sec_name, const char *key, int *first_line,
		  bool repeatable);

/* Grow *arr (n elements of size bytes used, *cap allocated) so that it
 * has room for one more, zeroed.  Always copy and wipe, never realloc:
 * peers hold keys, and realloc would leave copies in freed memory. */
int ini_lines_grow(struct ini_lines *in, void **arr, int n, int *cap, size_t size);

/* The file named by key = val, relative to basedir unless absolute:
 * malloc()ed, or NULL after reporting the error. */
char *ini_lines_path(struct ini_lines *in, const char *key, const char *val);

/*
 * Read a whole config file into *out (malloc()ed, NUL-terminated).  It is
 * opened so that nothing blocks (O_NONBLOCK: a FIFO does not wait for a
 * writer) and must be a regular file of at most max bytes, read no further
 * than that.  0, or a negative errno with err = "PATH: not a regular
 * file", "PATH: file too large (N bytes, limit 16 MiB)", "PATH:LINE:
 * contains a NUL byte ..." or "PATH: <strerror>".
 */
int ini_lines_read_file(const char *path, size_t max, char **out, char *err, size_t errlen);

/* Why a can never be an address a service, a backend or a listening
 * socket is reached at: "a loopback address", "a link-local address",
 * "an IPv4-mapped address", ...; NULL when it can.  flags allow what the
 * caller's key can take (INI_ADDR_*). */
#define INI_ADDR_ANY        (1U << 0)   /* ::, to listen on every address */
#define INI_ADDR_LOOPBACK   (1U << 1)   /* ::1 */
#define INI_ADDR_LINKLOCAL  (1U << 2)   /* fe80::/10, when a scope is given elsewhere */
const char *ini_lines_addr_why(const struct in6_addr *a, unsigned int flags);

/* Read the key in path, now and once: a regular file (opened as
 * ini_lines_read_file() opens one) no group or other may access, of min..max bytes (max <= INI_LINES_KEY_MAX), into key.
 * min = 0: no length check here, the caller decides what the bytes mean;
 * up to max + 1 bytes are read (key must hold max + 1) so that a file
 * that is too long is seen as such (*len = max + 1).
 * 0 or the error, reported as "key_file PATH: ...". */
int ini_lines_read_key(struct ini_lines *in, const char *path, __u8 *key, size_t min,
		       size_t max, __u32 *len);

#endif
