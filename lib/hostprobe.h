/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * probe.h - what this host's kernel can do for mip6lb, found by trying it:
 * statfs on the pin dir, libbpf's feature probes (which load a tiny program
 * or create a tiny map), the netdev generic-netlink family for each
 * interface's XDP features, and seg6local/ip6tnl created for real in a
 * throwaway network namespace.  Nothing is guessed from /boot/config-*.
 *
 * Each probe_*() returns one result: a name, yes/no/unknown, whether
 * mip6lbd cannot run without it, and a one-line detail that names the
 * missing piece and what to do about it.  mip6lbctl probe prints them all;
 * mip6lbd runs the required ones before it loads anything.
 */
#ifndef MIP6LB_PROBE_H
#define MIP6LB_PROBE_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <linux/types.h>

enum probe_avail {
	PROBE_NO = 0,
	PROBE_YES,
	PROBE_UNKNOWN,
};

#define PROBE_NAME_LEN   64
#define PROBE_DETAIL_LEN 384

struct probe_result {
	char name[PROBE_NAME_LEN];      /* "bpffs", "map type lru_hash", ... */
	enum probe_avail avail;
	bool required;                  /* mip6lbd refuses to start without it */
	char ifname[IF_NAMESIZE];       /* native XDP rows only, else "" */
	char detail[PROBE_DETAIL_LEN];  /* what is there, or what is missing and what to do */
};

/* "yes", "no", "unknown". */
const char *probe_avail_name(enum probe_avail a);

/* The pin dir (or, while it does not exist yet, its nearest existing
 * parent) is on a bpf filesystem (statfs magic BPF_FS_MAGIC). */
struct probe_result probe_bpffs(const char *pin_dir);
/* Kernel BTF as libbpf finds it; required when the datapath object has
 * CO-RE relocations (it is built against the checked-in vmlinux.h). */
struct probe_result probe_btf(void);
/* The kernel loads an XDP program at all. */
struct probe_result probe_xdp_prog(void);
/* The kernel creates maps of this type (names the datapath's maps). */
struct probe_result probe_map_type(enum bpf_map_type type);
/* An XDP program may call this helper. */
struct probe_result probe_helper(enum bpf_func_id id);
/* Native (driver) XDP on ifname, from NETDEV_A_DEV_XDP_FEATURES (Linux
 * >= 6.3); unknown where the netdev family is missing.  Generic XDP works
 * on every interface once XDP programs load. */
struct probe_result probe_native_xdp(const char *ifname);
/* A seg6local End.DT6 route, and an ip6tnl device, created in a
 * throwaway network namespace (needs CAP_SYS_ADMIN; unknown otherwise). */
struct probe_result probe_seg6local_dt6(void);
struct probe_result probe_ip6tnl(void);
/* A TUN device (/dev/net/tun, TUNSETIFF), created and closed at once in
 * this namespace: mip6lbd's VIP device when announce = on
 * (loader/announce.h).  Optional: only announce needs it. */
struct probe_result probe_tun(void);

/* What the datapath object uses, read from the object itself: its maps'
 * distinct types and the helpers its code calls.  n_* are in/out (the
 * arrays' capacity, then the count).  *core gets its CO-RE relocations. */
int probe_datapath_uses(enum bpf_map_type *maps, int *n_maps, enum bpf_func_id *helpers,
			int *n_helpers, int *core);
/* "bpf_redirect_map" for BPF_FUNC_redirect_map, or NULL. */
const char *probe_helper_name(enum bpf_func_id id);

struct probe_list {
	struct probe_result *r;
	int n, cap;
};

/* Every probe: bpffs for pin_dir, BTF, XDP programs, each map type and
 * helper of the datapath, native XDP on each of ifaces, End.DT6, ip6tnl,
 * TUN. */
int probe_all(struct probe_list *l, const char *pin_dir, const char (*ifaces)[IF_NAMESIZE],
	      int n_ifaces);
void probe_list_free(struct probe_list *l);
/* Every required result is yes. */
bool probe_list_ok(const struct probe_list *l);

/*
 * mip6lbd's check before it loads anything: XDP programs, kernel BTF when
 * needed, the datapath's map types and helpers and, when native is set,
 * native XDP on each of ifaces that exists (one the kernel does not know
 * is left to the attach, which names it).  Returns 0, or -EOPNOTSUPP with
 * the first missing piece in *missing (its detail is the one line to log).
 */
int probe_required(const char (*ifaces)[IF_NAMESIZE], int n_ifaces, bool native,
		   struct probe_result *missing);

#endif
