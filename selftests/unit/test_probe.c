// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_probe.c - lib/hostprobe.c against the machine it runs on.  Nothing
 * about this kernel is written into the expectations: each test first
 * finds the fact a second way (statfs, a map or program of its own, the
 * real datapath object loaded, `ip` in a namespace of its own, a native
 * attach) and then asserts the probe says the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mip6lb.skel.h"
#include "harness.h"
#include "log.h"
#include "hostprobe.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void assert_definite(const struct probe_result *r)
{
	ck_assert_msg(r->avail == PROBE_YES || r->avail == PROBE_NO, "%s: %s (%s)", r->name,
		      probe_avail_name(r->avail), r->detail);
	ck_assert_msg(r->detail[0], "%s: empty detail", r->name);
	ck_assert_msg(r->name[0], "a result without a name");
}

static void assert_says(const struct probe_result *r, bool yes)
{
	assert_definite(r);
	ck_assert_msg(r->avail == (yes ? PROBE_YES : PROBE_NO), "%s: probe says %s, expected %s (%s)",
		      r->name, probe_avail_name(r->avail), yes ? "yes" : "no", r->detail);
}

/* ---- bpffs --------------------------------------------------------------- */

START_TEST(test_bpffs)
{
	char dir[] = "/tmp/mip6lb-probe-XXXXXX", sub[64];
	struct probe_result r;
	struct statfs st;
	bool bpffs;

	ck_assert_int_eq(statfs("/sys/fs/bpf", &st), 0);
	bpffs = st.f_type == BPF_FS_MAGIC;
	r = probe_bpffs("/sys/fs/bpf");
	assert_says(&r, bpffs);
	ck_assert_str_eq(r.name, "bpffs");
	ck_assert(r.required);
	/* A pin dir that does not exist yet: its parent's filesystem. */
	r = probe_bpffs("/sys/fs/bpf/mip6lb-probe-none/deeper");
	assert_says(&r, bpffs);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(statfs(dir, &st), 0);
	ck_assert(st.f_type != BPF_FS_MAGIC);
	snprintf(sub, sizeof(sub), "%s/pins", dir);
	r = probe_bpffs(sub);
	assert_says(&r, false);
	ck_assert_msg(strstr(r.detail, "bpffs") && strstr(r.detail, sub), "%s", r.detail);
	ck_assert_msg(strstr(r.detail, "mount -t bpf bpf"), "no fix named: %s", r.detail);
	ck_assert_int_eq(rmdir(dir), 0);

	r = probe_bpffs("relative/pins");
	assert_says(&r, false);
}
END_TEST

/* ---- XDP program type, map types, helpers -------------------------------- */

START_TEST(test_xdp_prog)
{
	/* r0 = XDP_PASS; exit */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct probe_result r;
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe_test", "GPL", insns, N_OF(insns), NULL);
	r = probe_xdp_prog();
	assert_says(&r, fd >= 0);
	ck_assert(r.required);
	if (fd >= 0)
		close(fd);
}
END_TEST

