// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The built binary, build/mip6lbd: --check-config and usage exit codes,
 * then whole lifecycles on a temporary pin dir and socket: start, SIGHUP
 * (good and bad config), SIGTERM (pins kept), restart (maps adopted,
 * sessions kept), kill -9 and restart, incompatible pins, --flush; an
 * attach in a private network namespace; the host checks at start (a
 * pin dir off bpffs, native XDP on a driver without it); and the control
 * socket against a hostile or careless user: --socket naming a file, the
 * descriptor limit reached by idle connections, a client's control bytes
 * in the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <check.h>
#include <json-c/json.h>
#include <bpf/bpf.h>
#include "harness.h"
#include <netinet/in.h>
#include "mip6lb.h"
#include "daemonfix.h"
#include "log.h"

#define SVC_CFG \
	"[service web]\nvip = 2001:db8::80\nproto = udp\nport = 80\n" \
	"[backend web s1]\naddr = 2001:db8:1::1\nmac = 02:be:00:00:00:01\ndev = lo\n"
#define S2_CFG "[backend web s2]\naddr = 2001:db8:1::2\nmac = 02:be:00:00:00:02\ndev = lo\n"

static char bin[512];
static char tmp_dir[64];
static char cfg[128], log_path[128], sock[100];
static char pin_dir[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static char *read_file(const char *path)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static void setup(void)
{
	snprintf(bin, sizeof(bin), "%s/mip6lbd", harness_build_dir());
	ck_assert_msg(!access(bin, X_OK), "%s: %s", bin, strerror(errno));
	dfx_tmpname(tmp_dir, sizeof(tmp_dir), "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
	snprintf(cfg, sizeof(cfg), "%s/mip6lb.conf", tmp_dir);
	snprintf(log_path, sizeof(log_path), "%s/log", tmp_dir);
	snprintf(sock, sizeof(sock), "%s/run/mip6lbd.sock", tmp_dir);
	dfx_tmpname(pin_dir, sizeof(pin_dir), "/sys/fs/bpf");
	ck_assert_ptr_nonnull(mkdtemp(pin_dir));
}

static void teardown(void)
{
	char cmd[1024];

	/* Whatever a failed test left: pins (via the binary), then files. */
	snprintf(cmd, sizeof(cmd), "'%s' --flush --pin-dir %s >/dev/null 2>&1; rm -rf '%s'", bin,
		 pin_dir, tmp_dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_ne(access(pin_dir, F_OK), 0);
}

/* Run bin with args to completion; its stderr (and stdout) into log. */
static int run(const char *const *args, char **out)
{
	const char *argv[32];
	int i, status, fd;
	pid_t pid;

	argv[0] = bin;
	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	if (out)
		*out = read_file(log_path);
	return WEXITSTATUS(status);
}

START_TEST(test_check_config_and_usage)
{
	const char *check[] = { "--check-config", "-c", cfg, NULL };
	const char *bad_mode[] = { "--xdp-mode", "turbo", NULL };
	const char *extra[] = { "-c", cfg, "stray", NULL };
	const char *help[] = { "-h", NULL };
	char want[256], *out;

	write_file(cfg, "[daemon]\ninterface = eth0\n" SVC_CFG);
	ck_assert_int_eq(run(check, &out), 0);
	ck_assert_str_eq(out, "");

	write_file(cfg, "[daemon]\n[service web]\nvip = 2001:db8::80\ncolour = blue\n");
	ck_assert_int_eq(run(check, &out), 2);
	snprintf(want, sizeof(want), "%s:4: unknown key 'colour' in [service]\n", cfg);
	ck_assert_str_eq(out, want);

	write_file(cfg, SVC_CFG "[backend web s2]\naddr = 2001:db8:1::1\n");
	ck_assert_int_eq(run(check, &out), 2);
	snprintf(want, sizeof(want), "%s:9: backend 'web s2' has the same addr as 's1' (line 5)\n",
		 cfg);
	ck_assert_str_eq(out, want);

	unlink(cfg);
	ck_assert_int_eq(run(check, &out), 2);
	snprintf(want, sizeof(want), "%s: No such file or directory\n", cfg);
	ck_assert_str_eq(out, want);

	ck_assert_int_eq(run(bad_mode, &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "--xdp-mode turbo"));
	ck_assert_int_eq(run(extra, &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "unexpected argument 'stray'"));
	ck_assert_int_eq(run(help, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "Usage: mip6lbd"));
}
END_TEST

/* ---- a running daemon ---------------------------------------------------- */

/* A daemon started in netns_fd's namespace when it is set, and with
 * RLIMIT_NOFILE lowered to nofile when that is. */
static int netns_fd = -1;
static rlim_t nofile;

/* dfx_sweep() kills what a failed test leaves running. */
static void record_pid(pid_t pid)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/pids", tmp_dir);
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d\n", (int)pid);
	ck_assert_int_eq(fclose(f), 0);
}

static pid_t start(const char *const *extra)
{
	const char *argv[32] = { bin, "-c", cfg, "--pin-dir", pin_dir, "--socket", sock };
	int i, n = 7, fd;
	pid_t pid;

	for (i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET))
			_exit(126);
		if (nofile) {
			struct rlimit rl = { nofile, nofile };

			if (setrlimit(RLIMIT_NOFILE, &rl))
				_exit(125);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	record_pid(pid);
	return pid;
}

static int try_request(const char *req, char *resp, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	ck_assert_int_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	ck_assert_int_eq(send(fd, "\n", 1, MSG_NOSIGNAL), 1);
	while (got < len - 1 && (n = recv(fd, resp + got, len - 1 - got, 0)) > 0)
		got += n;
	resp[got] = '\0';
	close(fd);
	return 0;
}

/* The daemon's "data" for req; waits (up to 10 s) for the socket. */
static struct json_object *request(const char *req)
{
	static struct json_object *last;
	struct json_object *r, *v;
	char resp[65536];
	int i;

	for (i = 0; i < 200 && try_request(req, resp, sizeof(resp)); i++)
		usleep(50000);
	ck_assert_msg(i < 200, "no daemon on %s; log:\n%s", sock, read_file(log_path));
	r = json_tokener_parse(resp);
	ck_assert_msg(r != NULL, "'%s'", resp);
	ck_assert_msg(json_object_object_get_ex(r, "ok", &v) && json_object_get_boolean(v),
		      "%s -> %s", req, resp);
	ck_assert(json_object_object_get_ex(r, "data", &v));
	json_object_put(last);
	last = r;
	return v;
}

static int jint(struct json_object *o, const char *k)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no %s", k);
	return json_object_get_int(v);
}

static int wait_exit(pid_t pid)
{
	int status, i;

	for (i = 0; i < 200; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		ck_assert_int_ge(r, 0);
		if (r == pid) {
			ck_assert(WIFEXITED(status) || WIFSIGNALED(status));
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_abort_msg("mip6lbd did not exit; log:\n%s", read_file(log_path));
	return -1;
}

static bool alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static void wait_backends(int n)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (jint(request("{\"cmd\":\"status\"}"), "backends") == n)
			return;
		usleep(20000);
	}
	ck_abort_msg("never %d backends; log:\n%s", n, read_file(log_path));
}

static int pinned_fd(const char *map)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, map);
	fd = bpf_obj_get(path);
	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	return fd;
}

