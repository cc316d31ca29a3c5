// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * probe.c - host feature probes (probe.h).  Every answer comes from trying
 * the thing: the maps and helpers to probe are read from the datapath
 * object itself (mip6lb.skel.h), so a new map type or helper in bpf/ is
 * probed without anyone updating a list here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <gelf.h>
#include <libelf.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/lwtunnel.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seg6_local.h>
#include <libmnl/libmnl.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "mip6lb.skel.h"
#include "hostprobe.h"

/* linux/netdev.h arrived with Linux 6.3; the build host's headers may be
 * older than the kernel it runs on. */
#define PROBE_NETDEV_FAMILY          "netdev"
#define PROBE_NETDEV_CMD_DEV_GET     1
#define PROBE_NETDEV_A_DEV_IFINDEX   1
#define PROBE_NETDEV_A_DEV_XDP_FEAT  3
#define PROBE_XDP_ACT_BASIC          (1ULL << 0)
#define PROBE_XDP_ACT_REDIRECT       (1ULL << 1)
#define PROBE_XDP_ACT_NDO_XMIT       (1ULL << 2)

/* A netlink answer that does not come within this is "unknown", never a
 * hang: mip6lbd runs these probes on its way up. */
#define PROBE_NL_TIMEOUT_S   1
/* The throwaway namespace's child: two netlink requests, bounded each by
 * the timeout above, plus module autoloading (request_module for
 * rtnl-link-ip6tnl runs modprobe). */
#define PROBE_NETNS_TIMEOUT_MS 5000
#define PROBE_NL_BUF         8192
/* Every map type and helper the datapath uses exists since this release
 * (bpf_ktime_get_coarse_ns is the newest). */
#define PROBE_MIN_KERNEL     "Linux 5.11"

#define PROBE_MAX_TYPES      32
#define PROBE_MAX_HELPERS    64

/* The uapi header's own list, so every helper id has its name; the macro
 * puts the commas between entries itself. */
static const char *const helper_names[] = {
#define PROBE_FN(x) [BPF_FUNC_##x] = "bpf_" #x
	__BPF_FUNC_MAPPER(PROBE_FN)
#undef PROBE_FN
};

const char *probe_avail_name(enum probe_avail a)
{
	switch (a) {
	case PROBE_YES: return "yes";
	case PROBE_NO: return "no";
	case PROBE_UNKNOWN: break;
	}
	return "unknown";
}

const char *probe_helper_name(enum bpf_func_id id)
{
	return (unsigned int)id < sizeof(helper_names) / sizeof(helper_names[0]) ?
	       helper_names[id] : NULL;
}

static struct probe_result result(const char *name, bool required)
{
	struct probe_result r = { .avail = PROBE_UNKNOWN, .required = required };

	snprintf(r.name, sizeof(r.name), "%s", name);
	return r;
}

