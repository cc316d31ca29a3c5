// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * datapath.c - pins, adoption, libxdp attach/detach, events.
 *
 * Why not bpf_map__set_pin_path() for every map: libbpf < 1.2 compares a
 * pinned devmap's flags with the object's without masking BPF_F_RDONLY_PROG,
 * which the kernel adds to every devmap it creates, so tx_ports could never
 * be reused.  The daemon therefore checks each existing pin itself (with a
 * message that says what differs) and reuses it with bpf_map__reuse_fd();
 * only maps that are not pinned yet get a pin path, and the load pins them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "names.h"
#include "pindir.h"
#include "mip6lb.skel.h"
#include "datapath.h"
#include "log.h"
#include "hostprobe.h"

#define BPFFS_ROOT "/sys/fs/bpf"

enum xdp_attach_mode xdp_mode_from_cfg(int cfg_mode)
{
	switch (cfg_mode) {
	case CFG_XDP_NATIVE: return XDP_MODE_NATIVE;
	case CFG_XDP_GENERIC: return XDP_MODE_SKB;
	}
	return XDP_MODE_UNSPEC;
}

/* ---- bpffs and the pin dir ---------------------------------------------- */

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

int bpffs_ensure(const char *pin_dir)
{
	size_t rl = strlen(BPFFS_ROOT);
	int err;

	if (!strncmp(pin_dir, BPFFS_ROOT, rl) && (pin_dir[rl] == '/' || !pin_dir[rl]) &&
	    !is_bpffs(BPFFS_ROOT)) {
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, NULL)) {
			err = -errno;
			pr_err("no bpf filesystem on %s and mounting one failed: %s; "
			       "mount it (mount -t bpf bpf %s) or pass --pin-dir on a bpf filesystem",
			       BPFFS_ROOT, strerror(-err), BPFFS_ROOT);
			return err;
		}
		pr_info("mounted a bpf filesystem on %s", BPFFS_ROOT);
	}
	err = mkdir_p(pin_dir, 0700);
	if (err) {
		pr_err("pin dir %s: %s", pin_dir, strerror(-err));
		return err;
	}
	if (!is_bpffs(pin_dir)) {
		struct probe_result r = probe_bpffs(pin_dir);

		/* The probe's line names the filesystem and what to do. */
		pr_err("%s", r.avail == PROBE_NO ? r.detail : "pin dir is not on a bpffs mount");
		return -ENOTSUP;
	}
	return 0;
}

/* One daemon per pin dir; the kernel drops the lock when the holder dies,
 * kill -9 included. */
static int lock_pin_dir(const char *pin_dir, int *out)
{
	int fd, err;

	fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("pin dir %s: %s", pin_dir, strerror(-err));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		if (err == -EWOULDBLOCK) {
			pr_err("pin dir %s is in use by another mip6lbd", pin_dir);
			err = -EBUSY;
		} else {
			pr_err("pin dir %s: flock: %s", pin_dir, strerror(-err));
		}
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

/* ---- adoption ----------------------------------------------------------- */

/* Only these pins carry state that a restart must keep or refuse to lose;
 * every other map is rewritten from the config or is soft (counters,
 * per-CPU scratch), so a pin of another layout is replaced. */
static bool pin_must_match(const char *name)
{
	return !strcmp(name, "sessions") || !strcmp(name, "coa_sessions");
}

/* 0: the pin fits this object; -EINVAL: it does not, said (as an error for
 * a map that must match, else as a warning before it is replaced). */
static int check_pinned(struct bpf_map *map, int fd, const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	__u32 flags, want_flags = bpf_map__map_flags(map);
	const char *what = NULL;
	__u32 have = 0, want = 0;
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		pr_err("pinned map %s: cannot read its info: %s", path, strerror(-err));
		return err;
	}
	flags = info.map_flags;
	/* The kernel sets BPF_F_RDONLY_PROG on every devmap it creates. */
	if (info.type == BPF_MAP_TYPE_DEVMAP || info.type == BPF_MAP_TYPE_DEVMAP_HASH)
		flags &= ~BPF_F_RDONLY_PROG;
	if (info.type != bpf_map__type(map))
		what = "type", have = info.type, want = bpf_map__type(map);
	else if (info.key_size != bpf_map__key_size(map))
		what = "key size", have = info.key_size, want = bpf_map__key_size(map);
	else if (info.value_size != bpf_map__value_size(map))
		what = "value size", have = info.value_size, want = bpf_map__value_size(map);
	else if (info.max_entries != bpf_map__max_entries(map))
		what = "max_entries", have = info.max_entries, want = bpf_map__max_entries(map);
	else if (flags != want_flags)
		what = "flags", have = flags, want = want_flags;
	if (!what)
		return 0;
	if (!pin_must_match(bpf_map__name(map))) {
		pr_warn("pinned map %s has %s %u but this daemon needs %u (a pin of another "
			"version): replacing it", path, what, have, want);
		return -EINVAL;
	}
	pr_err("pinned map %s has %s %u but this daemon needs %u (the pins are from another "
	       "version or an older daemon.max_sessions or max_bindings); run 'mip6lbd --flush' to remove them "
	       "(live sessions are lost) or restore the old setting",
	       path, what, have, want);
	return -EINVAL;
}

