/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * datapath.h - the BPF object in the kernel: its maps pinned under the pin
 * dir (adopted when they are already there, so a restart keeps live
 * sessions), the XDP program attached with libxdp, and the new-session
 * events ring buffer.
 *
 * Two skeleton instances share the maps.  The first loads only the maps
 * (the program's autoload is off), so the daemon can fill them before any
 * packet is balanced; the second is handed to libxdp, which loads the
 * program itself when it first attaches (as a dispatcher extension where the
 * kernel supports that, else as a plain XDP program), reusing the same maps.
 */
#ifndef MIP6LB_DATAPATH_H
#define MIP6LB_DATAPATH_H

#include <limits.h>
#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include <xdp/libxdp.h>
#include "dpmaps.h"
#include "config.h"

#define DP_PROG_NAME        "mip6lb_xdp"
#define DP_MAX_EVENT_SUBS   8

struct mip6lb;
struct bpf_object;
struct ring_buffer;

struct dp_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	enum xdp_attach_mode mode;   /* as attached (native, skb) */
	bool attached;
};

/* Called for every record of the events ring buffer. */
typedef void (*dp_event_cb)(const struct mip6lb_event *ev, void *arg);

struct datapath {
	char pin_dir[PATH_MAX];
	__u32 max_sessions;
	struct dp_sizes sizes;       /* the session tables' sizes */
	int lock_fd;                 /* flock on the pin dir: one daemon per pin dir */
	struct mip6lb *maps_skel;    /* maps only; its fds are dp->maps */
	struct mip6lb *prog_skel;    /* handed to libxdp */
	struct xdp_program *xprog;
	struct dp_maps maps;
	int n_adopted;               /* maps that were already pinned */
	struct dp_iface ifaces[CFG_MAX_IFACES];
	int n_ifaces;
	struct ring_buffer *events;
	struct {
		dp_event_cb cb;
		void *arg;
	} subs[DP_MAX_EVENT_SUBS];
	int n_subs;
	__u64 events_seen;
};

/* Make sure pin_dir exists on a bpf filesystem, mounting bpffs on
 * /sys/fs/bpf when nothing is mounted there. */
int bpffs_ensure(const char *pin_dir);

/*
 * Prepare an opened (not loaded) mip6lb object: size the sessions map and,
 * for every map, reuse PIN_DIR/<name> when it exists (after checking it is
 * compatible: type, key and value size, max_entries, flags) or set the pin
 * path so the load creates and pins it.  An incompatible pin is -EINVAL
 * with a message that names the map and says to use --flush.  *n_adopted
 * (may be NULL) counts the reused pins.
 */
int datapath_prepare_obj(struct bpf_object *obj, const char *pin_dir,
			 const struct dp_sizes *sizes, int *n_adopted);

/* Lock the pin dir, then load (creating and pinning, or adopting) every
 * map, the session tables sized by sizes.  dp->maps holds the fds
 * afterwards.  Nothing is attached. */
int datapath_open_sized(struct datapath *dp, const char *pin_dir, const struct dp_sizes *sizes);
/* The same with dp_sizes_default(max_sessions). */
int datapath_open(struct datapath *dp, const char *pin_dir, __u32 max_sessions);

/*
 * Attach the program to each interface with libxdp (mode: XDP_MODE_NATIVE,
 * XDP_MODE_SKB or XDP_MODE_UNSPEC) and add each one to tx_ports.  A
 * mip6lb_xdp left attached by an earlier daemon is replaced without a gap:
 * the new program is attached next to it when libxdp's dispatcher is in
 * use, then the old one detached; without the dispatcher it is swapped in
 * atomically (XDP_FLAGS_REPLACE); only for a change of mode is the old one
 * detached first.  On error, whatever this call attached is detached again.
 */
int datapath_attach(struct datapath *dp, const char (*ifaces)[IF_NAMESIZE], int n,
		    enum xdp_attach_mode mode);
/* Detach from every interface attach_ok'ed; pins stay. */
void datapath_detach(struct datapath *dp);
/* Free everything; the maps stay pinned. */
void datapath_close(struct datapath *dp);

/* Detach from ifindex every program named mip6lb_xdp except keep_id (0 =
 * none) and, when map_id is not 0, only those that use that map.  Returns
 * how many were detached, or a negative errno. */
int datapath_detach_stale(int ifindex, const char *ifname, __u32 keep_id, __u32 map_id);

/* --flush: detach every mip6lb_xdp that uses this pin dir's maps (on any
 * interface of this network namespace) or sits on one of ifaces, then
 * remove the pins and the pin dir.  Refuses (-EBUSY) while a daemon holds
 * the pin dir. */
int datapath_flush(const char *pin_dir, const char (*ifaces)[IF_NAMESIZE], int n_ifaces);

/* The events ring buffer: open it, poll its fd in the event loop, and call
 * every subscriber for each record. */
int datapath_events_open(struct datapath *dp);
int datapath_events_fd(const struct datapath *dp);
int datapath_events_consume(struct datapath *dp);
int datapath_events_subscribe(struct datapath *dp, dp_event_cb cb, void *arg);

/* CFG_XDP_* to libxdp's mode. */
enum xdp_attach_mode xdp_mode_from_cfg(int cfg_mode);

#endif