static void session_key(struct mip6lb_session_key *k)
{
	memset(k, 0, sizeof(*k));
	k->service_id = 0;
	k->space = MIP6LB_SPACE_ADDR;
	k->id.addr.s6_addr[0] = 0x20;
	k->id.addr.s6_addr[15] = 0x42;
}

START_TEST(test_daemon_lifecycle)
{
	const char *flush[] = { "--flush", "--pin-dir", pin_dir, NULL };
	struct mip6lb_session_key k;
	struct mip6lb_session v = { .backend_id = 0, .kind = MIP6LB_KIND_SRC,
				    .lifetime_s = 0, .last_used_ns = 7 };
	struct json_object *st;
	char *out, want[256];
	pid_t pid;
	int fd;

	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG);
	pid = start(NULL);
	st = request("{\"cmd\":\"status\"}");
	ck_assert_int_eq(jint(st, "pid"), pid);
	ck_assert_int_eq(jint(st, "services"), 1);
	ck_assert_int_eq(jint(st, "backends"), 1);
	{
		struct stat sb;

		ck_assert_int_eq(stat(sock, &sb), 0);
		ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	}
	/* A live session, as the datapath would have made it. */
	session_key(&k);
	fd = pinned_fd("sessions");
	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	close(fd);

	/* SIGHUP: a good file applies, a bad one is refused. */
	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG S2_CFG);
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	wait_backends(2);
	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG S2_CFG "weight = heavy\n");
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	usleep(300000);
	ck_assert(alive(pid));
	wait_backends(2);
	out = read_file(log_path);
	snprintf(want, sizeof(want), "%s:15: weight = 'heavy'", cfg);
	ck_assert_msg(strstr(out, want), "log:\n%s", out);
	ck_assert_ptr_nonnull(strstr(out, "keeping the running config"));

	/* SIGTERM: exit 0, socket gone, pins kept. */
	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG S2_CFG);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
	ck_assert_int_ne(access(sock, F_OK), 0);
	close(pinned_fd("services"));

	/* Restart: the maps are adopted and the session is still there. */
	pid = start(NULL);
	ck_assert_int_eq(jint(request("{\"cmd\":\"status\"}"), "sessions"), 1);
	out = read_file(log_path);
	ck_assert_ptr_nonnull(strstr(out, "adopted 20 pinned maps"));
	fd = pinned_fd("sessions");
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &v), 0);
	ck_assert_uint_eq(v.last_used_ns, 7);
	close(fd);

	/* kill -9 leaves the socket file and the lock's dir behind; the next
	 * start takes over both. */
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(wait_exit(pid), 128 + SIGKILL);
	ck_assert_int_eq(access(sock, F_OK), 0);
	pid = start(NULL);
	ck_assert_int_eq(jint(request("{\"cmd\":\"status\"}"), "sessions"), 1);
	ck_assert_int_eq(jint(request("{\"cmd\":\"status\"}"), "backends"), 2);
	/* A second daemon on the same pins is refused. */
	{
		pid_t p2 = start(NULL);

		ck_assert_int_eq(wait_exit(p2), 1);
		ck_assert_ptr_nonnull(strstr(read_file(log_path), "in use by another mip6lbd"));
	}
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);

	/* Start with a rejected config: exit 2, FILE:LINE. */
	write_file(cfg, "[daemon]\nmax_sessions = lots\n");
	pid = start(NULL);
	ck_assert_int_eq(wait_exit(pid), 2);
	snprintf(want, sizeof(want), "%s:2: max_sessions = 'lots'", cfg);
	ck_assert_ptr_nonnull(strstr(read_file(log_path), want));

	/* Another max_sessions does not fit the pinned sessions map. */
	write_file(cfg, "[daemon]\nmax_sessions = 8192\n" SVC_CFG);
	pid = start(NULL);
	ck_assert_int_eq(wait_exit(pid), 1);
	ck_assert_ptr_nonnull(strstr(read_file(log_path), "run 'mip6lbd --flush'"));

	ck_assert_int_eq(run(flush, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "removed 20 pinned maps"));
	ck_assert_int_ne(access(pin_dir, F_OK), 0);
}
END_TEST