/* A map of this type made here, with the sizes the type needs. */
static bool can_create(enum bpf_map_type t)
{
	int fd;

	if (t == BPF_MAP_TYPE_RINGBUF)
		fd = bpf_map_create(t, NULL, 0, 0, sysconf(_SC_PAGESIZE), NULL);
	else
		fd = bpf_map_create(t, NULL, 4, 4, 4, NULL);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The words after "BPF_MAP_TYPE_" and "bpf_...(" in the datapath's
 * sources, which the object-derived lists must match. */
static bool source_names(const char *pattern, const char *word, bool call)
{
	char path[PATH_MAX], *buf = NULL, needle[96];
	size_t cap = 0;
	glob_t g;
	size_t i;
	bool found = false;

	snprintf(path, sizeof(path), "%s/bpf/%s", harness_src_dir(), pattern);
	ck_assert_int_eq(glob(path, 0, NULL, &g), 0);
	snprintf(needle, sizeof(needle), "%s%s", word, call ? "(" : "");
	for (i = 0; i < g.gl_pathc && !found; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		ck_assert_ptr_nonnull(f);
		while (getline(&buf, &cap, f) > 0)
			if (strstr(buf, needle)) {
				/* a whole word: not bpf_redirect_map for bpf_redirect */
				char *p = strstr(buf, needle);
				char before = p == buf ? ' ' : p[-1];

				if (before != '_' && !((before >= 'a' && before <= 'z') ||
						       (before >= '0' && before <= '9'))) {
					found = true;
					break;
				}
			}
		fclose(f);
	}
	free(buf);
	globfree(&g);
	return found;
}

START_TEST(test_datapath_uses)
{
	enum bpf_func_id helpers[64];
	enum bpf_map_type maps[32];
	int n_maps = N_OF(maps), n_helpers = N_OF(helpers), core = -1, i, id;
	char word[96];

	ck_assert_int_eq(probe_datapath_uses(maps, &n_maps, helpers, &n_helpers, &core), 0);
	ck_assert_int_gt(n_maps, 0);
	ck_assert_int_gt(n_helpers, 0);
	ck_assert_int_ge(core, 0);
	/* Every map type it found is named in bpf/maps.h ... */
	for (i = 0; i < n_maps; i++) {
		const char *s = libbpf_bpf_map_type_str(maps[i]);
		int k;

		ck_assert_ptr_nonnull(s);
		snprintf(word, sizeof(word), "BPF_MAP_TYPE_");
		for (k = 0; s[k]; k++)
			word[13 + k] = s[k] >= 'a' && s[k] <= 'z' ? s[k] - 32 : s[k];
		word[13 + k] = '\0';
		ck_assert_msg(source_names("maps.h", word, false), "%s not in bpf/maps.h", word);
	}
	/* ... and every helper the sources call is in the object's list. */
	for (id = 1; id < 1024; id++) {
		const char *hn = probe_helper_name(id);
		bool listed = false;

		if (!hn)
			continue;
		for (i = 0; i < n_helpers; i++)
			listed |= helpers[i] == (enum bpf_func_id)id;
		/* The datapath's sources and mip6lb-decap's (health.bpf.c is
		 * mip6lbd's tc program, another object with its own helpers). */
		if (source_names("*.h", hn, true) || source_names("[dm]*.bpf.c", hn, true))
			ck_assert_msg(listed, "%s is called in bpf/ but not found in the object", hn);
	}
}
END_TEST

/* The real datapath object, loaded here, is the independent answer for
 * every map type and helper it uses. */
START_TEST(test_required_vs_real_load)
{
	enum bpf_func_id helpers[64];
	enum bpf_map_type maps[32];
	int n_maps = N_OF(maps), n_helpers = N_OF(helpers), core, i, err;
	struct probe_result missing, r;
	struct mip6lb *skel;
	bool loads;

	log_set_level(LOG_LVL_ERROR);
	skel = mip6lb__open();
	ck_assert_ptr_nonnull(skel);
	loads = !mip6lb__load(skel);
	mip6lb__destroy(skel);

	ck_assert_int_eq(probe_datapath_uses(maps, &n_maps, helpers, &n_helpers, &core), 0);
	for (i = 0; i < n_maps; i++) {
		r = probe_map_type(maps[i]);
		assert_says(&r, can_create(maps[i]));
		ck_assert(r.required);
		ck_assert_msg(strncmp(r.name, "map type ", 9) == 0, "%s", r.name);
	}
	for (i = 0; i < n_helpers; i++) {
		r = probe_helper(helpers[i]);
		assert_definite(&r);
		ck_assert(r.required);
		if (loads)
			assert_says(&r, true);
	}
	r = probe_btf();
	if (core > 0)
		assert_says(&r, loads);
	else
		assert_definite(&r);

	err = probe_required(NULL, 0, false, &missing);
	if (loads)
		ck_assert_msg(err == 0, "probe_required: %s", missing.detail);
	else
		ck_assert_msg(err == -EOPNOTSUPP && missing.detail[0],
			      "the datapath does not load here, yet probe_required passed");
}
END_TEST

/* ---- End.DT6 and ip6tnl ------------------------------------------------- */

/* Run sh -c cmd; its exit code, and whether its stderr holds want. */
static int sh_stderr(const char *cmd, const char *want, bool *has)
{
	char full[1024], err_path[] = "/tmp/mip6lb-probe-err-XXXXXX", buf[1024] = "";
	int fd = mkstemp(err_path), rc;
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	snprintf(full, sizeof(full), "%s 2>%s", cmd, err_path);
	rc = system(full);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(err_path);
	*has = strstr(buf, want) != NULL;
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

struct kernel_case {
	struct probe_result (*probe)(void);
	const char *name;
	const char *cmd;            /* the same thing with ip(8) */
	const char *no_msg;         /* ip's message when the kernel lacks it */
	const char *config;         /* the CONFIG_ the probe names then */
};

static const struct kernel_case kernel_cases[] = {
	{ probe_seg6local_dt6, "seg6local End.DT6",
	  "unshare -n sh -c 'ip link set lo up && ip -6 route add 2001:db8:5e6::1/128 "
	  "encap seg6local action End.DT6 table 255 dev lo'",
	  "lwt encapsulation type not supported", "CONFIG_IPV6_SEG6_LWTUNNEL" },
	{ probe_ip6tnl, "ip6tnl",
	  "unshare -n ip link add mip6lbt0 type ip6tnl",
	  "Unknown device type", "CONFIG_IPV6_TUNNEL" },
};

START_TEST(test_kernel_features)
{
	const struct kernel_case *c = &kernel_cases[_i];
	struct probe_result r;
	bool lacks;
	int rc = sh_stderr(c->cmd, c->no_msg, &lacks);

	r = c->probe();
	ck_assert_str_eq(r.name, c->name);
	ck_assert(!r.required);
	if (rc == 0) {
		assert_says(&r, true);
	} else {
		ck_assert_msg(lacks, "`%s` failed (exit %d) for a reason other than a missing "
			      "kernel feature", c->cmd, rc);
		assert_says(&r, false);
		ck_assert_msg(strstr(r.detail, c->config) && strstr(r.detail, "mip6lb-decap"),
			      "%s", r.detail);
	}
}
END_TEST

/* ---- native XDP ------------------------------------------------------------ */

/* A native attach of a program of our own: 0 or a negative errno. */
static int native_attach(const char *ifname)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd, ifindex = if_nametoindex(ifname), err;

	ck_assert_int_gt(ifindex, 0);
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe_test", "GPL", insns, N_OF(insns), NULL);
	ck_assert_int_ge(fd, 0);
	err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL);
	if (!err)
		ck_assert_int_eq(bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL), 0);
	close(fd);
	return err;
}