__attribute__((format(printf, 3, 4)))
static void say(struct probe_result *r, enum probe_avail a, const char *fmt, ...)
{
	va_list ap;

	r->avail = a;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* ---- bpffs -------------------------------------------------------------- */

static const char *fs_name(long magic)
{
	switch (magic) {
	case TMPFS_MAGIC: return "tmpfs";
	case EXT4_SUPER_MAGIC: return "ext2/3/4";
	case BTRFS_SUPER_MAGIC: return "btrfs";
	case 0x58465342: return "xfs";
	case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
	case SYSFS_MAGIC: return "sysfs";
	case PROC_SUPER_MAGIC: return "proc";
	}
	return NULL;
}

struct probe_result probe_bpffs(const char *pin_dir)
{
	static const char root[] = "/sys/fs/bpf";
	struct probe_result r = result("bpffs", true);
	size_t rl = strlen(root);
	char path[PATH_MAX], *slash;
	struct statfs st;
	const char *fs;

	if (!pin_dir || pin_dir[0] != '/' ||
	    snprintf(path, sizeof(path), "%s", pin_dir) >= (int)sizeof(path)) {
		say(&r, PROBE_NO, "pin dir '%s' is not an absolute path: pass --pin-dir under %s",
		    pin_dir ? pin_dir : "", root);
		return r;
	}
	/* Before the first start the pin dir does not exist: the filesystem
	 * it will be made on is its nearest existing parent's. */
	while (statfs(path, &st)) {
		if (errno != ENOENT && errno != ENOTDIR) {
			say(&r, PROBE_UNKNOWN, "statfs %s: %s", path, strerror(errno));
			return r;
		}
		slash = strrchr(path, '/');
		if (slash == path) {
			path[1] = '\0';
			continue;
		}
		*slash = '\0';
	}
	if (st.f_type == BPF_FS_MAGIC) {
		if (!strcmp(path, pin_dir))
			say(&r, PROBE_YES, "%s is on a bpffs mount", pin_dir);
		else
			say(&r, PROBE_YES, "%s is on a bpffs mount (mip6lbd creates %s)", path, pin_dir);
		return r;
	}
	fs = fs_name(st.f_type);
	if (!strncmp(pin_dir, root, rl) && (pin_dir[rl] == '/' || !pin_dir[rl]) &&
	    strlen(path) <= rl)
		/* mip6lbd mounts one there itself when it may (bpffs_ensure). */
		say(&r, PROBE_NO, "%s is not a bpffs mount: mount -t bpf bpf %s "
		    "(mip6lbd tries this itself at start)", root, root);
	else if (fs)
		say(&r, PROBE_NO, "pin dir %s is not on a bpffs mount (it is on %s): pass a "
		    "--pin-dir under %s, or mount -t bpf bpf on it", pin_dir, fs, root);
	else
		say(&r, PROBE_NO, "pin dir %s is not on a bpffs mount (filesystem magic 0x%lx): "
		    "pass a --pin-dir under %s, or mount -t bpf bpf on it", pin_dir,
		    (long)st.f_type, root);
	return r;
}

/* ---- what the datapath uses -------------------------------------------- */

/* CO-RE relocations in .BTF.ext (the layout libbpf's btf_ext parser reads:
 * a header, then core_relo_len bytes of record size and per-section
 * {name offset, count, records}). */
static int count_core_relos(const __u8 *data, size_t size)
{
	struct {
		__u16 magic;
		__u8 version, flags;
		__u32 hdr_len;
		__u32 func_info_off, func_info_len;
		__u32 line_info_off, line_info_len;
		__u32 core_relo_off, core_relo_len;
	} h;
	const __u8 *p, *end;
	__u32 rec_size, n;
	int total = 0;

	if (size < 8)
		return 0;
	memset(&h, 0, sizeof(h));
	memcpy(&h, data, size < sizeof(h) ? size : sizeof(h));
	if (h.magic != 0xeB9F || h.hdr_len < sizeof(h) || h.hdr_len > size ||
	    !h.core_relo_len || (size_t)h.hdr_len + h.core_relo_off + h.core_relo_len > size)
		return 0;
	p = data + h.hdr_len + h.core_relo_off;
	end = p + h.core_relo_len;
	memcpy(&rec_size, p, 4);
	p += 4;
	if (!rec_size)
		return 0;
	while (p + 8 <= end) {
		memcpy(&n, p + 4, 4);
		total += n;
		p += 8 + (size_t)n * rec_size;
	}
	return total;
}

/* Helper ids called anywhere in the object's code sections (subprograms
 * included, which libbpf's program list leaves out before load), and the
 * CO-RE relocation count. */
static int scan_elf(const void *bytes, size_t size, enum bpf_func_id *helpers, int *n_helpers,
		    int *core)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int cap = *n_helpers, n = 0, err = 0;

	*core = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	elf = elf_memory((char *)bytes, size);
	if (!elf)
		return -EINVAL;
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		err = -EINVAL;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name;
		size_t i;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		d = elf_getdata(scn, NULL);
		if (!name || !d || !d->d_buf)
			continue;
		if (!strcmp(name, ".BTF.ext")) {
			*core = count_core_relos(d->d_buf, d->d_size);
			continue;
		}
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		for (i = 0; i + sizeof(struct bpf_insn) <= d->d_size; i += sizeof(struct bpf_insn)) {
			const struct bpf_insn *in = (const void *)((const char *)d->d_buf + i);
			int k;

			/* src_reg 0: a helper; 1 is a subprogram, 2 a kfunc. */
			if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg != 0)
				continue;
			for (k = 0; k < n && helpers[k] != (enum bpf_func_id)in->imm; k++)
				;
			if (k < n)
				continue;
			if (n == cap) {
				err = -E2BIG;
				goto out;
			}
			helpers[n++] = in->imm;
		}
	}
	*n_helpers = n;
