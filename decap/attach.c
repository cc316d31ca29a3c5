// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach.c - attach, detach and addr add|del.
 *
 * Attach loads the maps first (a skeleton with its program not loaded),
 * fills decap_addrs, then loads the program over those maps and attaches
 * it: the first packet the program sees already finds every address.
 *
 * Attaching to an interface that already runs mip6lb_decap replaces the
 * program, with a fresh decap_addrs holding exactly the new set and the
 * running program's decap_counters reused.  A hash map cannot swap a whole
 * set in one step (deleting the old addresses and adding the new ones
 * would pass through states that are neither set), but the kernel swaps a
 * program in one step: without libxdp's dispatcher the new program replaces
 * the old with XDP_FLAGS_REPLACE, atomically; with the dispatcher libxdp
 * swaps in a new dispatcher holding both, then one holding only the new
 * program.  Reusing decap_counters keeps the counts across the change.
 *
 * The pins are made under temporary names before the program is attached
 * and renamed over the old ones after (bpffs renames in one step), so a
 * failed attach leaves the old pins and a reader never finds none.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "names.h"
#include "pindir.h"
#include "decap.skel.h"
#include "decap.h"
#include "log.h"

#define PIN_NEW "_new"           /* bpffs refuses names with a dot */

static int pin_path(char *buf, size_t len, const char *dir, const char *name, const char *suffix)
{
	int n = snprintf(buf, len, "%s/%s%s", dir, name, suffix);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- attach ------------------------------------------------------------- */

/*
 * libxdp tries its dispatcher first and, where the kernel refuses it (this
 * kernel refuses libxdp 1.3.1's with EPERM), falls back to attaching the
 * program alone; libbpf warns about the refused dispatcher on the way.
 * Those warnings describe a fallback that worked, so they are held during
 * the attach and printed at their own level only if it fails (the
 * verifier's log for our program among them); otherwise at debug (-v).
 */
struct held_msg {
	enum libbpf_print_level level;
	char *text;
};

static struct held_msg *held;
static int n_held;
static libbpf_print_fn_t held_prev;

static int hold_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	struct held_msg *p;
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		return 0;
	p = realloc(held, (n_held + 1) * sizeof(*held));
	if (!p) {
		free(text);
		return 0;
	}
	held = p;
	held[n_held++] = (struct held_msg){ level, text };
	return 0;
}

static void hold_start(void)
{
	held_prev = libbpf_set_print(hold_print);
}

static void pass_on(enum libbpf_print_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (held_prev)
		held_prev(level, fmt, ap);
	va_end(ap);
}

static void hold_end(bool failed)
{
	int i;

	libbpf_set_print(held_prev);
	for (i = 0; i < n_held; i++) {
		pass_on(failed ? held[i].level : LIBBPF_DEBUG, "%s", held[i].text);
		free(held[i].text);
	}
	free(held);
	held = NULL;
	n_held = 0;
}


/* Do the running program's counters have this build's layout? */
static bool counters_fit(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.value_size == sizeof(struct mip6lb_decap_counters);
}

/* The two maps, decap_addrs filled with the new set; decap_counters the
 * running program's when there is one that fits. */
static int load_maps(struct mip6lb_decap **out, const struct decap_found *cur,
		     const struct decap_opts *o)
{
	struct mip6lb_decap_addr_val val = {};
	char text[INET6_ADDRSTRLEN];
	struct mip6lb_decap *m;
	int err, fd, i;

	m = mip6lb_decap__open();
	if (!m) {
		err = -errno;
		pr_err("opening the BPF skeleton %s: %s", DECAP_PROG_NAME, strerror(-err));
		return err;
	}
	/* Maps only: the program is loaded later, by libxdp, over these. */
	bpf_program__set_autoload(m->progs.mip6lb_decap, false);
	if (cur && counters_fit(cur->counters_fd)) {
		err = bpf_map__reuse_fd(m->maps.decap_counters, cur->counters_fd);
		if (err) {
			pr_err("map %s (id %u): reusing it: %s", DECAP_MAP_CNTS, cur->counters_id,
			       strerror(-err));
			goto err_destroy;
		}
	} else if (cur) {
		pr_warn("interface %s: the running %s's %s has another layout (another build): "
			"the counters start from zero", cur->ifname, DECAP_PROG_NAME, DECAP_MAP_CNTS);
	}
	err = mip6lb_decap__load(m);
	if (err) {
		pr_err("creating the maps %s and %s: %s", DECAP_MAP_ADDRS, DECAP_MAP_CNTS,
		       strerror(-err));
		goto err_destroy;
	}
	fd = bpf_map__fd(m->maps.decap_addrs);
	for (i = 0; i < o->n_addrs; i++) {
		if (bpf_map_update_elem(fd, &o->addrs[i], &val, BPF_NOEXIST)) {
			err = -errno;
			inet_ntop(AF_INET6, &o->addrs[i], text, sizeof(text));
			pr_err("map %s: adding %s: %s", DECAP_MAP_ADDRS, text, strerror(-err));
			goto err_destroy;
		}
	}
	*out = m;
	return 0;

err_destroy:
	mip6lb_decap__destroy(m);
	return err;
}