/* The daemon in a network namespace of its own, attached to a veth. */
START_TEST(test_daemon_attach_in_netns)
{
	struct json_object *st, *ifs, *ifc, *v;
	pid_t pid;
	int fd, status;

	write_file(cfg, "[daemon]\nmax_sessions = 4096\nxdp_mode = native\n" SVC_CFG);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		const char *argv[] = { bin, "-c", cfg, "--pin-dir", pin_dir, "--socket", sock,
				       "-i", "mtv0", NULL };

		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		if (unshare(CLONE_NEWNET))
			_exit(120);
		if (system("ip link add mtv0 type veth peer name mtv1 && ip link set mtv0 up && "
			   "ip link set mtv1 up"))
			_exit(121);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	record_pid(pid);
	st = request("{\"cmd\":\"status\"}");
	ck_assert(json_object_object_get_ex(st, "interfaces", &ifs));
	ck_assert_uint_eq(json_object_array_length(ifs), 1);
	ifc = json_object_array_get_idx(ifs, 0);
	ck_assert(json_object_object_get_ex(ifc, "name", &v));
	ck_assert_str_eq(json_object_get_string(v), "mtv0");
	ck_assert(json_object_object_get_ex(ifc, "mode", &v));
	ck_assert_str_eq(json_object_get_string(v), "native");
	ck_assert_int_gt(jint(ifc, "ifindex"), 0);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	status = wait_exit(pid);
	ck_assert_msg(status == 0, "exit %d; log:\n%s", status, read_file(log_path));
	ck_assert_ptr_nonnull(strstr(read_file(log_path), "interface mtv0: mip6lb_xdp detached"));
	close(pinned_fd("services"));
}
END_TEST

static struct json_object *iface0(void)
{
	struct json_object *ifs;