out:
	elf_end(elf);
	return err;
}

int probe_datapath_uses(enum bpf_map_type *maps, int *n_maps, enum bpf_func_id *helpers,
			int *n_helpers, int *core)
{
	struct mip6lb *skel;
	struct bpf_map *map;
	const void *bytes;
	size_t size;
	int n = 0, k, err;

	bytes = mip6lb__elf_bytes(&size);
	err = scan_elf(bytes, size, helpers, n_helpers, core);
	if (err)
		return err;
	skel = mip6lb__open();
	if (!skel)
		return -errno;
	bpf_object__for_each_map(map, skel->obj) {
		enum bpf_map_type t = bpf_map__type(map);

		for (k = 0; k < n && maps[k] != t; k++)
			;
		if (k < n)
			continue;
		if (n == *n_maps) {
			mip6lb__destroy(skel);
			return -E2BIG;
		}
		maps[n++] = t;
	}
	*n_maps = n;
	mip6lb__destroy(skel);
	return 0;
}

/* "sessions, frags": the datapath's maps of this type. */
static void maps_of_type(enum bpf_map_type t, char *buf, size_t len)
{
	struct mip6lb *skel = mip6lb__open();
	struct bpf_map *map;
	size_t used = 0;

	buf[0] = '\0';
	if (!skel)
		return;
	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__type(map) != t || used >= len)
			continue;
		used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
				 bpf_map__name(map));
	}
	mip6lb__destroy(skel);
}

/* ---- BPF ---------------------------------------------------------------- */

struct probe_result probe_btf(void)
{
	static const char sysfs[] = "/sys/kernel/btf/vmlinux";
	enum bpf_func_id helpers[PROBE_MAX_HELPERS];
	enum bpf_map_type maps[PROBE_MAX_TYPES];
	int n_maps = PROBE_MAX_TYPES, n_helpers = PROBE_MAX_HELPERS, core = -1;
	struct probe_result r = result("kernel BTF", true);
	struct btf *btf;
	char core_text[64];

	if (probe_datapath_uses(maps, &n_maps, helpers, &n_helpers, &core))
		core = -1;
	r.required = core != 0;
	if (core > 0)
		snprintf(core_text, sizeof(core_text),
			 "the datapath's %d CO-RE relocations", core);
	else
		snprintf(core_text, sizeof(core_text), "the datapath's CO-RE relocations");

	/* libbpf's own search: sysfs, then vmlinux images under /boot and
	 * /lib/modules; whatever it finds here, it finds at load time. */
	btf = btf__load_vmlinux_btf();
	if (btf && !libbpf_get_error(btf)) {
		btf__free(btf);
		if (!access(sysfs, R_OK))
			say(&r, PROBE_YES, "%s is readable; libbpf resolves %s against it", sysfs,
			    core ? core_text : "nothing (no CO-RE relocations)");
		else
			say(&r, PROBE_YES, "no %s, but libbpf found a vmlinux image with BTF "
			    "(under /boot or /lib/modules)", sysfs);
		return r;
	}
	if (!core)
		say(&r, PROBE_NO, "no kernel BTF (%s): not needed, the datapath has no CO-RE "
		    "relocations and the checked-in vmlinux/vmlinux.h is used", sysfs);
	else
		say(&r, PROBE_NO, "no kernel BTF (%s, nor a vmlinux under /boot): the datapath is "
		    "built against the checked-in vmlinux/vmlinux.h and libbpf cannot resolve %s; "
		    "use a kernel built with CONFIG_DEBUG_INFO_BTF=y", sysfs, core_text);
	return r;
}

