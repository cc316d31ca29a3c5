// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * find.c - which interface runs mip6lb_decap, and its maps.
 *
 * A program counts as ours when its name is mip6lb_decap and it uses maps
 * named decap_addrs and decap_counters: the name alone could be anyone's,
 * and the maps are what every command needs anyway.  The search goes
 * through libxdp, which lists a dispatcher's component programs as well as
 * a single legacy program, so status works without any pin.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "names.h"
#include "decap.h"
#include "log.h"

/* Names for every enum mip6lb_decap_counter, keyed by the enum so that a
 * counter added to mip6lb.h anywhere in the list cannot shift the others;
 * a counter without a name here prints as counter_N (and the tests fail). */
static const char *const counter_names[MIP6LB_DCNT_MAX] = {
	[MIP6LB_DCNT_RX]                 = "rx",
	[MIP6LB_DCNT_DECAPSULATED]       = "decapsulated",
	[MIP6LB_DCNT_PASS_NOT_IPV6]      = "pass_not_ipv6",
	[MIP6LB_DCNT_PASS_NOT_OURS]      = "pass_not_ours",
	[MIP6LB_DCNT_PASS_NOT_TUNNEL]    = "pass_not_tunnel",
	[MIP6LB_DCNT_DROP_TRUNCATED]     = "drop_truncated",
	[MIP6LB_DCNT_DROP_BAD_LENGTH]    = "drop_bad_length",
	[MIP6LB_DCNT_DROP_INNER_NOT_IPV6] = "drop_inner_not_ipv6",
	[MIP6LB_DCNT_DROP_NESTED]        = "drop_nested",
	[MIP6LB_DCNT_DROP_MALFORMED]     = "drop_malformed",
	[MIP6LB_DCNT_DROP_ECN]           = "drop_ecn",
	[MIP6LB_DCNT_DROP_ERROR]         = "drop_error",
};

const char *decap_counter_name(int counter)
{
	static char buf[32];

	if (counter >= 0 && counter < MIP6LB_DCNT_MAX && counter_names[counter])
		return counter_names[counter];
	snprintf(buf, sizeof(buf), "counter_%d", counter);
	return buf;
}

int decap_addr_check(const struct in6_addr *a, const char **why)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;

	/* The outer destination of a unicast tunnel: none of these can be
	 * one (RFC 4291 §2.5.2, §2.5.3, §2.5.5.2, §2.7), and a mapped
	 * address would mean an IPv4 destination, which ip6ip6 never has. */
	if (!memcmp(a, &any, sizeof(*a)))
		*why = "the unspecified address";
	else if (IN6_IS_ADDR_LOOPBACK(a))
		*why = "the loopback address";
	else if (IN6_IS_ADDR_MULTICAST(a))
		*why = "a multicast address";
	else if (IN6_IS_ADDR_V4MAPPED(a))
		*why = "an IPv4-mapped address";
	else
		return 0;
	return -EINVAL;
}

void decap_found_init(struct decap_found *f)
{
	memset(f, 0, sizeof(*f));
	f->prog_fd = f->addrs_fd = f->counters_fd = -1;
}

void decap_found_close(struct decap_found *f)
{
	if (f->prog_fd >= 0)
		close(f->prog_fd);
	if (f->addrs_fd >= 0)
		close(f->addrs_fd);
	if (f->counters_fd >= 0)
		close(f->counters_fd);
	decap_found_init(f);
}

/* Open the program by id and its two maps by name; 1 when it is ours. */
static int match(struct xdp_program *p, struct decap_found *f)
{
	struct bpf_prog_info info = {};
	struct bpf_map_info minfo;
	__u32 len = sizeof(info), ids[16], i, n;
	int fd, mfd, err;

	if (!p || strcmp(xdp_program__name(p), DECAP_PROG_NAME))
		return 0;
	fd = bpf_prog_get_fd_by_id(xdp_program__id(p));
	if (fd < 0) {
		err = -errno;
		pr_err("program %s (id %u): %s", DECAP_PROG_NAME, xdp_program__id(p), strerror(-err));
		return err;
	}
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		pr_err("program %s (id %u): reading its info: %s", DECAP_PROG_NAME,
		       xdp_program__id(p), strerror(-err));
		close(fd);
		return err;
	}
	n = info.nr_map_ids < sizeof(ids) / sizeof(ids[0]) ? info.nr_map_ids
							   : sizeof(ids) / sizeof(ids[0]);
	for (i = 0; i < n; i++) {
		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		len = sizeof(minfo);
		if (bpf_obj_get_info_by_fd(mfd, &minfo, &len)) {
			close(mfd);
			continue;
		}
		if (!strcmp(minfo.name, DECAP_MAP_ADDRS) && f->addrs_fd < 0) {
			f->addrs_fd = mfd;
			f->addrs_id = minfo.id;
		} else if (!strcmp(minfo.name, DECAP_MAP_CNTS) && f->counters_fd < 0) {
			f->counters_fd = mfd;
			f->counters_id = minfo.id;
		} else {
			close(mfd);
		}
	}
	if (f->addrs_fd < 0 || f->counters_fd < 0) {
		/* Someone else's program with our name. */
		pr_debug("program %s (id %u) lacks %s or %s: not ours", DECAP_PROG_NAME,
			 info.id, DECAP_MAP_ADDRS, DECAP_MAP_CNTS);
		close(fd);
		decap_found_close(f);
		return 0;
	}
	f->prog_fd = fd;
	f->prog_id = info.id;
	return 1;
}