	ck_assert(json_object_object_get_ex(request("{\"cmd\":\"status\"}"), "interfaces", &ifs));
	ck_assert_uint_eq(json_object_array_length(ifs), 1);
	return json_object_array_get_idx(ifs, 0);
}

/* kill -9 leaves the program attached and balancing; the next daemon takes
 * the interface over in place (atomically, without the dispatcher). */
START_TEST(test_daemon_restart_takes_over_program)
{
	char name[64], cmd[512], path[128];
	int id1, id2;
	pid_t pid;

	/* mip6lb-ut-RUN-XXXXXX, like the temp dir: dfx_sweep() finds it. */
	snprintf(name, sizeof(name), "%s", strrchr(tmp_dir, '/') + 1);
	snprintf(cmd, sizeof(cmd), "ip netns add %s && ip -n %s link add mtv0 type veth peer name "
		 "mtv1 && ip -n %s link set mtv0 up && ip -n %s link set mtv1 up", name, name,
		 name, name);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(netns_fd, 0);
	write_file(cfg, "[daemon]\ninterface = mtv0\nxdp_mode = native\nmax_sessions = 4096\n"
		   SVC_CFG);

	pid = start(NULL);
	id1 = jint(iface0(), "ifindex");
	ck_assert_int_gt(id1, 0);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(wait_exit(pid), 128 + SIGKILL);

	pid = start(NULL);
	id2 = jint(iface0(), "ifindex");
	ck_assert_int_eq(id2, id1);
	ck_assert_msg(strstr(read_file(log_path), "replaced the earlier mip6lb_xdp") ||
		      strstr(read_file(log_path), "detached the earlier mip6lb_xdp"),
		      "log:\n%s", read_file(log_path));
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
	ck_assert_ptr_nonnull(strstr(read_file(log_path), "interface mtv0: mip6lb_xdp detached"));

	close(netns_fd);
	netns_fd = -1;
	snprintf(cmd, sizeof(cmd), "ip netns del %s", name);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The daemon in a private network namespace with lo up (so notify_listen
 * can bind ::1 without touching the host's port space). */
static pid_t start_private_netns(void)
{
	const char *argv[] = { bin, "-c", cfg, "--pin-dir", pin_dir, "--socket", sock, NULL };
	pid_t pid = fork();
	int fd;

	ck_assert_int_ge(pid, 0);
	if (!pid) {
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		if (unshare(CLONE_NEWNET) || system("ip link set lo up"))
			_exit(120);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	record_pid(pid);
	return pid;
}

static void write_notify_cfg(const char *listen, bool with_peer, int events)
{
	char text[2048], key[160];
	int fd;

	snprintf(key, sizeof(key), "%s/ha.key", tmp_dir);
	fd = open(key, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
	close(fd);
	snprintf(text, sizeof(text),
		 "[daemon]\nmax_sessions = 4096\nevents_per_sec = %d\nnotify_listen = %s\n"
		 "[service web]\nvip = 2001:db8::80\nproto = udp\nport = 80\nnotify = %s\n"
		 "[backend web s1]\naddr = 2001:db8:1::1\nmac = 02:be:00:00:00:01\ndev = lo\n"
		 "%s%s%s", events, listen, with_peer ? "ha" : "off",
		 with_peer ? "[peer ha1]\naddr = ::1\nrole = ha\nhome_prefix = 2001:db8:100::/48\n"
			     "key_file = " : "", with_peer ? key : "", with_peer ? "\n" : "");
	write_file(cfg, text);
}

/* Notifications in the real daemon: a config without events for them
 * refused, opened when configured, peer list through the socket, a reload
 * that drops the peer, and a notify_listen that cannot be bound stopping
 * the start. */
START_TEST(test_daemon_notify)
{
	struct json_object *pl, *peers, *p, *v;
	char *log;
	pid_t pid;
	int i;

	/* Notifications learn of nodes from events only: exit 2. */
	write_notify_cfg("[::1]:5400", true, 0);
	pid = start_private_netns();
	ck_assert_int_eq(wait_exit(pid), 2);
	log = read_file(log_path);
	ck_assert_msg(strstr(log, ":3: events_per_sec = 0, but service 'web' (line 5) has "
			      "notify = ha"), "log:\n%s", log);

	/* Not a local address: exit 1 before anything is attached. */
	write_notify_cfg("[2001:db8::dead]:5400", true, 1000);
	pid = start_private_netns();
	ck_assert_int_eq(wait_exit(pid), 1);
	log = read_file(log_path);
	/* "notify: binding [ADDR]:PORT with a N-byte receive buffer: ERROR" */
	ck_assert_msg(strstr(log, "notify: binding [2001:db8::dead]:5400 with a ") &&
		      strstr(log, "-byte receive buffer: Cannot assign requested address"),
		      "log:\n%s", log);

	write_notify_cfg("[::1]:5400", true, 1000);
	pid = start_private_netns();
	pl = request("{\"cmd\":\"peer list\"}");
	ck_assert(json_object_object_get_ex(pl, "peers", &peers));
	ck_assert_uint_eq(json_object_array_length(peers), 1);
	p = json_object_array_get_idx(peers, 0);
	ck_assert(json_object_object_get_ex(p, "name", &v));
	ck_assert_str_eq(json_object_get_string(v), "ha1");
	ck_assert(json_object_object_get_ex(pl, "no_peer", NULL));
	log = read_file(log_path);
	ck_assert_msg(strstr(log, "notify: listening on [::1]:5400, 1 peers"), "log:\n%s", log);
	{
		struct mip6lb_settings set;
		__u32 zero = 0;
		int fd = pinned_fd("settings");

		ck_assert_int_eq(bpf_map_lookup_elem(fd, &zero, &set), 0);
		ck_assert_uint_eq(set.events_per_sec, 1000);
		close(fd);
	}

	/* Reload without peer and notify (events_per_sec = 0 is fine then):
	 * the module stays, empty. */
	write_notify_cfg("[::1]:5400", false, 0);
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	for (i = 0; i < 100; i++) {
		pl = request("{\"cmd\":\"peer list\"}");
		ck_assert(json_object_object_get_ex(pl, "peers", &peers));
		if (!json_object_array_length(peers))
			break;
		usleep(20000);
	}
	ck_assert_uint_eq(json_object_array_length(peers), 0);
	ck_assert(json_object_object_get_ex(pl, "unknown_peer", NULL));
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
}
END_TEST

/* ---- host checks at start ------------------------------------------------ */

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A pin dir that is not on bpffs stops the start with one line that names
 * bpffs and the fix, before anything is loaded. */
START_TEST(test_daemon_pin_dir_not_bpffs)
{
	char pins[160], *out;
	const char *argv[] = { "-c", cfg, "--pin-dir", pins, "--socket", sock, NULL };

	snprintf(pins, sizeof(pins), "%s/pins", tmp_dir);
	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG);
	ck_assert_int_eq(run(argv, &out), 1);
	ck_assert_msg(count_lines(out) == 1, "not one line:\n%s", out);
	ck_assert_msg(!strncmp(out, "mip6lbd: error: pin dir ", 24) && strstr(out, pins) &&
		      strstr(out, "is not on a bpffs mount") &&
		      strstr(out, "pass a --pin-dir under /sys/fs/bpf"), "%s", out);
	ck_assert_int_ne(access(sock, F_OK), 0);
}
END_TEST

/* xdp_mode = native on an interface whose driver has no XDP (lo): one
 * line naming the interface and the fix.  The line is the same whether
 * the check before loading says so (netdev family) or the attach does. */
START_TEST(test_daemon_native_without_driver_xdp)
{
	const char *want = "mip6lbd: error: interface lo has no native XDP (driver lacks it): "
			   "set xdp_mode = generic\n";
	char *out;
	pid_t pid;
	int fd;

	write_file(cfg, "[daemon]\nmax_sessions = 4096\nxdp_mode = native\ninterface = lo\n"
		   SVC_CFG);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		const char *argv[] = { bin, "-c", cfg, "--pin-dir", pin_dir, "--socket", sock,
				       NULL };

		fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		if (unshare(CLONE_NEWNET) || system("ip link set lo up"))
			_exit(120);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	record_pid(pid);
	ck_assert_int_eq(wait_exit(pid), 1);
	out = read_file(log_path);
	ck_assert_msg(strstr(out, want), "log:\n%s", out);
	/* Said once, and with nothing after it. */
	ck_assert_str_eq(strstr(out, want), want);
}
END_TEST

/* ---- hostile and faulty config files (issue 11) ----------------------- */

/* The daemon's reply to req: ok or not, and its error (or ""). */
static bool reply(const char *req, char *error, size_t len)
{
	struct json_object *r, *v;
	char resp[65536];
	bool ok;
	int i;

	for (i = 0; i < 200 && try_request(req, resp, sizeof(resp)); i++)
		usleep(50000);
	ck_assert_msg(i < 200, "no daemon on %s; log:\n%s", sock, read_file(log_path));
	r = json_tokener_parse(resp);
	ck_assert_msg(r != NULL, "'%s'", resp);
	ck_assert(json_object_object_get_ex(r, "ok", &v));
	ok = json_object_get_boolean(v);
	snprintf(error, len, "%s", json_object_object_get_ex(r, "error", &v) && v ?
		 json_object_get_string(v) : "");
	json_object_put(r);
	return ok;
}

/* A FIFO as the config or as a key file: --check-config says why, at
 * once, instead of waiting for a writer.  alarm() fails a regression
 * rather than hanging the run. */
START_TEST(test_check_config_fifo)
{
	const char *check_fifo[] = { "--check-config", "-c", NULL, NULL };
	const char *check[] = { "--check-config", "-c", cfg, NULL };
	char fifo[160], text[512], want[512], *out;

	snprintf(fifo, sizeof(fifo), "%s/fifo", tmp_dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	check_fifo[2] = fifo;
	alarm(30);
	ck_assert_int_eq(run(check_fifo, &out), 2);
	snprintf(want, sizeof(want), "%s: not a regular file\n", fifo);
	ck_assert_str_eq(out, want);

	snprintf(text, sizeof(text), "[service web]\nvip = 2001:db8::80\nnotify = ha\n"
		 "[peer ha1]\naddr = 2001:db8::5\nkey_file = %s\nrole = ha\n"
		 "home_prefix = 2001:db8:100::/48\n", fifo);
	write_file(cfg, text);
	ck_assert_int_eq(run(check, &out), 2);
	snprintf(want, sizeof(want), "%s:6: key_file %s: not a regular file\n", cfg, fifo);
	ck_assert_str_eq(out, want);
	alarm(0);
}
END_TEST

/* --check-config refuses what cannot be a VIP or a backend, at its line. */
START_TEST(test_check_config_addresses)
{
	const char *check[] = { "--check-config", "-c", cfg, NULL };
	char want[512], *out;

	write_file(cfg, "[service web]\nvip = ::1\n");
	ck_assert_int_eq(run(check, &out), 2);
	snprintf(want, sizeof(want), "%s:2: vip = '::1': a loopback address\n", cfg);
	ck_assert_str_eq(out, want);

	write_file(cfg, SVC_CFG "[backend web s2]\naddr = ::ffff:1.2.3.4\n");
	ck_assert_int_eq(run(check, &out), 2);
	snprintf(want, sizeof(want), "%s:10: addr = '::ffff:1.2.3.4': an IPv4-mapped address", cfg);
	ck_assert_msg(!strncmp(out, want, strlen(want)), "%s", out);

	write_file(cfg, "[service web]\nvip = 2001:db8::80\nnotify = ha\n");
	ck_assert_int_eq(run(check, &out), 2);
	snprintf(want, sizeof(want), "%s:1: service 'web' has notify = ha, but no [peer] has "
		 "role = ha", cfg);
	ck_assert_msg(!strncmp(out, want, strlen(want)), "%s", out);
}
END_TEST

/*
 * A truncated config on SIGHUP or `reload` would remove every service and
 * delete every session: refused, naming the file and the way to allow it;
 * the service and its session stay.  `reload` with allow_empty applies it.
 * Starting with such a file is fine: there is nothing to wipe.
 */
START_TEST(test_daemon_reload_refuses_empty)
{
	struct mip6lb_session_key k;
	struct mip6lb_session v = { .backend_id = 0, .kind = MIP6LB_KIND_SRC,
				    .lifetime_s = 0, .last_used_ns = 7 };
	struct json_object *st;
	char err[1024], want[512], *out;
	pid_t pid;
	int fd;

	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG);
	pid = start(NULL);
	st = request("{\"cmd\":\"status\"}");
	ck_assert_int_eq(jint(st, "services"), 1);
	session_key(&k);
	fd = pinned_fd("sessions");
	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	close(fd);

	/* SIGHUP with an empty file: refused, in the log. */
	write_file(cfg, "");
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	snprintf(want, sizeof(want), "reload: %s has no [service]: applying it would remove all "
		 "1 running service and their sessions; refused", cfg);
	for (fd = 0; fd < 100 && !strstr(read_file(log_path), want); fd++)
		usleep(50000);
	out = read_file(log_path);
	ck_assert_msg(strstr(out, want), "log:\n%s", out);
	ck_assert_msg(strstr(out, "mip6lbctl reload allow-empty yes"), "log:\n%s", out);
	ck_assert(alive(pid));
	st = request("{\"cmd\":\"status\"}");
	ck_assert_int_eq(jint(st, "services"), 1);
	ck_assert_int_eq(jint(st, "backends"), 1);
	ck_assert_int_eq(jint(st, "sessions"), 1);

	/* The same through the socket; a [daemon] alone has no service either. */
	write_file(cfg, "[daemon]\nmax_sessions = 4096\n");
	ck_assert(!reply("{\"cmd\":\"reload\"}", err, sizeof(err)));
	ck_assert_msg(strstr(err, want + strlen("reload: ")), "%s", err);
	ck_assert(!reply("{\"cmd\":\"reload\",\"args\":{\"allow_empty\":false}}", err,
			 sizeof(err)));
	ck_assert(!reply("{\"cmd\":\"reload\",\"args\":{\"allow_empty\":\"maybe\"}}", err,
			 sizeof(err)));
	ck_assert_str_eq(err, "argument 'allow_empty' must be true or false");
	st = request("{\"cmd\":\"status\"}");
	ck_assert_int_eq(jint(st, "services"), 1);
	ck_assert_int_eq(jint(st, "sessions"), 1);
	fd = pinned_fd("sessions");
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &v), 0);
	close(fd);

	/* Asked for: applied, the service and its session are gone. */
	ck_assert_msg(reply("{\"cmd\":\"reload\",\"args\":{\"allow_empty\":true}}", err,
			    sizeof(err)), "%s", err);
	st = request("{\"cmd\":\"status\"}");
	ck_assert_int_eq(jint(st, "services"), 0);
	ck_assert_int_eq(jint(st, "sessions"), 0);
	/* Nothing left to wipe: an empty file reloads as any other. */
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	ck_assert_msg(reply("{\"cmd\":\"reload\"}", err, sizeof(err)), "%s", err);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);

	/* Starting with no service is fine, and a service added later at
	 * runtime is protected the same way. */
	write_file(cfg, "[daemon]\nmax_sessions = 4096\n");
	pid = start(NULL);
	ck_assert_int_eq(jint(request("{\"cmd\":\"status\"}"), "services"), 0);
	request("{\"cmd\":\"service add\",\"args\":{\"name\":\"rt\",\"vip\":\"2001:db8::99\"}}");
	ck_assert(!reply("{\"cmd\":\"reload\"}", err, sizeof(err)));
	ck_assert_msg(strstr(err, "has no [service]"), "%s", err);
	ck_assert_int_eq(jint(request("{\"cmd\":\"status\"}"), "services"), 1);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
}
END_TEST