/* No usable pin at path: the load creates the map and pins it there. */
static int pin_anew(struct bpf_map *map, const char *path)
{
	int err = bpf_map__set_pin_path(map, path);

	if (err)
		pr_err("map %s: pin path %s: %s", bpf_map__name(map), path, strerror(-err));
	return err;
}

/* The session tables' sizes, from the config. */
static int set_sizes(struct bpf_object *obj, const struct dp_sizes *sz)
{
	const struct { const char *name; __u32 n; } t[] = {
		{ "sessions", sz->sessions },
		{ "probation", sz->probation },
		{ "coa_sessions", sz->coa },
	};
	struct bpf_map *map;
	size_t i;
	int err;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		map = bpf_object__find_map_by_name(obj, t[i].name);
		if (!map) {
			pr_err("BPF object has no map '%s'", t[i].name);
			return -ENOENT;
		}
		err = bpf_map__set_max_entries(map, t[i].n);
		if (err) {
			pr_err("map %s: max_entries %u: %s", t[i].name, t[i].n, strerror(-err));
			return err;
		}
	}
	return 0;
}

int datapath_prepare_obj(struct bpf_object *obj, const char *pin_dir,
			 const struct dp_sizes *sizes, int *n_adopted)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int fd, err, n = 0;

	err = set_sizes(obj, sizes);
	if (err)
		return err;
	bpf_object__for_each_map(map, obj) {
		/* .rodata/.bss belong to one object, never shared. */
		if (bpf_map__is_internal(map))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(map)) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			if (err != -ENOENT) {
				pr_err("pinned map %s: %s", path, strerror(-err));
				return err;
			}
			err = pin_anew(map, path);
			if (err)
				return err;
			continue;
		}
		err = check_pinned(map, fd, path);
		if (err && !pin_must_match(bpf_map__name(map))) {
			close(fd);
			if (unlink(path) && errno != ENOENT) {
				err = -errno;
				pr_err("pinned map %s: %s", path, strerror(-err));
				return err;
			}
			err = pin_anew(map, path);
			if (err)
				return err;
			continue;
		}
		if (!err) {
			err = bpf_map__reuse_fd(map, fd);
			if (err)
				pr_err("pinned map %s: reuse: %s", path, strerror(-err));
		}
		close(fd);
		if (err)
			return err;
		n++;
	}
	if (n_adopted)
		*n_adopted = n;
	return 0;
}

int datapath_open(struct datapath *dp, const char *pin_dir, __u32 max_sessions)
{
	struct dp_sizes sz;

	dp_sizes_default(&sz, max_sessions);
	return datapath_open_sized(dp, pin_dir, &sz);
}