/*
 * May this process use bpf() at all?  libbpf's probes cannot tell "the
 * kernel lacks it" from "not allowed": without privilege its program probe
 * says no and its helper probe says yes.  An array map exists wherever
 * bpf() does, so creating one separates the two.  0, or 1 with r filled.
 */
static int bpf_denied(struct probe_result *r)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	fd = errno;
	if (fd == ENOSYS)
		say(r, PROBE_NO, "the kernel has no bpf() system call: mip6lbd needs "
		    "CONFIG_BPF_SYSCALL=y and %s or later", PROBE_MIN_KERNEL);
	else if (fd == EPERM)
		say(r, PROBE_UNKNOWN, "this process may not use bpf(): run as root (or with "
		    "CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN)");
	else
		say(r, PROBE_UNKNOWN, "bpf(BPF_MAP_CREATE) of a test array: %s", strerror(fd));
	return 1;
}

struct probe_result probe_xdp_prog(void)
{
	struct probe_result r = result("XDP programs", true);
	int ret;

	if (bpf_denied(&r))
		return r;
	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	if (ret > 0)
		say(&r, PROBE_YES, "the kernel loads BPF_PROG_TYPE_XDP programs "
		    "(generic XDP works on every interface)");
	else if (!ret)
		say(&r, PROBE_NO, "the kernel does not load XDP programs: mip6lbd needs "
		    "CONFIG_BPF_SYSCALL=y and %s or later", PROBE_MIN_KERNEL);
	else
		say(&r, PROBE_UNKNOWN, "loading a test XDP program: %s%s", strerror(-ret),
		    ret == -EPERM ? " (run as root, or with CAP_BPF and CAP_NET_ADMIN)" : "");
	return r;
}

struct probe_result probe_map_type(enum bpf_map_type type)
{
	const char *tn = libbpf_bpf_map_type_str(type);
	struct probe_result r;
	char name[PROBE_NAME_LEN], used[160];
	int ret;

	snprintf(name, sizeof(name), "map type %s", tn ? tn : "?");
	r = result(name, true);
	if (bpf_denied(&r))
		return r;
	maps_of_type(type, used, sizeof(used));
	ret = libbpf_probe_bpf_map_type(type, NULL);
	if (ret > 0)
		say(&r, PROBE_YES, "the kernel creates %s maps%s%s%s", tn ? tn : "these",
		    *used ? " (" : "", used, *used ? ")" : "");
	else if (!ret)
		say(&r, PROBE_NO, "the kernel cannot create %s maps, which the datapath's %s use: "
		    "mip6lbd needs %s or later", tn ? tn : "these", *used ? used : "maps",
		    PROBE_MIN_KERNEL);
	else
		say(&r, PROBE_UNKNOWN, "creating a test %s map: %s%s", tn ? tn : "", strerror(-ret),
		    ret == -EPERM ? " (run as root, or with CAP_BPF)" : "");
	return r;
}

struct probe_result probe_helper(enum bpf_func_id id)
{
	const char *hn = probe_helper_name(id);
	struct probe_result r;
	char name[PROBE_NAME_LEN], num[32];
	int ret;

	if (!hn) {
		snprintf(num, sizeof(num), "helper #%d", (int)id);
		hn = num;
	}
	snprintf(name, sizeof(name), "helper %s", hn);
	r = result(name, true);
	if (bpf_denied(&r))
		return r;
	ret = libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, id, NULL);
	if (ret > 0)
		say(&r, PROBE_YES, "XDP programs may call %s", hn);
	else if (!ret)
		say(&r, PROBE_NO, "XDP programs may not call %s, which the datapath does: mip6lbd "
		    "needs %s or later", hn, PROBE_MIN_KERNEL);
	else
		say(&r, PROBE_UNKNOWN, "probing %s: %s%s", hn, strerror(-ret),
		    ret == -EPERM ? " (run as root, or with CAP_BPF)" : "");
	return r;
}