/* ---- the control socket against its users -------------------------------- */

/* --socket naming something that is not a socket: exit 1 before anything
 * is loaded, and the file is still there. */
START_TEST(test_daemon_socket_path_not_a_socket)
{
	char *out, pinned[128];
	pid_t pid;

	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG);
	snprintf(sock, sizeof(sock), "%s/precious.txt", tmp_dir);
	write_file(sock, "keep me\n");
	pid = start(NULL);
	ck_assert_int_eq(wait_exit(pid), 1);
	out = read_file(log_path);
	ck_assert_msg(strstr(out, "exists and is not a socket"), "log:\n%s", out);
	ck_assert_msg(!strstr(out, "running"), "log:\n%s", out);
	ck_assert_str_eq(read_file(sock), "keep me\n");
	/* Nothing was pinned either. */
	snprintf(pinned, sizeof(pinned), "%s/sessions", pin_dir);
	ck_assert_int_ne(access(pinned, F_OK), 0);
}
END_TEST

static double cpu_s(pid_t pid)
{
	char path[64], *p, *stat;
	unsigned long long ut, st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = read_file(path);
	p = strrchr(stat, ')');
	ck_assert_ptr_nonnull(p);
	/* Fields 14 and 15 (utime, stime) after "pid (comm)". */
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&ut, &st), 2);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static int count_substr(const char *s, const char *sub)
{
	int n = 0;

	while ((s = strstr(s, sub))) {
		n++;
		s += strlen(sub);
	}
	return n;
}