static void unpin_new(const char *dir)
{
	char path[PATH_MAX];

	if (!pin_path(path, sizeof(path), dir, DECAP_MAP_ADDRS, PIN_NEW))
		unlink(path);
	if (!pin_path(path, sizeof(path), dir, DECAP_MAP_CNTS, PIN_NEW))
		unlink(path);
}

static int pin_one(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX];
	int err;

	err = pin_path(path, sizeof(path), dir, name, PIN_NEW);
	if (err)
		return err;
	unlink(path);           /* left by an attach that was killed */
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		pr_err("pinning map %s at %s: %s", name, path, strerror(-err));
		return err;
	}
	return 0;
}

static int pin_new(struct mip6lb_decap *m, const char *dir)
{
	int err = mkdir_p(dir, 0700);

	if (err) {
		pr_err("pin dir %s: %s", dir, strerror(-err));
		return err;
	}
	err = pin_one(bpf_map__fd(m->maps.decap_addrs), dir, DECAP_MAP_ADDRS);
	if (!err)
		err = pin_one(bpf_map__fd(m->maps.decap_counters), dir, DECAP_MAP_CNTS);
	if (err)
		unpin_new(dir);
	return err;
}

static int commit_pins(const char *dir)
{
	static const char *const names[] = { DECAP_MAP_ADDRS, DECAP_MAP_CNTS };
	char from[PATH_MAX], to[PATH_MAX];
	int err;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err = pin_path(from, sizeof(from), dir, names[i], PIN_NEW);
		if (!err)
			err = pin_path(to, sizeof(to), dir, names[i], "");
		if (!err && rename(from, to))
			err = -errno;
		if (err) {
			pr_err("pin %s: renaming it to %s: %s", from, to, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Without the dispatcher: swap the new program in with XDP_FLAGS_REPLACE. */
static int replace_legacy(struct mip6lb_decap *skel, const struct decap_found *cur)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = cur->prog_fd);
	__u32 flags = XDP_FLAGS_REPLACE |
		      (cur->mode == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
	int err;

	err = mip6lb_decap__load(skel);
	if (err) {
		pr_err("loading %s: %s", DECAP_PROG_NAME, strerror(-err));
		return err;
	}
	err = bpf_xdp_attach(cur->ifindex, bpf_program__fd(skel->progs.mip6lb_decap), flags, &opts);
	if (err) {
		pr_err("interface %s: replacing %s (id %u): %s", cur->ifname, DECAP_PROG_NAME,
		       cur->prog_id, strerror(-err));
		return err;
	}
	return 0;
}

/* With the dispatcher: join it, then take the old program out. */
static int replace_multiprog(struct xdp_program *xprog, const struct decap_found *cur)
{
	struct xdp_program *old;
	int err;

	hold_start();
	err = xdp_program__attach(xprog, cur->ifindex, cur->mode, 0);
	hold_end(err);
	if (err) {
		pr_err("interface %s: attaching %s beside the running one (id %u): %s",
		       cur->ifname, DECAP_PROG_NAME, cur->prog_id, strerror(-err));
		return err;
	}
	old = xdp_program__from_id(cur->prog_id);
	err = libxdp_get_error(old);
	if (!err) {
		err = xdp_program__detach(old, cur->ifindex, cur->mode, 0);
		xdp_program__close(old);
	}
	if (err) {
		/* Both run now, the old set beside the new one.  Say so
		 * rather than undo an attach that works. */
		pr_err("interface %s: detaching the earlier %s (id %u): %s; both are attached now",
		       cur->ifname, DECAP_PROG_NAME, cur->prog_id, strerror(-err));
		return err;
	}
	return 0;
}

/* A fresh attach; auto tries native, then generic. */
static int attach_new(struct xdp_program *xprog, int ifindex, const struct decap_opts *o)
{
	enum xdp_attach_mode mode = o->mode == XDP_MODE_UNSPEC ? XDP_MODE_NATIVE : o->mode;
	char other[512];
	bool dispatcher;
	int err;

	hold_start();
	err = xdp_program__attach(xprog, ifindex, mode, 0);
	if (err && o->mode == XDP_MODE_UNSPEC) {
		pr_info("interface %s: native XDP refused (%s); attaching in generic mode",
			o->dev, strerror(-err));
		mode = XDP_MODE_SKB;
		err = xdp_program__attach(xprog, ifindex, mode, 0);
	}
	hold_end(err);
	if (err) {
		decap_describe_xdp(ifindex, other, sizeof(other), &dispatcher);
		pr_err("interface %s: attaching %s in %s mode: %s%s%s%s", o->dev, DECAP_PROG_NAME,
		       xdp_attach_mode_name(mode), strerror(-err), other[0] ? " (the interface runs " : "",
		       other, other[0] ? ")" : "");
	}
	return err;
}

int cmd_attach(const struct decap_opts *o)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .prog_name = DECAP_PROG_NAME);
	struct mip6lb_decap *maps = NULL, *skel = NULL;
	struct xdp_program *xprog = NULL;
	char pin_dir[PATH_MAX], other[512];
	struct decap_found cur;
	int ifindex, found, err;
	bool dispatcher;

	ifindex = (int)if_nametoindex(o->dev);
	if (!ifindex) {
		pr_err("interface %s: %s", o->dev, strerror(errno));
		return DECAP_EXIT_ERR;
	}
	if (decap_pin_dir(o->pin_dir, o->dev, pin_dir, sizeof(pin_dir))) {
		pr_err("pin dir for %s: %s", o->dev, strerror(ENAMETOOLONG));
		return DECAP_EXIT_ERR;
	}
	found = decap_find(ifindex, o->dev, &cur);
	if (found < 0)
		return DECAP_EXIT_ERR;
	if (!found) {
		/* A single program that is not libxdp's dispatcher cannot
		 * share the hook; say which one it is before loading anything. */
		decap_describe_xdp(ifindex, other, sizeof(other), &dispatcher);
		if (other[0] && !dispatcher) {
			pr_err("interface %s already runs the XDP program %s, which libxdp cannot "
			       "combine with another; detach it first", o->dev, other);
			return DECAP_EXIT_ERR;
		}
	} else if (o->mode_given && o->mode != XDP_MODE_UNSPEC && o->mode != cur.mode) {
		pr_err("interface %s: %s (id %u) runs in %s mode; detach it before attaching in %s mode",
		       o->dev, DECAP_PROG_NAME, cur.prog_id, xdp_attach_mode_name(cur.mode),
		       xdp_attach_mode_name(o->mode));
		err = -EBUSY;
		goto out;
	}

	err = load_maps(&maps, found ? &cur : NULL, o);
	if (err)
		goto out;
	err = pin_new(maps, pin_dir);
	if (err)
		goto out_maps;
	skel = mip6lb_decap__open();
	if (!skel) {
		err = -errno;
		pr_err("opening the BPF skeleton %s: %s", DECAP_PROG_NAME, strerror(-err));
		goto out_unpin;
	}
	err = bpf_map__reuse_fd(skel->maps.decap_addrs, bpf_map__fd(maps->maps.decap_addrs));
	if (!err)
		err = bpf_map__reuse_fd(skel->maps.decap_counters, bpf_map__fd(maps->maps.decap_counters));
	if (err) {
		pr_err("program %s: reusing its maps: %s", DECAP_PROG_NAME, strerror(-err));
		goto out_skel;
	}

	if (found && cur.legacy) {
		err = replace_legacy(skel, &cur);
	} else {
		xopts.obj = skel->obj;
		xprog = xdp_program__create(&xopts);
		err = libxdp_get_error(xprog);
		if (err) {
			xprog = NULL;
			pr_err("libxdp: program %s: %s", DECAP_PROG_NAME, strerror(-err));
			goto out_skel;
		}
		if (found)
			err = replace_multiprog(xprog, &cur);
		else
			err = attach_new(xprog, ifindex, o);
	}
	if (err)
		goto out_xprog;

	err = commit_pins(pin_dir);
	if (err)
		goto out_xprog;     /* attached: the message says which pin is stale */
	{
		struct decap_found now;

		/* Report the program as the interface shows it now. */
		if (decap_find(ifindex, o->dev, &now) > 0) {
			pr_info("interface %s: %s %s in %s mode (program id %u), %d address%s, "
				"maps pinned under %s", o->dev, DECAP_PROG_NAME,
				found ? "replaced" : "attached", xdp_attach_mode_name(now.mode),
				now.prog_id, o->n_addrs, o->n_addrs == 1 ? "" : "es", pin_dir);
			if (now.legacy)
				pr_debug("interface %s: %s is the interface's only XDP program "
					 "(libxdp's dispatcher is not in use)", o->dev, DECAP_PROG_NAME);
			decap_found_close(&now);
		}
	}
out_xprog:
	xdp_program__close(xprog);
out_skel:
	mip6lb_decap__destroy(skel);
out_unpin:
	if (err) {
		unpin_new(pin_dir);
		/* Only empty dirs go: the pins of a running program stay. */
		if (!rmdir(pin_dir) && !o->pin_dir)
			rmdir(DECAP_PIN_ROOT);
	}
out_maps:
	mip6lb_decap__destroy(maps);
out:
	decap_found_close(&cur);
	return err ? DECAP_EXIT_ERR : DECAP_EXIT_OK;
}