int datapath_open_sized(struct datapath *dp, const char *pin_dir, const struct dp_sizes *sizes)
{
	__u32 max_sessions = sizes->sessions;
	int err;

	memset(dp, 0, sizeof(*dp));
	dp->lock_fd = -1;
	dp_maps_init(&dp->maps);
	if (snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir) >= (int)sizeof(dp->pin_dir)) {
		pr_err("pin dir %s: %s", pin_dir, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	dp->max_sessions = max_sessions;
	dp->sizes = *sizes;
	err = lock_pin_dir(pin_dir, &dp->lock_fd);
	if (err)
		return err;

	dp->maps_skel = mip6lb__open();
	if (!dp->maps_skel) {
		err = -errno;
		pr_err("opening the BPF skeleton: %s", strerror(-err));
		goto err_unlock;
	}
	err = bpf_program__set_autoload(dp->maps_skel->progs.mip6lb_xdp, false);
	if (err) {
		pr_err("program %s: autoload: %s", DP_PROG_NAME, strerror(-err));
		goto err_destroy;
	}
	err = datapath_prepare_obj(dp->maps_skel->obj, pin_dir, sizes, &dp->n_adopted);
	if (err)
		goto err_destroy;
	err = mip6lb__load(dp->maps_skel);
	if (err) {
		pr_err("loading the BPF maps (pin dir %s): %s", pin_dir, strerror(-err));
		goto err_destroy;
	}
	err = dp_maps_from_object(&dp->maps, dp->maps_skel->obj);
	if (err)
		goto err_destroy;
	if (dp->n_adopted)
		pr_info("adopted %d pinned maps under %s", dp->n_adopted, pin_dir);
	else
		pr_info("created the maps and pinned them under %s", pin_dir);
	return 0;

err_destroy:
	mip6lb__destroy(dp->maps_skel);
	dp->maps_skel = NULL;
	dp_maps_init(&dp->maps);
err_unlock:
	close(dp->lock_fd);
	dp->lock_fd = -1;
	return err;
}

/* ---- attach ------------------------------------------------------------- */

static enum xdp_attach_mode attached_mode(int ifindex, enum xdp_attach_mode fallback)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	enum xdp_attach_mode mode = fallback;

	if (!libxdp_get_error(mp) && mp) {
		mode = xdp_multiprog__attach_mode(mp);
		xdp_multiprog__close(mp);
	}
	return mode;
}

static bool is_legacy(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	bool legacy = false;

	if (!libxdp_get_error(mp) && mp) {
		legacy = xdp_multiprog__is_legacy(mp);
		xdp_multiprog__close(mp);
	}
	return legacy;
}

/* Does the program at prog_fd use the map with id map_id? */
static bool prog_uses_map(int prog_fd, __u32 map_id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64], i;

	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return false;
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i] == map_id)
			return true;
	return false;
}

static bool is_stale(struct xdp_program *prog, __u32 keep_id, __u32 map_id)
{
	if (!prog || strcmp(xdp_program__name(prog), DP_PROG_NAME) ||
	    xdp_program__id(prog) == keep_id)
		return false;
	return !map_id || prog_uses_map(xdp_program__fd(prog), map_id);
}

int datapath_detach_stale(int ifindex, const char *ifname, __u32 keep_id, __u32 map_id)
{
	struct xdp_program *prog = NULL, *found[16];
	enum xdp_attach_mode mode;
	struct xdp_multiprog *mp;
	int n = 0, done = 0, i, err;

	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err || !mp)
		return 0;       /* nothing attached */
	mode = xdp_multiprog__attach_mode(mp);
	if (xdp_multiprog__is_legacy(mp)) {
		prog = xdp_multiprog__main_prog(mp);
		if (is_stale(prog, keep_id, map_id))
			found[n++] = prog;
	} else {
		while ((prog = xdp_multiprog__next_prog(prog, mp)) && n < 16)
			if (is_stale(prog, keep_id, map_id))
				found[n++] = prog;
	}
	for (i = 0; i < n; i++) {
		__u32 id = xdp_program__id(found[i]);

		err = xdp_program__detach(found[i], ifindex, mode, 0);
		if (err) {
			pr_err("interface %s: detaching the earlier %s (id %u): %s", ifname,
			       DP_PROG_NAME, id, strerror(-err));
			break;
		}
		pr_info("interface %s: detached the earlier %s (id %u)", ifname, DP_PROG_NAME, id);
		done++;
	}
	xdp_multiprog__close(mp);
	return err ? err : done;
}