#define FLOOD 200

/* Idle connections past the daemon's descriptor limit: no busy loop on
 * accept, no log flood, status answered (the idlest connection makes
 * room), and again once they are gone. */
START_TEST(test_daemon_descriptor_limit)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fds[FLOOD], i;
	double cpu0, cpu1;
	char *out;
	pid_t pid;

	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG);
	/* About 30 descriptors at rest (maps, epoll, timers, sockets): room
	 * for a few connections, far fewer than CTL_MAX_CONNS. */
	nofile = 48;
	pid = start(NULL);
	nofile = 0;
	ck_assert_int_eq(jint(request("{\"cmd\":\"status\"}"), "pid"), pid);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	for (i = 0; i < FLOOD; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(fds[i], 0);
		/* A full backlog refuses with EAGAIN: that is fine too. */
		ck_assert_msg(!connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) ||
			      errno == EAGAIN, "connect: %s", strerror(errno));
	}
	usleep(200000);
	cpu0 = cpu_s(pid);
	usleep(1000000);
	cpu1 = cpu_s(pid);
	ck_assert_msg(cpu1 - cpu0 < 0.3, "the daemon used %.2f s of CPU in 1 s", cpu1 - cpu0);
	ck_assert(alive(pid));
	/* Answered while they are open... */
	ck_assert_int_eq(jint(request("{\"cmd\":\"status\"}"), "pid"), pid);
	for (i = 0; i < FLOOD; i++)
		close(fds[i]);
	/* ... and after. */
	ck_assert_int_eq(jint(request("{\"cmd\":\"status\"}"), "pid"), pid);
	out = read_file(log_path);
	ck_assert_msg(count_substr(out, "accept") >= 1, "log:\n%s", out);
	ck_assert_msg(count_substr(out, "accept") <= 2 * LOG_RL_BURST, "%d accept lines",
		      count_substr(out, "accept"));
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
}
END_TEST