/* ---- detach ------------------------------------------------------------- */

static void remove_pins(const char *dir, const struct decap_found *cur, bool default_dir)
{
	static const char *const names[] = { DECAP_MAP_ADDRS, DECAP_MAP_CNTS };
	const __u32 ids[] = { cur->addrs_id, cur->counters_id };
	char path[PATH_MAX];
	__u32 id;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (pin_path(path, sizeof(path), dir, names[i], ""))
			return;
		id = decap_pinned_map_id(path);
		if (!id)
			continue;
		/* Interface names repeat across network namespaces: a pin
		 * that holds another program's map is left alone. */
		if (id != ids[i]) {
			pr_warn("%s holds map id %u, not the detached program's (id %u): left in place",
				path, id, ids[i]);
			continue;
		}
		if (unlink(path))
			pr_warn("removing pin %s: %s", path, strerror(errno));
	}
	unpin_new(dir);
	if (rmdir(dir) && errno != ENOENT && errno != ENOTEMPTY)
		pr_warn("removing pin dir %s: %s", dir, strerror(errno));
	if (default_dir)
		rmdir(DECAP_PIN_ROOT);     /* only when no other interface's is left */
}

int cmd_detach(const struct decap_opts *o)
{
	struct xdp_program *xprog;
	char pin_dir[PATH_MAX];
	struct decap_found cur;
	int ifindex, found, err;

	ifindex = (int)if_nametoindex(o->dev);
	if (!ifindex) {
		pr_err("interface %s: %s", o->dev, strerror(errno));
		return DECAP_EXIT_ERR;
	}
	if (decap_pin_dir(o->pin_dir, o->dev, pin_dir, sizeof(pin_dir))) {
		pr_err("pin dir for %s: %s", o->dev, strerror(ENAMETOOLONG));
		return DECAP_EXIT_ERR;
	}
	found = decap_find(ifindex, o->dev, &cur);
	if (found < 0)
		return DECAP_EXIT_ERR;
	if (!found) {
		pr_err("interface %s: %s is not attached", o->dev, DECAP_PROG_NAME);
		return DECAP_EXIT_ERR;
	}
	xprog = xdp_program__from_id(cur.prog_id);
	err = libxdp_get_error(xprog);
	if (err) {
		pr_err("program %s (id %u): %s", DECAP_PROG_NAME, cur.prog_id, strerror(-err));
		goto out;
	}
	err = xdp_program__detach(xprog, ifindex, cur.mode, 0);
	xdp_program__close(xprog);
	if (err) {
		pr_err("interface %s: detaching %s (id %u): %s", o->dev, DECAP_PROG_NAME,
		       cur.prog_id, strerror(-err));
		goto out;
	}
	remove_pins(pin_dir, &cur, !o->pin_dir);
	pr_info("interface %s: %s (id %u) detached", o->dev, DECAP_PROG_NAME, cur.prog_id);
out:
	decap_found_close(&cur);
	return err ? DECAP_EXIT_ERR : DECAP_EXIT_OK;
}