int decap_find(int ifindex, const char *ifname, struct decap_found *f)
{
	struct xdp_program *p = NULL;
	struct xdp_multiprog *mp;
	int err, r = 0;

	decap_found_init(f);
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err == -ENOENT || (!err && !mp))
		return 0;       /* no XDP program at all */
	if (err) {
		pr_err("interface %s: reading its XDP programs: %s", ifname, strerror(-err));
		return err;
	}
	if (xdp_multiprog__is_legacy(mp)) {
		r = match(xdp_multiprog__main_prog(mp), f);
	} else {
		while (!r && (p = xdp_multiprog__next_prog(p, mp)))
			r = match(p, f);
	}
	if (r > 0) {
		f->ifindex = ifindex;
		snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
		f->mode = xdp_multiprog__attach_mode(mp);
		f->legacy = xdp_multiprog__is_legacy(mp);
	}
	xdp_multiprog__close(mp);
	return r;
}

void decap_describe_xdp(int ifindex, char *buf, size_t len, bool *is_dispatcher)
{
	struct xdp_program *p = NULL;
	struct xdp_multiprog *mp;
	size_t used = 0;

	buf[0] = '\0';
	*is_dispatcher = false;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp) || !mp)
		return;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p)
			snprintf(buf, len, "'%s' (id %u, %s mode)", xdp_program__name(p),
				 xdp_program__id(p), xdp_attach_mode_name(xdp_multiprog__attach_mode(mp)));
	} else {
		*is_dispatcher = true;
		while ((p = xdp_multiprog__next_prog(p, mp)) && used < len)
			used += snprintf(buf + used, len - used, "%s'%s' (id %u)", used ? ", " : "",
					 xdp_program__name(p), xdp_program__id(p));
		if (used < len)
			snprintf(buf + used, len - used, "%slibxdp's dispatcher, %s mode",
				 used ? " in " : "", xdp_attach_mode_name(xdp_multiprog__attach_mode(mp)));
	}
	xdp_multiprog__close(mp);
}

int decap_pin_dir(const char *given, const char *ifname, char *buf, size_t len)
{
	int n = given ? snprintf(buf, len, "%s", given)
		      : snprintf(buf, len, "%s/%s", DECAP_PIN_ROOT, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

__u32 decap_pinned_map_id(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

int decap_read_addrs(int fd, struct in6_addr *out, int max)
{
	struct mip6lb_decap_addr key, next;
	void *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (n == max)
			return -E2BIG;
		out[n++] = next.addr;
		key = next;
		prev = &key;
	}
	if (errno != ENOENT)
		return -errno;
	return n;
}

int decap_read_counters(int fd, struct mip6lb_decap_counters *out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	struct mip6lb_decap_counters *percpu;
	int ncpus, cpu, i, err = 0;

	memset(out, 0, sizeof(*out));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(*out))
		return -EPROTO;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		return ncpus;
	/* A per-CPU value is each CPU's copy in turn, each rounded up to
	 * 8 bytes; the struct is all __u64, so no padding between them. */
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, percpu)) {
		err = -errno;
		goto out;
	}
	for (cpu = 0; cpu < ncpus; cpu++) {
		for (i = 0; i < MIP6LB_DCNT_MAX; i++) {
			out->c[i].packets += percpu[cpu].c[i].packets;
			out->c[i].bytes += percpu[cpu].c[i].bytes;
		}
	}
out:
	free(percpu);
	return err;
}
