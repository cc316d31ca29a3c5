// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_rows.c - binding notifications into the maps: how many
 * BINDING_NOTIFY messages the balancer's notify module (loader/notify.h)
 * accepts per second on one core, HMAC included, and how long one takes
 * from the sender's sendto() to the coa session being in the map.
 *
 * In a private network namespace, lo carries the balancer's notify address
 * and a Home Agent's address.  A second process (fork, pinned to another
 * CPU) plays the Home Agent with the protocol's own sender (proto_sender):
 *
 *   rate     it encodes every message first (so its HMACs are not in the
 *            race), then sends them back to back.  The balancer, pinned to
 *            the bench CPU, runs the daemon's loop: poll, then
 *            notify_on_readable().  It is saturated from its first read to
 *            its last; the rate is accepted / that time.  Datagrams the
 *            socket dropped while it was busy are not counted.
 *   latency  it sends one message at a time, spaced by ten times the
 *            service time the rate run measured (at least 200 us), so no
 *            queue builds, with its CLOCK_MONOTONIC send time in shared
 *            memory; the balancer stamps the return of the
 *            notify_on_readable() call that handled it.  The wakeup from
 *            poll() is included, as it is in the daemon.
 *
 * Every message reports a new care-of address for one of M home addresses
 * that already have a session in a notify = ha service, so every accepted
 * message writes one coa session (checked: sessions_written == accepted,
 * and the last care-of address of a sample of homes is in the map).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "bench.h"
#include "config.h"
#include "notify.h"
#include "proto.h"

#define LB_ADDR    "2001:db8:ff::1"
#define HA_ADDR    "2001:db8:ff::a"
#define HOME_PFX   "2001:db8:100::"     /* /48, the HA's home prefix */
#define COA_PFX    "2001:db8:a::"       /* + a 32-bit message number */
#define VIP        "2001:db8::80"
#define HA_SENDER  77U
#define LAT_GAP_NS 200000   /* at least; 10x the measured service time */
/* A BINDING_NOTIFY is header + body + MAC. */
#define MSG_LEN    (PROTO_HDR_LEN + PROTO_NOTIFY_LEN + PROTO_MAC_LEN)

struct shared {
	volatile int phase;                  /* 1: rate, 2: latency, 3: done */
	volatile int sender_done;
	volatile __u64 sent;
	volatile __u64 gap_ns;               /* latency phase: between sends */
	__u64 t_send[];                      /* latency phase, per message */
};

static __u8 key[32];

static void addr_n(struct in6_addr *a, const char *prefix, __u32 n)
{
	inet_pton(AF_INET6, prefix, a);
	n = htonl(n);
	memcpy(&a->s6_addr[12], &n, 4);
}

