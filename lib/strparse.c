// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "strparse.h"

int parse_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts leading spaces, a sign and wraps "-1" to
	 * ULLONG_MAX; a config value "-1" must be an error instead. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = (__u32)v;
	return 0;
}

int parse_size(const char *s, __u32 min, __u32 max, __u32 *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > (~0ULL >> shift))
		return -ERANGE;
	v <<= shift;
	if (v < min || v > max)
		return -ERANGE;
	*out = (__u32)v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int parse_mac(const char *s, __u8 mac[6])
{
	__u8 tmp[6];
	int i, hi, lo;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 6; i++, s += 3) {
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		tmp[i] = (__u8)(hi << 4 | lo);
	}
	memcpy(mac, tmp, 6);
	return 0;
}

bool prefix6_host_bits_set(const struct in6_addr *a, int plen)
{
	int i;

	for (i = plen; i < 128; i++)
		if (a->s6_addr[i / 8] & (0x80 >> (i % 8)))
			return true;
	return false;
}

int parse_prefix6(const char *s, struct in6_addr *addr, int *plen)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash;
	struct in6_addr a;
	__u32 len;

	if (!s || !(slash = strchr(s, '/')) || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET6, buf, &a) != 1 || parse_u32(slash + 1, 0, 128, &len))
		return -EINVAL;
	*addr = a;
	*plen = (int)len;
	return 0;
}

int parse_hostport6(const char *s, struct in6_addr *addr, __u16 *port, __u16 default_port)
{
	char buf[INET6_ADDRSTRLEN];
	const char *close;
	struct in6_addr a;
	__u32 p = default_port;

	if (!s)
		return -EINVAL;
	if (*s != '[') {
		if (inet_pton(AF_INET6, s, &a) != 1)
			return -EINVAL;
	} else {
		close = strchr(s, ']');
		if (!close || (size_t)(close - s - 1) >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s + 1, close - s - 1);
		buf[close - s - 1] = '\0';
		if (inet_pton(AF_INET6, buf, &a) != 1)
			return -EINVAL;
		if (close[1] == ':') {
			if (parse_u32(close + 2, 1, 65535, &p))
				return -EINVAL;
		} else if (close[1]) {
			return -EINVAL;
		}
	}
	if (!p)
		return -EINVAL;
	*addr = a;
	*port = (__u16)p;
	return 0;
}