/* ---- netlink ------------------------------------------------------------ */

struct pnl {
	struct mnl_socket *s;
	unsigned int portid, seq;
	char buf[PROBE_NL_BUF];
};

static int pnl_open(struct pnl *nl, int bus)
{
	struct timeval tv = { .tv_sec = PROBE_NL_TIMEOUT_S };
	int err;

	nl->s = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->s)
		return -errno;
	if (mnl_socket_bind(nl->s, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl->s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		err = -errno;
		mnl_socket_close(nl->s);
		nl->s = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->s);
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

static void pnl_close(struct pnl *nl)
{
	if (nl->s)
		mnl_socket_close(nl->s);
	nl->s = NULL;
}

/* Send with NLM_F_ACK and run cb on each answer until the ACK: 0, the
 * kernel's negative errno, or -ETIMEDOUT. */
static int pnl_talk(struct pnl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int seq = ++nl->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(nl->s, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->s, nl->buf, sizeof(nl->buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		if ((size_t)n >= sizeof(struct nlmsghdr) &&
		    ((struct nlmsghdr *)nl->buf)->nlmsg_seq != seq)
			continue;
		errno = 0;
		ret = mnl_cb_run(nl->buf, n, seq, nl->portid, cb, data);
		if (ret < 0)
			return errno ? -errno : -EPROTO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *pnl_msg(char *buf, size_t len, __u16 type, __u16 flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    !mnl_attr_validate(a, MNL_TYPE_U16))
		*(int *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return MNL_CB_OK;
}

struct dev_feat {
	bool has;
	__u64 features;
};

static int dev_attr_cb(const struct nlattr *a, void *data)
{
	struct dev_feat *f = data;

	if (mnl_attr_get_type(a) == PROBE_NETDEV_A_DEV_XDP_FEAT &&
	    !mnl_attr_validate(a, MNL_TYPE_U64)) {
		f->features = mnl_attr_get_u64(a);
		f->has = true;
	}
	return MNL_CB_OK;
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr_cb, data);
	return MNL_CB_OK;
}

static void xdp_feature_text(__u64 f, char *buf, size_t len)
{
	static const char *const names[] = {
		"basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg",
		"ndo-xmit-sg",
	};
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && used < len; i++)
		if (f & (1ULL << i))
			used += snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i]);
	if (!used)
		snprintf(buf, len, "none");
}

struct probe_result probe_native_xdp(const char *ifname)
{
	char req[256], name[PROBE_NAME_LEN], feats[96];
	struct dev_feat f = { 0 };
	struct probe_result r;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct pnl *nl;
	unsigned int ifindex;
	int family = -1, err;

