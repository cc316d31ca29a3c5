/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* strparse.h - strict parsers for the text forms the config file, the CLI
 * and the control socket share.  Each takes the whole string: trailing junk
 * is an error, never silently ignored. */
#ifndef MIP6LB_PARSE_UTIL_H
#define MIP6LB_PARSE_UTIL_H

#include <stdbool.h>
#include <linux/types.h>
#include <netinet/in.h>

/* Decimal integer in min..max.  -EINVAL when s is not a plain decimal
 * number (no sign, no hex, no spaces), -ERANGE when it is out of range. */
int parse_u32(const char *s, __u32 min, __u32 max, __u32 *out);

/* A size in bytes: a decimal number, optionally followed by K, M or G
 * (binary: 1K = 1024), as "4M" or "262144".  Errors as parse_u32(), the
 * range checked after the multiplier. */
int parse_size(const char *s, __u32 min, __u32 max, __u32 *out);

/* "02:00:00:00:00:01": six colon-separated pairs of hex digits. */
int parse_mac(const char *s, __u8 mac[6]);

/* "2001:db8::/48".  The length is required and must be 0..128; host bits
 * are left as given (callers that need a clean prefix check them). */
int parse_prefix6(const char *s, struct in6_addr *addr, int *plen);
/* Whether a has any bit set past the first plen (a prefix that is not
 * clean). */
bool prefix6_host_bits_set(const struct in6_addr *a, int plen);

/* "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:5400".  A bare address
 * cannot carry a port (its colons would be ambiguous); without a port,
 * *port = default_port.  Port 0 is rejected. */
int parse_hostport6(const char *s, struct in6_addr *addr, __u16 *port, __u16 default_port);

#endif