START_TEST(test_native_xdp)
{
	const char ifaces[][IF_NAMESIZE] = { "lo" };
	struct probe_result r, missing;
	int err;

	/* lo's refused attach is expected: keep libbpf's warning quiet. */
	log_set_level(LOG_LVL_ERROR);
	log_hook_libraries();
	/* Check's forked child: the namespace goes with it. */
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	ck_assert_int_eq(system("ip link set lo up && ip link add pv0 type veth peer name pv1 && "
				"ip link set pv0 up && ip link set pv1 up"), 0);

	r = probe_native_xdp("pv0");
	ck_assert_str_eq(r.ifname, "pv0");
	ck_assert(!r.required);
	if (r.avail == PROBE_UNKNOWN)
		/* Only a kernel without the netdev family may say so. */
		ck_assert_msg(strstr(r.detail, "no netdev netlink family"), "%s", r.detail);
	else
		assert_says(&r, native_attach("pv0") == 0);

	r = probe_native_xdp("lo");
	err = native_attach("lo");
	if (r.avail != PROBE_UNKNOWN) {
		assert_says(&r, err == 0);
	}
	if (r.avail == PROBE_NO) {
		ck_assert_str_eq(r.detail, "interface lo has no native XDP (driver lacks it): "
			"set xdp_mode = generic");
		/* mip6lbd with xdp_mode = native refuses lo before loading. */
		ck_assert_int_eq(probe_required(ifaces, 1, true, &missing), -EOPNOTSUPP);
		ck_assert_str_eq(missing.detail, r.detail);
	}

	r = probe_native_xdp("nosuchdev0");
	assert_says(&r, false);
	ck_assert_ptr_nonnull(strstr(r.detail, "nosuchdev0"));
}
END_TEST

/* ---- the whole list ------------------------------------------------------ */

START_TEST(test_probe_all)
{
	const char ifaces[][IF_NAMESIZE] = { "lo", "nosuchdev0" };
	struct probe_list l;
	bool seen_xdp = false, seen_btf = false;
	int i;

	ck_assert_int_eq(probe_all(&l, "/sys/fs/bpf/mip6lb-probe-none", ifaces, 2), 0);
	ck_assert_int_ge(l.n, 7);
	ck_assert_str_eq(l.r[0].name, "bpffs");
	ck_assert_str_eq(l.r[l.n - 3].name, "seg6local End.DT6");
	ck_assert_str_eq(l.r[l.n - 2].name, "ip6tnl");
	ck_assert_str_eq(l.r[l.n - 1].name, "TUN device");
	/* Optional: only daemon.announce needs it; answered by trying it. */
	ck_assert(!l.r[l.n - 1].required);
	ck_assert_int_eq(l.r[l.n - 1].avail, access("/dev/net/tun", F_OK) ? PROBE_NO : PROBE_YES);
	ck_assert_str_eq(l.r[l.n - 5].ifname, "lo");
	ck_assert_str_eq(l.r[l.n - 4].ifname, "nosuchdev0");
	for (i = 0; i < l.n; i++) {
		const struct probe_result *r = &l.r[i];

		ck_assert_msg(r->avail == PROBE_YES || r->avail == PROBE_NO ||
			      r->avail == PROBE_UNKNOWN, "%s: %d", r->name, r->avail);
		ck_assert_msg(r->detail[0], "%s: empty detail", r->name);
		seen_xdp |= !strcmp(r->name, "XDP programs");
		seen_btf |= !strcmp(r->name, "kernel BTF");
		if (r->ifname[0])
			ck_assert(!r->required);
	}
	ck_assert(seen_xdp && seen_btf);
	/* The verdict is the required rows' and nothing else's. */
	for (i = 0; i < l.n; i++)
		if (l.r[i].required && l.r[i].avail != PROBE_YES)
			break;
	ck_assert_int_eq(probe_list_ok(&l), i == l.n);
	probe_list_free(&l);
}
END_TEST

MIP6LB_SUITE(probe, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("probe");

	tcase_add_test(tc, test_bpffs);
	tcase_add_test(tc, test_xdp_prog);
	tcase_add_test(tc, test_datapath_uses);
	tcase_add_test(tc, test_required_vs_real_load);
	tcase_add_loop_test(tc, test_kernel_features, 0, N_OF(kernel_cases));
	tcase_add_test(tc, test_native_xdp);
	tcase_add_test(tc, test_probe_all);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