	snprintf(name, sizeof(name), "native XDP on %s", ifname);
	r = result(name, false);
	snprintf(r.ifname, sizeof(r.ifname), "%s", ifname);
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		say(&r, PROBE_NO, "no interface %s in this network namespace", ifname);
		return r;
	}
	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		say(&r, PROBE_UNKNOWN, "%s", strerror(ENOMEM));
		return r;
	}
	err = pnl_open(nl, NETLINK_GENERIC);
	if (err) {
		say(&r, PROBE_UNKNOWN, "generic netlink socket: %s", strerror(-err));
		goto out;
	}
	nlh = pnl_msg(req, sizeof(req), GENL_ID_CTRL, 0);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PROBE_NETDEV_FAMILY);
	err = pnl_talk(nl, nlh, family_cb, &family);
	if (err == -ENOENT || (!err && family < 0)) {
		say(&r, PROBE_UNKNOWN, "unknown (kernel has no netdev netlink family, Linux < 6.3): "
		    "try xdp_mode = native, and use generic if the attach fails");
		goto out;
	}
	if (err) {
		say(&r, PROBE_UNKNOWN, "asking for the netdev netlink family: %s", strerror(-err));
		goto out;
	}
	nlh = pnl_msg(req, sizeof(req), family, 0);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = PROBE_NETDEV_CMD_DEV_GET;
	g->version = 1;
	mnl_attr_put_u32(nlh, PROBE_NETDEV_A_DEV_IFINDEX, ifindex);
	err = pnl_talk(nl, nlh, dev_cb, &f);
	if (err || !f.has) {
		say(&r, PROBE_UNKNOWN, "netdev dev-get for %s: %s", ifname,
		    err ? strerror(-err) : "no xdp-features in the answer");
		goto out;
	}
	xdp_feature_text(f.features, feats, sizeof(feats));
	if (!(f.features & PROBE_XDP_ACT_BASIC))
		say(&r, PROBE_NO, "interface %s has no native XDP (driver lacks it): "
		    "set xdp_mode = generic", ifname);
	else if (!(f.features & PROBE_XDP_ACT_REDIRECT))
		say(&r, PROBE_YES, "xdp-features %s; no XDP_REDIRECT, so backends behind another "
		    "interface need xdp_mode = generic", feats);
	else if (!(f.features & PROBE_XDP_ACT_NDO_XMIT))
		say(&r, PROBE_YES, "xdp-features %s; no ndo-xmit now, so packets redirected into it "
		    "may drop (a veth gets it when its peer has an XDP program; some drivers only "
		    "while one is attached)", feats);
	else
		say(&r, PROBE_YES, "xdp-features %s", feats);
out:
	pnl_close(nl);
	free(nl);
	return r;
}

/* ---- seg6local and ip6tnl, in a throwaway namespace ------------------- */

enum netns_try { TRY_DT6, TRY_IP6TNL };

static int set_lo_up(struct pnl *nl)
{
	char req[256];
	struct nlmsghdr *nlh = pnl_msg(req, sizeof(req), RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = 1;                 /* lo is ifindex 1 in every netns */
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return pnl_talk(nl, nlh, NULL, NULL);
}

static int try_dt6(struct pnl *nl)
{
	struct in6_addr dst;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct nlattr *encap;
	char req[512];

	inet_pton(AF_INET6, "2001:db8:5e6::d76", &dst);
	nlh = pnl_msg(req, sizeof(req), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, sizeof(dst), &dst);
	mnl_attr_put_u32(nlh, RTA_OIF, 1);
	mnl_attr_put_u16(nlh, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_SEG6_LOCAL);
	encap = mnl_attr_nest_start(nlh, RTA_ENCAP);
	mnl_attr_put_u32(nlh, SEG6_LOCAL_ACTION, SEG6_LOCAL_ACTION_END_DT6);
	mnl_attr_put_u32(nlh, SEG6_LOCAL_TABLE, RT_TABLE_LOCAL);
	mnl_attr_nest_end(nlh, encap);
	return pnl_talk(nl, nlh, NULL, NULL);
}

static int try_ip6tnl(struct pnl *nl)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *info;
	char req[512];

	nlh = pnl_msg(req, sizeof(req), RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "mip6lbprobe0");
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ip6tnl");
	mnl_attr_nest_end(nlh, info);
	return pnl_talk(nl, nlh, NULL, NULL);
}

/* What the child reports: where it got to, and the errno there. */
struct netns_answer {
	const char *stage;   /* NULL: the request itself was answered */
	int err;             /* positive errno, 0 for success */
};

/* In the child: a network namespace of its own (gone when it exits), lo
 * up, then the one request. */
