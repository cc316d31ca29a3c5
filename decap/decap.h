/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * decap.h - mip6lb-decap, the tool that attaches the backends' ip6ip6
 * decapsulator (bpf/decap.bpf.c) and reports on it.
 *
 * The tool keeps no state of its own: every command finds the program by
 * asking the interface which XDP program it runs (libxdp sees through its
 * dispatcher), and reaches the maps through that program's map ids.  The
 * pins are for bpftool and scripts; nothing here depends on them.
 */
#ifndef MIP6LB_DECAP_H
#define MIP6LB_DECAP_H

#include <stdbool.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/types.h>
#include <xdp/libxdp.h>
#include "mip6lb.h"

#define DECAP_TOOL      "mip6lb-decap"
#define DECAP_PROG_NAME "mip6lb_decap"           /* SEC("xdp") in decap.bpf.c */
#define DECAP_MAP_ADDRS "decap_addrs"
#define DECAP_MAP_CNTS  "decap_counters"
#define DECAP_PIN_ROOT  "/sys/fs/bpf/mip6lb-decap" /* + "/<ifname>" */

enum { DECAP_EXIT_OK = 0, DECAP_EXIT_ERR = 1, DECAP_EXIT_USAGE = 2 };

/* The parsed command line. */
struct decap_opts {
	bool json;
	int verbose;
	const char *dev;             /* NULL: every interface (status) */
	const char *pin_dir;         /* NULL: DECAP_PIN_ROOT/<dev> */
	enum xdp_attach_mode mode;   /* XDP_MODE_UNSPEC: auto */
	bool mode_given;
	struct in6_addr addrs[MIP6LB_DECAP_MAX_ADDRS];
	int n_addrs;
};

/* mip6lb_decap as found on one interface. */
struct decap_found {
	int ifindex;
	char ifname[IF_NAMESIZE];
	enum xdp_attach_mode mode;   /* XDP_MODE_NATIVE or XDP_MODE_SKB */
	bool legacy;                 /* the interface's only program, no dispatcher */
	__u32 prog_id, addrs_id, counters_id;
	int prog_fd, addrs_fd, counters_fd;
};

/* ---- find.c: the program on an interface, its maps and pins ----------- */

void decap_found_init(struct decap_found *f);
void decap_found_close(struct decap_found *f);
/* 1 and *f filled when ifindex runs mip6lb_decap, 0 when it does not,
 * negative errno on failure (logged). */
int decap_find(int ifindex, const char *ifname, struct decap_found *f);
/* Describe what else runs on ifindex ("'name' (id N)", comma-separated;
 * "" when nothing); *is_dispatcher says whether libxdp's dispatcher holds
 * it (and so another program can join). */
void decap_describe_xdp(int ifindex, char *buf, size_t len, bool *is_dispatcher);
/* DIR given, or DECAP_PIN_ROOT/ifname. */
int decap_pin_dir(const char *given, const char *ifname, char *buf, size_t len);
/* Id of the map pinned at path, or 0 when there is none. */
__u32 decap_pinned_map_id(const char *path);

/* Addresses in the map (up to max), or negative errno. */
int decap_read_addrs(int fd, struct in6_addr *out, int max);
/* The counters summed over every CPU; -EPROTO when the map's value is not
 * this build's struct mip6lb_decap_counters (another build's program). */
int decap_read_counters(int fd, struct mip6lb_decap_counters *out);
/* "decapsulated", "drop_ecn", ... for enum mip6lb_decap_counter. */
const char *decap_counter_name(int counter);

/* 0 when a may be a decap address; else -EINVAL and *why says which class
 * of address it is. */
int decap_addr_check(const struct in6_addr *a, const char **why);

/* ---- the commands: an exit code each ----------------------------------- */

int cmd_attach(const struct decap_opts *o);
int cmd_detach(const struct decap_opts *o);
int cmd_addr_add(const struct decap_opts *o);
int cmd_addr_del(const struct decap_opts *o);
int cmd_status(const struct decap_opts *o);

#endif