/* Have libxdp load our program now, without attaching it: its test_run
 * loads a program that is not loaded yet, and an empty packet is refused
 * by the kernel before the program runs (so no counter moves). */
static int preload(struct datapath *dp)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (xdp_program__id(dp->xprog))
		return 0;
	xdp_program__test_run(dp->xprog, &opts, 0);
	if (!xdp_program__id(dp->xprog)) {
		pr_err("loading %s: %s", DP_PROG_NAME, strerror(EINVAL));
		return -EINVAL;
	}
	return 0;
}

/*
 * Without libxdp's dispatcher an interface holds one program, so an earlier
 * daemon's mip6lb_xdp cannot be joined, only replaced.  Detach-then-attach
 * would leave the interface without a balancer for as long as loading and
 * verifying the program takes (tens of milliseconds of lost traffic on a
 * restart); instead load ours first and swap it in with XDP_FLAGS_REPLACE,
 * which the kernel does atomically.  The replacement is a plain XDP
 * program, as the old one was; libxdp detaches it like any legacy program.
 * Returns -ENOENT when this does not apply (no earlier program, a
 * dispatcher, or another attach mode).
 */
static int replace_legacy(struct datapath *dp, struct dp_iface *ifc, enum xdp_attach_mode mode)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifc->ifindex);
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	enum xdp_attach_mode old_mode;
	struct xdp_program *old;
	__u32 old_id, flags;
	int err = -ENOENT;

	if (libxdp_get_error(mp) || !mp)
		return -ENOENT;
	old = xdp_multiprog__main_prog(mp);
	old_mode = xdp_multiprog__attach_mode(mp);
	if (!xdp_multiprog__is_legacy(mp) || !is_stale(old, 0, 0) ||
	    (old_mode != XDP_MODE_NATIVE && old_mode != XDP_MODE_SKB) ||
	    (mode != XDP_MODE_UNSPEC && mode != old_mode))
		goto out;
	err = preload(dp);
	if (err)
		goto out;
	old_id = xdp_program__id(old);
	opts.old_prog_fd = xdp_program__fd(old);
	flags = XDP_FLAGS_REPLACE |
		(old_mode == XDP_MODE_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE);
	err = bpf_xdp_attach(ifc->ifindex, xdp_program__fd(dp->xprog), flags, &opts);
	if (err) {
		err = -errno;
		pr_warn("interface %s: replacing the earlier %s (id %u) in place: %s", ifc->name,
			DP_PROG_NAME, old_id, strerror(-err));
		goto out;
	}
	ifc->attached = true;
	ifc->mode = old_mode;
	pr_info("interface %s: replaced the earlier %s (id %u) in place", ifc->name,
		DP_PROG_NAME, old_id);
out:
	xdp_multiprog__close(mp);
	return err;
}

static int attach_one(struct datapath *dp, struct dp_iface *ifc, enum xdp_attach_mode mode)
{
	int err, stale;

	err = replace_legacy(dp, ifc, mode);
	if (!err)
		goto attached;
	err = xdp_program__attach(dp->xprog, ifc->ifindex, mode, 0);
	if (err) {
		/* The earlier program blocks us and could not be swapped
		 * (another mode): break before make, with our program
		 * loaded already so the gap is only the two syscalls. */
		if (!preload(dp)) {
			stale = datapath_detach_stale(ifc->ifindex, ifc->name, xdp_program__id(dp->xprog), 0);
			if (stale > 0)
				err = xdp_program__attach(dp->xprog, ifc->ifindex, mode, 0);
		}
	}
	if (err == -EOPNOTSUPP && mode == XDP_MODE_NATIVE) {
		/* The driver has no ndo_bpf (the kernel's extack, which libbpf
		 * logs above, says "Underlying driver does not support XDP in
		 * native mode"): name the interface and the way out. */
		pr_err("interface %s has no native XDP (driver lacks it): set xdp_mode = generic",
		       ifc->name);
		return err;
	}
	if (err) {
		pr_err("interface %s: attaching %s (mode %s): %s", ifc->name, DP_PROG_NAME,
		       xdp_attach_mode_name(mode), strerror(-err));
		return err;
	}
	ifc->attached = true;
	ifc->mode = attached_mode(ifc->ifindex, mode == XDP_MODE_UNSPEC ? XDP_MODE_NATIVE : mode);
	/* Make before break: the earlier program ran beside ours until now. */
	stale = datapath_detach_stale(ifc->ifindex, ifc->name, xdp_program__id(dp->xprog), 0);
	if (stale < 0)
		return stale;
attached:
	if (is_legacy(ifc->ifindex))
		pr_info("interface %s: %s is the interface's only XDP program (libxdp's "
			"dispatcher is not in use here)", ifc->name, DP_PROG_NAME);
	pr_info("interface %s (ifindex %d): %s attached in %s mode (program id %u)", ifc->name,
		ifc->ifindex, DP_PROG_NAME, xdp_attach_mode_name(ifc->mode),
		xdp_program__id(dp->xprog));
	return 0;
}