/* ---- addr add | del ----------------------------------------------------- */

static int find_or_complain(const struct decap_opts *o, struct decap_found *cur)
{
	int ifindex = (int)if_nametoindex(o->dev), found;

	if (!ifindex) {
		pr_err("interface %s: %s", o->dev, strerror(errno));
		return -ENODEV;
	}
	found = decap_find(ifindex, o->dev, cur);
	if (found < 0)
		return found;
	if (!found) {
		pr_err("interface %s: %s is not attached", o->dev, DECAP_PROG_NAME);
		return -ENOENT;
	}
	return 0;
}

int cmd_addr_add(const struct decap_opts *o)
{
	struct mip6lb_decap_addr_val val = {};
	char text[INET6_ADDRSTRLEN];
	struct decap_found cur;
	int err;

	if (find_or_complain(o, &cur))
		return DECAP_EXIT_ERR;
	inet_ntop(AF_INET6, &o->addrs[0], text, sizeof(text));
	err = bpf_map_update_elem(cur.addrs_fd, &o->addrs[0], &val, BPF_NOEXIST) ? -errno : 0;
	if (err == -EEXIST)
		pr_err("interface %s: %s is a decap address already", o->dev, text);
	else if (err == -E2BIG)
		pr_err("interface %s: %s: the map holds %d addresses, the most it can", o->dev,
		       text, MIP6LB_DECAP_MAX_ADDRS);
	else if (err)
		pr_err("map %s (id %u): adding %s: %s", DECAP_MAP_ADDRS, cur.addrs_id, text,
		       strerror(-err));
	else
		pr_info("interface %s: decapsulating for %s", o->dev, text);
	decap_found_close(&cur);
	return err ? DECAP_EXIT_ERR : DECAP_EXIT_OK;
}