/* The whole log (-v makes it larger than read_file's buffer); malloc'd. */
static char *read_log(void)
{
	FILE *f = fopen(log_path, "r");
	char *text = NULL;
	size_t len = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(getdelim(&text, &len, '\0', f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

/* A command name with an escape sequence and a forged log line: the reply
 * and the log carry it escaped, and no raw control byte reaches the log. */
START_TEST(test_daemon_logs_client_bytes_escaped)
{
	const char *const verbose[] = { "-v", NULL };
	char resp[4096], *out;
	pid_t pid;

	write_file(cfg, "[daemon]\nmax_sessions = 4096\n" SVC_CFG);
	pid = start(verbose);
	request("{\"cmd\":\"status\"}");
	ck_assert_int_eq(try_request("{\"cmd\":\"fr\\u001b[31mob\\r\\nmip6lbd: error: forged\"}",
				     resp, sizeof(resp)), 0);
	ck_assert_msg(strstr(resp, "unknown command 'fr\\\\x1b[31mob\\\\x0d\\\\x0amip6lbd: error: "
				   "forged'"), "%s", resp);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(wait_exit(pid), 0);
	out = read_log();
	ck_assert_msg(strstr(out, "mip6lbd: debug: control: unknown command 'fr\\x1b[31mob\\x0d\\x0a"
			      "mip6lbd: error: forged'\n"), "no escaped line");
	ck_assert_ptr_null(strchr(out, '\x1b'));
	ck_assert_ptr_null(strstr(out, "\nmip6lbd: error: forged"));
	free(out);
}
END_TEST

MIP6LB_SUITE(daemon, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("daemon");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, NULL, dfx_sweep);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_check_config_and_usage);
	tcase_add_test(tc, test_daemon_lifecycle);
	tcase_add_test(tc, test_daemon_attach_in_netns);
	tcase_add_test(tc, test_daemon_restart_takes_over_program);
	tcase_add_test(tc, test_daemon_notify);
	tcase_add_test(tc, test_daemon_pin_dir_not_bpffs);
	tcase_add_test(tc, test_daemon_native_without_driver_xdp);
	tcase_add_test(tc, test_daemon_socket_path_not_a_socket);
	tcase_add_test(tc, test_daemon_descriptor_limit);
	tcase_add_test(tc, test_daemon_logs_client_bytes_escaped);
	tcase_add_test(tc, test_check_config_fifo);
	tcase_add_test(tc, test_check_config_addresses);
	tcase_add_test(tc, test_daemon_reload_refuses_empty);
	suite_add_tcase(s, tc);
	return s;
}