int datapath_attach(struct datapath *dp, const char (*ifaces)[IF_NAMESIZE], int n,
		    enum xdp_attach_mode mode)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .prog_name = DP_PROG_NAME);
	struct xdp_program *xprog;
	int i, err;

	if (n > CFG_MAX_IFACES)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		struct dp_iface *ifc = &dp->ifaces[i];

		snprintf(ifc->name, sizeof(ifc->name), "%s", ifaces[i]);
		ifc->ifindex = if_nametoindex(ifc->name);
		if (!ifc->ifindex) {
			err = -errno;
			pr_err("interface %s: %s", ifc->name, strerror(-err));
			return err;
		}
	}
	dp->n_ifaces = n;

	dp->prog_skel = mip6lb__open();
	if (!dp->prog_skel) {
		err = -errno;
		pr_err("opening the BPF skeleton: %s", strerror(-err));
		return err;
	}
	/* Every pin exists by now (datapath_open made them): all reused. */
	err = datapath_prepare_obj(dp->prog_skel->obj, dp->pin_dir, &dp->sizes, NULL);
	if (err)
		goto err_destroy;
	opts.obj = dp->prog_skel->obj;
	xprog = xdp_program__create(&opts);
	err = libxdp_get_error(xprog);
	if (err) {
		pr_err("libxdp: program %s: %s", DP_PROG_NAME, strerror(-err));
		goto err_destroy;
	}
	dp->xprog = xprog;

	for (i = 0; i < n; i++) {
		struct dp_iface *ifc = &dp->ifaces[i];

		err = attach_one(dp, ifc, mode);
		if (err)
			goto err_detach;
		if (bpf_map_update_elem(dp->maps.tx_ports, &ifc->ifindex, &ifc->ifindex, BPF_ANY)) {
			err = -errno;
			pr_err("interface %s: adding it to tx_ports: %s", ifc->name, strerror(-err));
			goto err_detach;
		}
	}
	return 0;

err_detach:
	datapath_detach(dp);
	xdp_program__close(dp->xprog);
	dp->xprog = NULL;
err_destroy:
	mip6lb__destroy(dp->prog_skel);
	dp->prog_skel = NULL;
	return err;
}

void datapath_detach(struct datapath *dp)
{
	int i, err;

	for (i = 0; i < dp->n_ifaces; i++) {
		struct dp_iface *ifc = &dp->ifaces[i];

		if (!ifc->attached)
			continue;
		err = xdp_program__detach(dp->xprog, ifc->ifindex, ifc->mode, 0);
		if (err)
			pr_err("interface %s: detaching %s: %s", ifc->name, DP_PROG_NAME,
			       strerror(-err));
		else
			pr_info("interface %s: %s detached", ifc->name, DP_PROG_NAME);
		ifc->attached = false;
	}
}

void datapath_close(struct datapath *dp)
{
	ring_buffer__free(dp->events);
	dp->events = NULL;
	xdp_program__close(dp->xprog);
	dp->xprog = NULL;
	mip6lb__destroy(dp->prog_skel);
	dp->prog_skel = NULL;
	mip6lb__destroy(dp->maps_skel);
	dp->maps_skel = NULL;
	dp_maps_init(&dp->maps);
	if (dp->lock_fd >= 0)
		close(dp->lock_fd);
	dp->lock_fd = -1;
}