int cmd_addr_del(const struct decap_opts *o)
{
	struct in6_addr now[MIP6LB_DECAP_MAX_ADDRS];
	char text[INET6_ADDRSTRLEN];
	struct decap_found cur;
	int err, n, i;

	if (find_or_complain(o, &cur))
		return DECAP_EXIT_ERR;
	inet_ntop(AF_INET6, &o->addrs[0], text, sizeof(text));
	n = decap_read_addrs(cur.addrs_fd, now, MIP6LB_DECAP_MAX_ADDRS);
	if (n < 0) {
		err = n;
		pr_err("map %s (id %u): reading it: %s", DECAP_MAP_ADDRS, cur.addrs_id, strerror(-err));
		goto out;
	}
	for (i = 0; i < n && memcmp(&now[i], &o->addrs[0], sizeof(now[i])); i++)
		;
	if (i == n) {
		err = -ENOENT;
		pr_err("interface %s: %s is not a decap address", o->dev, text);
		goto out;
	}
	/* attach needs at least one address, and an attached program with
	 * none is a decapsulator that passes everything: detach says so
	 * instead.  Add the new address before deleting the old one. */
	if (n == 1) {
		err = -EBUSY;
		pr_err("interface %s: %s is the last decap address; add another first, or detach",
		       o->dev, text);
		goto out;
	}
	err = bpf_map_delete_elem(cur.addrs_fd, &o->addrs[0]) ? -errno : 0;
	if (err)
		pr_err("map %s (id %u): deleting %s: %s", DECAP_MAP_ADDRS, cur.addrs_id, text,
		       strerror(-err));
	else
		pr_info("interface %s: no longer decapsulating for %s", o->dev, text);
out:
	decap_found_close(&cur);
	return err ? DECAP_EXIT_ERR : DECAP_EXIT_OK;
}