static void __attribute__((noreturn)) netns_child(int wfd, enum netns_try what)
{
	struct netns_answer a = { 0 };
	struct pnl *nl = calloc(1, sizeof(*nl));
	int err;

	if (!nl) {
		a = (struct netns_answer){ "calloc", ENOMEM };
	} else if (unshare(CLONE_NEWNET)) {
		a = (struct netns_answer){ "unshare(CLONE_NEWNET)", errno };
	} else if ((err = pnl_open(nl, NETLINK_ROUTE)) || (err = set_lo_up(nl))) {
		a = (struct netns_answer){ "rtnetlink in the namespace", -err };
	} else {
		err = what == TRY_DT6 ? try_dt6(nl) : try_ip6tnl(nl);
		a.err = -err;
	}
	/* The stage strings are static: the same addresses in the parent. */
	if (write(wfd, &a, sizeof(a)) != sizeof(a))
		_exit(1);
	_exit(0);
}

/* Fork a child that tries `what` in a namespace of its own, waiting at
 * most PROBE_NETNS_TIMEOUT_MS for its answer. */
static struct netns_answer netns_try(enum netns_try what)
{
	struct netns_answer a = { "waiting for the throwaway namespace", ETIMEDOUT };
	struct pollfd p;
	int fds[2], status, n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return (struct netns_answer){ "pipe", errno };
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		a = (struct netns_answer){ "fork", errno };
		close(fds[0]);
		close(fds[1]);
		return a;
	}
	if (!pid) {
		close(fds[0]);
		netns_child(fds[1], what);
	}
	close(fds[1]);
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	n = poll(&p, 1, PROBE_NETNS_TIMEOUT_MS);
	if (n > 0 && read(fds[0], &a, sizeof(a)) != sizeof(a))
		a = (struct netns_answer){ "the throwaway namespace's child", EPIPE };
	if (n <= 0)
		kill(pid, SIGKILL);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return a;
}

struct probe_result probe_seg6local_dt6(void)
{
	struct probe_result r = result("seg6local End.DT6", false);
	struct netns_answer a = netns_try(TRY_DT6);

	if (a.stage)
		say(&r, PROBE_UNKNOWN, "%s: %s%s", a.stage, strerror(a.err),
		    a.err == EPERM ? " (run as root to try it in a throwaway namespace)" : "");
	else if (!a.err)
		say(&r, PROBE_YES, "a seg6local End.DT6 route was added in a throwaway namespace "
		    "(backends may decapsulate with it)");
	else if (a.err == EOPNOTSUPP)
		say(&r, PROBE_NO, "kernel lacks CONFIG_IPV6_SEG6_LWTUNNEL (no seg6local End.DT6 "
		    "routes): use mip6lb-decap on the backends");
	else
		say(&r, PROBE_UNKNOWN, "adding a seg6local End.DT6 route: %s", strerror(a.err));
	return r;
}

struct probe_result probe_ip6tnl(void)
{
	struct probe_result r = result("ip6tnl", false);
	struct netns_answer a = netns_try(TRY_IP6TNL);

	if (a.stage)
		say(&r, PROBE_UNKNOWN, "%s: %s%s", a.stage, strerror(a.err),
		    a.err == EPERM ? " (run as root to try it in a throwaway namespace)" : "");
	else if (!a.err)
		say(&r, PROBE_YES, "an ip6tnl device was created in a throwaway namespace "
		    "(backends may decapsulate ip6ip6 with it)");
	else if (a.err == EOPNOTSUPP)
		say(&r, PROBE_NO, "kernel lacks CONFIG_IPV6_TUNNEL (Unknown device type ip6tnl): "
		    "use mip6lb-decap on the backends");
	else
		say(&r, PROBE_UNKNOWN, "creating an ip6tnl device: %s", strerror(a.err));
	return r;
}

/* ---- TUN ----------------------------------------------------------------- */

struct probe_result probe_tun(void)
{
	struct probe_result r = result("TUN device", false);
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd, err;