static void notify_msg(struct proto_msg *m, __u32 k, __u32 homes)
{
	memset(m, 0, sizeof(*m));
	m->type = PROTO_BINDING_NOTIFY;
	addr_n(&m->notify.home, HOME_PFX, 1 + k % homes);
	addr_n(&m->notify.coa, COA_PFX, k + 1);
	m->notify.binding_seq = (__u16)(1 + k / homes);
	m->notify.lifetime_s = 600;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The Home Agent: never returns. */
static void sender(int fd, __u16 lb_port, struct shared *sh, __u32 rate_n, __u32 lat_n,
		   __u32 homes, int cpu)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(lb_port) };
	struct proto_sender tx;
	__u8 (*bufs)[MSG_LEN];
	int *lens;
	__u32 k, i;

	/* Die with the bench, whatever way it ends. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	bench_pin_cpu(cpu);
	inet_pton(AF_INET6, LB_ADDR, &to.sin6_addr);
	bufs = malloc((size_t)rate_n * sizeof(*bufs));
	lens = malloc((size_t)rate_n * sizeof(*lens));
	if (!bufs || !lens || proto_sender_init(&tx, HA_SENDER, 1, key, 32, proto_now_us()))
		_exit(2);
	for (k = 0; k < rate_n; k++) {
		struct proto_msg m;

		notify_msg(&m, k, homes);
		lens[k] = proto_sender_encode(&tx, &m, proto_now_us(), bufs[k], MSG_LEN);
		if (lens[k] <= 0)
			_exit(3);
	}
	while (sh->phase < 1)
		usleep(100);
	for (k = 0; k < rate_n; k += i) {
		struct mmsghdr mm[64];
		struct iovec iov[64];
		int r;

		for (i = 0; i < 64 && k + i < rate_n; i++) {
			iov[i].iov_base = bufs[k + i];
			iov[i].iov_len = lens[k + i];
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_name = &to;
			mm[i].msg_hdr.msg_namelen = sizeof(to);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(fd, mm, i, 0);
		if (r <= 0)
			_exit(4);
		i = r;
		sh->sent = k + i;
	}
	sh->sender_done = 1;

	while (sh->phase < 2)
		usleep(100);
	for (k = 0; k < lat_n; k++) {
		struct proto_msg m;
		__u8 buf[PROTO_MAX_MSG];
		__u64 next = mono_ns() + sh->gap_ns;
		int len;

		notify_msg(&m, rate_n + k, homes);
		len = proto_sender_encode(&tx, &m, proto_now_us(), buf, sizeof(buf));
		sh->t_send[k] = mono_ns();
		if (len <= 0 || sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) != len)
			_exit(5);
		while (mono_ns() < next)
			;
	}
	sh->sender_done = 2;
	_exit(0);
}

static __s64 peer_accepted(struct notify *nt)
{
	struct json_object *top = notify_peers_json(nt, notify_now_ms()), *peers, *p, *v;
	__s64 acc = -1;

	if (top && json_object_object_get_ex(top, "peers", &peers) &&
	    json_object_array_length(peers) > 0) {
		p = json_object_array_get_idx(peers, 0);
		if (json_object_object_get_ex(p, "accepted", &v))
			acc = json_object_get_int64(v);
	}
	json_object_put(top);
	return acc;
}

static void null_rows(const char *why, int err)
{
	row_null("notify-rate", NULL, "msg/s", "%s: %s", why, strerror(-err));
	row_null("notify-p50-us", NULL, "us", "%s: %s", why, strerror(-err));
	row_null("notify-p99-us", NULL, "us", "%s: %s", why, strerror(-err));
}

int bench_notify(void)
{
	__u32 rate_n = bopt.quick ? 5000 : 200000;
	__u32 lat_n = bopt.quick ? 100 : 1000;
	__u32 homes = 1000, i;
	struct notify_opts opts = { .max_bindings = 65536 };
	struct sockaddr_in6 ha = { .sin6_family = AF_INET6 };
	socklen_t sl = sizeof(ha);
	struct mip6lb_config cfg;
	struct cfg_peer peer;
	struct cfg_prefix pfx;
	struct notify *nt = NULL;
	struct notify_stats st;
	struct bench_netns ns;
	struct bench_dp dp = {};
	struct shared *sh = MAP_FAILED;
	size_t sh_len = sizeof(*sh) + lat_n * sizeof(__u64);
	double *lat = NULL, t_first = 0, t_last = 0, rate, deadline;
	__u64 got = 0, done = 0, before_written;
	__s64 accepted;
	pid_t pid = -1;
	int fd = -1, err, status, other_cpu;

	err = bench_netns_enter(&ns);
	if (err) {
		null_rows("no private network namespace", err);
		return err;
	}
	err = bench_sh("ip link set lo up && ip -6 addr add " LB_ADDR "/128 dev lo && "
		       "ip -6 addr add " HA_ADDR "/128 dev lo");
	if (!err)
		err = proto_init();
	if (!err)
		err = bench_dp_open(&dp, rate_n + lat_n + homes + 65536);
	if (!err)
		err = bench_dp_service(&dp, 0, VIP, MIP6LB_FWD_L2_DSR, 0, 4, 1);
	if (!err) {
		struct mip6lb_service s;
		__u32 id = 0;
		__u64 now = dp_now_ns();

		if (bpf_map_lookup_elem(dp.maps.service_conf, &id, &s))
			err = -errno;
		s.notify = MIP6LB_NOTIFY_HA;
		if (!err && bpf_map_update_elem(dp.maps.service_conf, &id, &s, BPF_ANY))
			err = -errno;
		/* The homes' own sessions, as their first packets left them. */
		for (i = 0; !err && i < homes; i++) {
			struct mip6lb_session_key k = { .service_id = 0, .space = MIP6LB_SPACE_ADDR };
			struct mip6lb_session v = { .backend_id = i % 4, .kind = MIP6LB_KIND_HOA,
						    .lifetime_s = 600, .last_used_ns = now };

			addr_n(&k.id.addr, HOME_PFX, 1 + i);
			if (bpf_map_update_elem(dp.maps.sessions, &k, &v, BPF_ANY))
				err = -errno;
		}
	}
	if (err) {
		fprintf(stderr, "mip6lb-bench: notify setup: %s\n", strerror(-err));
		null_rows("setup failed", err);
		goto out;
	}

	for (i = 0; i < sizeof(key); i++)
		key[i] = 0x10 + i;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET6, HA_ADDR, &ha.sin6_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ha, sizeof(ha)) ||
	    getsockname(fd, (struct sockaddr *)&ha, &sl)) {
		err = -errno;
		null_rows("the Home Agent's socket", err);
		goto out;
	}

	memset(&cfg, 0, sizeof(cfg));
	memset(&peer, 0, sizeof(peer));
	inet_pton(AF_INET6, LB_ADDR, &cfg.daemon.notify_addr);
	cfg.daemon.notify_port = 0;
	inet_pton(AF_INET6, HOME_PFX, &pfx.addr);
	pfx.plen = 48;
	snprintf(peer.name, sizeof(peer.name), "ha1");
	peer.addr = ha.sin6_addr;
	peer.port = ntohs(ha.sin6_port);
	memcpy(peer.key, key, sizeof(key));
	peer.key_len = sizeof(key);
	peer.key_id = 1;
	peer.role = MIP6LB_NOTIFY_HA;
	peer.home_prefixes = &pfx;
	peer.n_home_prefixes = 1;
	cfg.peers = &peer;
	cfg.n_peers = 1;
	err = notify_open(&nt, &cfg, &dp.maps, &opts);
	if (err) {
		null_rows("notify_open", err);
		goto out;
	}

	sh = mmap(NULL, sh_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	lat = calloc(lat_n, sizeof(*lat));
	if (sh == MAP_FAILED || !lat) {
		err = -ENOMEM;
		null_rows("memory", err);
		goto out;
	}
	memset(sh, 0, sh_len);
	other_cpu = bopt.cpu ? bopt.cpu - 1 : libbpf_num_possible_cpus() > 1 ? 1 : 0;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		null_rows("fork", err);
		goto out;
	}
	if (!pid)
		sender(fd, notify_port(nt), sh, rate_n, lat_n, homes, other_cpu);

	/* ---- rate ---- */
	notify_get_stats(nt, &st);
	before_written = st.sessions_written;
	sh->phase = 1;
	deadline = bench_now_ns() + 120e9;
	for (;;) {
		struct pollfd p = { .fd = notify_fd(nt), .events = POLLIN };
		int n;

		if (poll(&p, 1, 200) <= 0) {
			if (sh->sender_done)
				break;
			if (bench_now_ns() > deadline || waitpid(pid, &status, WNOHANG) == pid)
				bench_fail("notify: the sender stopped after %llu messages",
					   (unsigned long long)sh->sent);
			continue;
		}
		if (!got)
			t_first = bench_now_ns();
		n = notify_on_readable(nt, notify_now_ms());
		if (n < 0)
			bench_fail("notify_on_readable: %s", strerror(-n));
		got += n;
		t_last = bench_now_ns();
	}
	accepted = peer_accepted(nt);
	notify_get_stats(nt, &st);
	if (accepted <= 0 || (__u64)accepted != got ||
	    st.sessions_written - before_written != (__u64)accepted)
		bench_fail("notify: read %llu, accepted %lld, coa sessions written %llu",
			   (unsigned long long)got, (long long)accepted,
			   (unsigned long long)(st.sessions_written - before_written));
	rate = accepted / ((t_last - t_first) / 1e9);
	bench_log("notify: %lld of %u accepted in %.1f ms", (long long)accepted, rate_n,
		  (t_last - t_first) / 1e6);

	/* ---- latency ---- */
	sh->gap_ns = 10e9 / rate > LAT_GAP_NS ? (__u64)(10e9 / rate) : LAT_GAP_NS;
	sh->phase = 2;
	while (done < lat_n) {
		struct pollfd p = { .fd = notify_fd(nt), .events = POLLIN };
		__u64 t;
		int n, j;

		if (poll(&p, 1, 1000) <= 0)
			bench_fail("notify: %llu of %u latency messages arrived",
				   (unsigned long long)done, lat_n);
		n = notify_on_readable(nt, notify_now_ms());
		t = mono_ns();
		if (n < 0)
			bench_fail("notify_on_readable: %s", strerror(-n));
		for (j = 0; j < n && done < lat_n; j++, done++)
			lat[done] = (t - sh->t_send[done]) / 1e3;
	}
	notify_get_stats(nt, &st);
	if (st.sessions_written - before_written != (__u64)accepted + lat_n)
		bench_fail("notify: %llu coa sessions written for %llu messages",
			   (unsigned long long)(st.sessions_written - before_written),
			   (unsigned long long)accepted + lat_n);
	/* The last notification of a few homes is in the map. */
	for (i = 0; i < 10; i++) {
		__u32 k = rate_n + lat_n - 1 - i;
		struct mip6lb_session_key key_s = { .service_id = 0, .space = MIP6LB_SPACE_ADDR };
		struct mip6lb_session v;

		addr_n(&key_s.id.addr, COA_PFX, k + 1);
		if (bpf_map_lookup_elem(dp.maps.coa_sessions, &key_s, &v) || v.kind != MIP6LB_KIND_COA ||
		    v.backend_id != (k % homes) % 4)
			bench_fail("notify: no coa session for message %u", k);
	}

	{
		struct bench_row *row = row_add("notify-rate", NULL);

		row_set_value(row, rate, "msg/s");
		row_set_target(row, 200000, true);
		row_extra_int(row, "sent", rate_n);
		row_extra_int(row, "accepted", accepted);
		row_extra_double(row, "busy_ms", (t_last - t_first) / 1e6);
		row_extra_int(row, "homes", homes);
		row = row_add("notify-p50-us", NULL);
		bench_median(lat, lat_n);         /* sorts */
		if (getenv("BENCH_DEBUG"))
			for (i = 0; i < lat_n; i += lat_n / 50)
				fprintf(stderr, "lat[%u] = %.0f us\n", i, lat[i]);
		row_set_value(row, lat[lat_n / 2], "us");
		row_extra_int(row, "messages", lat_n);
		row_extra_double(row, "gap_us", sh->gap_ns / 1e3);
		row = row_add("notify-p99-us", NULL);
		row_set_value(row, lat[(size_t)(lat_n * 0.99)], "us");
		row_extra_double(row, "max_us", lat[lat_n - 1]);
		row_extra_int(row, "messages", lat_n);
	}
	err = 0;
out:
	if (pid > 0) {
		sh->phase = 3;
		if (sh->sender_done < 2)
			kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (sh != MAP_FAILED)
		munmap(sh, sh_len);
	free(lat);
	notify_close(nt);
	if (fd >= 0)
		close(fd);
	if (dp.skel)
		bench_dp_close(&dp);
	bench_netns_leave(&ns);
	return err;
}