/* ---- flush -------------------------------------------------------------- */

int datapath_flush(const char *pin_dir, const char (*ifaces)[IF_NAMESIZE], int n_ifaces)
{
	struct if_nameindex *ifs = NULL, *it;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), map_id = 0;
	struct mip6lb *skel;
	struct bpf_map *map;
	char path[PATH_MAX];
	int lock_fd = -1, fd, err = 0, n = 0, ret, i;
	struct stat st;

	if (!stat(pin_dir, &st)) {
		err = lock_pin_dir(pin_dir, &lock_fd);
		if (err)
			return err;
	}
	/* Programs that use this pin dir's maps are ours, wherever they are
	 * attached; another pin dir's daemon is left alone. */
	snprintf(path, sizeof(path), "%s/services", pin_dir);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			map_id = info.id;
		close(fd);
	}
	if (map_id) {
		ifs = if_nameindex();
		if (!ifs) {
			err = -errno;
			pr_err("listing interfaces: %s", strerror(-err));
			goto out;
		}
		for (it = ifs; it->if_index; it++) {
			ret = datapath_detach_stale(it->if_index, it->if_name, 0, map_id);
			if (ret < 0 && !err)
				err = ret;
		}
	}
	/* Named interfaces: any mip6lb_xdp, even one whose maps are gone. */
	for (i = 0; i < n_ifaces; i++) {
		int ifindex = if_nametoindex(ifaces[i]);

		if (!ifindex) {
			pr_warn("interface %s: %s", ifaces[i], strerror(errno));
			continue;
		}
		ret = datapath_detach_stale(ifindex, ifaces[i], 0, 0);
		if (ret < 0 && !err)
			err = ret;
	}
	if (lock_fd < 0) {
		pr_info("pin dir %s does not exist: no pins to remove", pin_dir);
		goto out;
	}
	/* The object names its maps; nothing else in the dir is ours. */
	skel = mip6lb__open();
	if (!skel) {
		ret = -errno;
		pr_err("opening the BPF skeleton: %s", strerror(-ret));
		err = err ? err : ret;
		goto out;
	}
	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(map));
		if (unlink(path)) {
			if (errno == ENOENT)
				continue;
			ret = -errno;
			pr_err("removing pin %s: %s", path, strerror(-ret));
			err = err ? err : ret;
			continue;
		}
		n++;
	}
	mip6lb__destroy(skel);
	if (rmdir(pin_dir) && errno != ENOENT)
		pr_warn("pin dir %s: %s (left in place)", pin_dir, strerror(errno));
	if (!err)
		pr_info("removed %d pinned maps and %s", n, pin_dir);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	if (ifs)
		if_freenameindex(ifs);
	return err;
}

/* ---- events ------------------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t size)
{
	struct datapath *dp = ctx;
	const struct mip6lb_event *ev = data;
	int i;

	if (size < sizeof(*ev))
		return 0;
	dp->events_seen++;
	for (i = 0; i < dp->n_subs; i++)
		dp->subs[i].cb(ev, dp->subs[i].arg);
	return 0;
}

int datapath_events_open(struct datapath *dp)
{
	int err;

	dp->events = ring_buffer__new(dp->maps.events, on_event, dp, NULL);
	if (!dp->events) {
		err = -errno;
		pr_err("map events: ring buffer: %s", strerror(-err));
		return err;
	}
	return 0;
}

int datapath_events_fd(const struct datapath *dp)
{
	return dp->events ? ring_buffer__epoll_fd(dp->events) : -EBADF;
}

int datapath_events_consume(struct datapath *dp)
{
	int n = ring_buffer__consume(dp->events);

	if (n < 0)
		pr_err("map events: consuming: %s", strerror(-n));
	return n;
}

int datapath_events_subscribe(struct datapath *dp, dp_event_cb cb, void *arg)
{
	if (dp->n_subs == DP_MAX_EVENT_SUBS)
		return -ENOSPC;
	dp->subs[dp->n_subs].cb = cb;
	dp->subs[dp->n_subs].arg = arg;
	dp->n_subs++;
	return 0;
}