	/* The kernel picks a free name from the pattern; the device is not
	 * persistent, so closing the file deletes it. */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "mip6lbprb%%d");
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT || err == ENODEV || err == ENXIO)
			say(&r, PROBE_NO, "/dev/net/tun: %s: no TUN support (CONFIG_TUN; modprobe "
			    "tun, or mknod /dev/net/tun c 10 200): daemon.announce = on needs it",
			    strerror(err));
		else
			say(&r, PROBE_UNKNOWN, "/dev/net/tun: %s%s", strerror(err),
			    err == EACCES || err == EPERM ? " (run as root)" : "");
		return r;
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = errno;
		say(&r, err == EPERM ? PROBE_UNKNOWN : PROBE_NO, "TUNSETIFF: %s%s", strerror(err),
		    err == EPERM ? " (needs CAP_NET_ADMIN)" : "");
	} else {
		say(&r, PROBE_YES, "a TUN device was created and closed (daemon.announce = on "
		    "can own its VIP device)");
	}
	close(fd);
	return r;
}

/* ---- lists -------------------------------------------------------------- */

static int list_add(struct probe_list *l, struct probe_result r)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 32;
		struct probe_result *p = realloc(l->r, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->r = p;
		l->cap = cap;
	}
	l->r[l->n++] = r;
	return 0;
}

/* The probes mip6lbd cannot run without, bpffs aside, into l. */
static int required_probes(struct probe_list *l)
{
	enum bpf_func_id helpers[PROBE_MAX_HELPERS];
	enum bpf_map_type maps[PROBE_MAX_TYPES];
	int n_maps = PROBE_MAX_TYPES, n_helpers = PROBE_MAX_HELPERS, core, i, err;

	err = probe_datapath_uses(maps, &n_maps, helpers, &n_helpers, &core);
	if (err)
		return err;
	if ((err = list_add(l, probe_xdp_prog())) || (err = list_add(l, probe_btf())))
		return err;
	for (i = 0; i < n_maps; i++)
		if ((err = list_add(l, probe_map_type(maps[i]))))
			return err;
	for (i = 0; i < n_helpers; i++)
		if ((err = list_add(l, probe_helper(helpers[i]))))
			return err;
	return 0;
}

int probe_all(struct probe_list *l, const char *pin_dir, const char (*ifaces)[IF_NAMESIZE],
	      int n_ifaces)
{
	int i, err;

	memset(l, 0, sizeof(*l));
	if ((err = list_add(l, probe_bpffs(pin_dir))) || (err = required_probes(l)))
		goto fail;
	for (i = 0; i < n_ifaces; i++)
		if ((err = list_add(l, probe_native_xdp(ifaces[i]))))
			goto fail;
	if ((err = list_add(l, probe_seg6local_dt6())) || (err = list_add(l, probe_ip6tnl())) ||
	    (err = list_add(l, probe_tun())))
		goto fail;
	return 0;
fail:
	probe_list_free(l);
	return err;
}

void probe_list_free(struct probe_list *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}

bool probe_list_ok(const struct probe_list *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->r[i].required && l->r[i].avail != PROBE_YES)
			return false;
	return true;
}

int probe_required(const char (*ifaces)[IF_NAMESIZE], int n_ifaces, bool native,
		   struct probe_result *missing)
{
	struct probe_list l = { 0 };
	int i, err;

	err = required_probes(&l);
	if (err) {
		*missing = result("datapath object", true);
		say(missing, PROBE_UNKNOWN, "reading the datapath object's maps and helpers: %s",
		    strerror(-err));
		probe_list_free(&l);
		return err;
	}
	for (i = 0; native && i < n_ifaces; i++)
		if (if_nametoindex(ifaces[i])) {
			struct probe_result r = probe_native_xdp(ifaces[i]);

			/* Required here: xdp_mode = native was asked for.  An
			 * unknown answer is left to the attach. */
			r.required = r.avail == PROBE_NO;
			if ((err = list_add(&l, r)))
				break;
		}
	for (i = 0; !err && i < l.n; i++) {
		/* Unknown (no permission to probe, say) is not a refusal: the
		 * load itself then says what is wrong. */
		if (l.r[i].required && l.r[i].avail == PROBE_NO) {
			*missing = l.r[i];
			err = -EOPNOTSUPP;
		}
	}
	probe_list_free(&l);
	return err;
}
