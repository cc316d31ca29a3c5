// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mip6lb.skel.h"
#include "daemonfix.h"
#include "config.h"
#include "log.h"
#include "nexthop.h"
#include "pktbuild.h"

static void parse_addr(const char *text, struct in6_addr *a)
{
	ck_assert_msg(inet_pton(AF_INET6, text, a) == 1, "bad address %s", text);
}

/* The runner's pid: Check forks every test unless CK_FORK=no. */
static long run_id(void)
{
	const char *fork_mode = getenv("CK_FORK");

	return fork_mode && !strcmp(fork_mode, "no") ? (long)getpid() : (long)getppid();
}

void dfx_tmpname(char *buf, size_t len, const char *base)
{
	ck_assert_int_lt(snprintf(buf, len, "%s/mip6lb-ut-%ld-XXXXXX", base, run_id()), (int)len);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Daemons a failed test left running: their pids are in RUN_DIR/pids. */
static void kill_leftover_daemons(const char *dir)
{
	char path[PATH_MAX], comm[32];
	long pid;
	FILE *f, *c;
	int i;

	snprintf(path, sizeof(path), "%s/pids", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fscanf(f, "%ld", &pid) == 1) {
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		c = fopen(path, "r");
		if (!c)
			continue;
		if (fgets(comm, sizeof(comm), c) && !strcmp(comm, "mip6lbd\n")) {
			kill(pid, SIGKILL);
			for (i = 0; i < 100 && !kill(pid, 0); i++)
				usleep(10000);
		}
		fclose(c);
	}
	fclose(f);
}

void dfx_sweep(void)
{
	enum log_level old = log_get_level();
	char pat[128], cmd[256];
	glob_t g;
	size_t i;

	log_set_level(LOG_LVL_ERROR);
	snprintf(pat, sizeof(pat), "/tmp/mip6lb-ut-%ld-*", (long)getpid());
	if (!glob(pat, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			kill_leftover_daemons(g.gl_pathv[i]);
		globfree(&g);
	}
	snprintf(pat, sizeof(pat), "/run/netns/mip6lb-ut-%ld-*", (long)getpid());
	if (!glob(pat, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++) {
			snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null",
				 strrchr(g.gl_pathv[i], '/') + 1);
			if (system(cmd))
				continue;
		}
		globfree(&g);
	}
	/* In the runner itself, getpid() is the children's getppid(). */
	snprintf(pat, sizeof(pat), "/sys/fs/bpf/mip6lb-ut-%ld-*", (long)getpid());
	if (!glob(pat, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			datapath_flush(g.gl_pathv[i], NULL, 0);
		globfree(&g);
	}
	snprintf(pat, sizeof(pat), "/tmp/mip6lb-ut-%ld-*", (long)getpid());
	if (!glob(pat, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			nftw(g.gl_pathv[i], rm_one, 8, FTW_DEPTH | FTW_PHYS);
		globfree(&g);
	}
	log_set_level(old);
}

static void open_parts(struct dfx *f)
{
	ck_assert_int_eq(datapath_open(&f->dp, f->pin_dir,
				       f->max_sessions ? f->max_sessions : DFX_SESSIONS), 0);
	ck_assert_int_eq(state_new(&f->st, &f->dp.maps, f->nh), 0);
}

static void open_common(struct dfx *f, bool nh, __u32 max_sessions)
{
	memset(f, 0, sizeof(*f));
	f->max_sessions = max_sessions;
	f->prog_fd = -1;
	log_set_level(LOG_LVL_ERROR);
	ck_assert_int_eq(bpffs_ensure("/sys/fs/bpf"), 0);
	dfx_tmpname(f->pin_dir, sizeof(f->pin_dir), "/sys/fs/bpf");
	ck_assert_ptr_nonnull(mkdtemp(f->pin_dir));
	if (nh)
		ck_assert_int_eq(nh_open(&f->nh), 0);
	open_parts(f);
}

void dfx_open(struct dfx *f)
{
	open_common(f, false, 0);
}

void dfx_open_sized(struct dfx *f, __u32 max_sessions)
{
	open_common(f, false, max_sessions);
}

void dfx_open_nh(struct dfx *f)
{
	open_common(f, true, 0);
}

static void close_parts(struct dfx *f)
{
	if (f->prog_skel)
		mip6lb__destroy(f->prog_skel);
	f->prog_skel = NULL;
	f->prog_fd = -1;
	state_free(f->st);
	f->st = NULL;
	datapath_close(&f->dp);
}

void dfx_restart(struct dfx *f)
{
	close_parts(f);
	open_parts(f);
}

void dfx_close(struct dfx *f)
{
	close_parts(f);
	nh_close(f->nh);
	f->nh = NULL;
	ck_assert_int_eq(datapath_flush(f->pin_dir, NULL, 0), 0);
	ck_assert_int_ne(access(f->pin_dir, F_OK), 0);
}

void dfx_apply(struct dfx *f, const char *ini)
{
	struct mip6lb_config cfg;
	char err[512];
	int ret;

	ret = config_parse_string(ini, "test", &cfg, err, sizeof(err));
	ck_assert_msg(!ret, "config: %s", err);
	ck_assert_int_eq(state_apply(f->st, &cfg), 0);
	config_free(&cfg);
}

__u32 dfx_svc(struct dfx *f, const char *name)
{
	int id = state_service_id(f->st, name);

	ck_assert_msg(id >= 0, "no service %s", name);
	return id;
}

__u32 dfx_be(struct dfx *f, const char *svc, const char *name)
{
	int id = state_backend_id(f->st, svc, name);

	ck_assert_msg(id >= 0, "no backend %s/%s", svc, name);
	return id;
}

void dfx_backend(struct dfx *f, __u32 id, struct mip6lb_backend *out)
{
	ck_assert_int_eq(bpf_map_lookup_elem(f->dp.maps.backends, &id, out), 0);
}

void dfx_service_conf(struct dfx *f, __u32 id, struct mip6lb_service *out)
{
	ck_assert_int_eq(bpf_map_lookup_elem(f->dp.maps.service_conf, &id, out), 0);
}

int dfx_service_key(struct dfx *f, const char *vip, __u8 proto, __u16 port)
{
	struct mip6lb_service_key key = { .proto = proto, .port = port };
	struct mip6lb_service_ref ref;

	parse_addr(vip, &key.vip);
	if (bpf_map_lookup_elem(f->dp.maps.services, &key, &ref))
		return -errno;
	return ref.id;
}

int dfx_vip(struct dfx *f, const char *vip)
{
	struct in6_addr a;
	struct mip6lb_vip v;

	parse_addr(vip, &a);
	if (bpf_map_lookup_elem(f->dp.maps.vips, &a, &v))
		return -errno;
	return v.service_id;
}

__u32 dfx_ring_count(struct dfx *f, __u32 sid, __u32 id)
{
	__u32 *keys = calloc(MIP6LB_RING_SIZE, sizeof(*keys));
	__u32 *vals = calloc(MIP6LB_RING_SIZE, sizeof(*vals));
	__u32 i, n = 0, in, out, count = MIP6LB_RING_SIZE;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int err;

	ck_assert_ptr_nonnull(keys);
	ck_assert_ptr_nonnull(vals);
	/* An array's batch cursor is the key before the first one read. */
	in = sid * MIP6LB_RING_SIZE - 1;
	err = bpf_map_lookup_batch(f->dp.maps.rings, sid ? &in : NULL, &out, keys, vals, &count,
				   &opts);
	ck_assert_msg(!err || errno == ENOENT, "rings batch lookup: %s", strerror(errno));
	ck_assert_uint_eq(count, MIP6LB_RING_SIZE);
	ck_assert_uint_eq(keys[0], sid * MIP6LB_RING_SIZE);
	for (i = 0; i < count; i++)
		if (vals[i] == id)
			n++;
	free(keys);
	free(vals);
	return n;
}

static void session_key(__u32 sid, const char *addr, struct mip6lb_session_key *k)
{
	memset(k, 0, sizeof(*k));
	k->service_id = sid;
	k->space = MIP6LB_SPACE_ADDR;
	parse_addr(addr, &k->id.addr);
}

void dfx_session_put(struct dfx *f, __u32 sid, const char *addr, __u32 backend_id,
		     __u32 lifetime_s, __u64 last_used_ns)
{
	struct mip6lb_session_key k;
	struct mip6lb_session v = {
		.backend_id = backend_id, .kind = MIP6LB_KIND_SRC,
		.lifetime_s = lifetime_s, .last_used_ns = last_used_ns,
	};

	session_key(sid, addr, &k);
	ck_assert_int_eq(bpf_map_update_elem(f->dp.maps.sessions, &k, &v, BPF_ANY), 0);
}

void dfx_session_put_table(struct dfx *f, int table, __u32 sid, const char *addr,
			   __u32 backend_id)
{
	struct mip6lb_session_key k;
	struct mip6lb_session v = {
		.backend_id = backend_id,
		.kind = table == DP_TABLE_COA ? MIP6LB_KIND_COA : MIP6LB_KIND_SRC,
		.flags = table == DP_TABLE_PROBATION ? MIP6LB_SESS_PROBATION : 0,
		.lifetime_s = 300, .last_used_ns = dp_now_ns(),
	};
	int fds[DP_SESSION_TABLES];

	ck_assert_int_ge(table, 0);
	ck_assert_int_lt(table, DP_SESSION_TABLES);
	dp_session_tables(&f->dp.maps, fds);
	session_key(sid, addr, &k);
	ck_assert_int_eq(bpf_map_update_elem(fds[table], &k, &v, BPF_ANY), 0);
}

int dfx_session_get(struct dfx *f, __u32 sid, const char *addr, struct mip6lb_session *val)
{
	struct mip6lb_session_key k;

	session_key(sid, addr, &k);
	return bpf_map_lookup_elem(f->dp.maps.sessions, &k, val) ? -errno : 0;
}

static int count_cb(const struct mip6lb_session_key *k, const struct mip6lb_session *v, void *a)
{
	return 0;
}

long dfx_session_count(struct dfx *f)
{
	long n = dp_sessions_foreach(&f->dp.maps, count_cb, NULL);

	ck_assert_int_ge(n, 0);
	return n;
}

void dfx_load_prog(struct dfx *f)
{
	f->prog_skel = mip6lb__open();
	ck_assert_ptr_nonnull(f->prog_skel);
	ck_assert_int_eq(datapath_prepare_obj(f->prog_skel->obj, f->pin_dir, &f->dp.sizes, NULL), 0);
	ck_assert_int_eq(mip6lb__load(f->prog_skel), 0);
	f->prog_fd = bpf_program__fd(f->prog_skel->progs.mip6lb_xdp);
	ck_assert_int_ge(f->prog_fd, 0);
}

int dfx_run(struct dfx *f, const struct pb *b, __u8 dmac[6])
{
	__u8 out[PB_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = b->data,
		.data_size_in = b->len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = 1,
	);

	ck_assert_int_ge(f->prog_fd, 0);
	ck_assert_int_eq(bpf_prog_test_run_opts(f->prog_fd, &opts), 0);
	ck_assert_int_ge(opts.data_size_out, 6);
	memcpy(dmac, out, 6);
	return opts.retval;
}

int dfx_run_udp(struct dfx *f, const char *src, const char *vip, __u16 port, __u8 dmac[6])
{
	struct pb b;

	pb_init(&b, src, vip);
	pb_udp(&b, 40000, port, 16);
	pb_finish(&b);
	return dfx_run(f, &b, dmac);
}
