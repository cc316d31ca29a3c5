// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Prometheus endpoint (loader/metrics.h) over real maps: a GET of
 * /metrics served through the event loop (libmicrohttpd's epoll fd in
 * ours), the exposition checked line by line (every sample belongs to a
 * family with # HELP and # TYPE, counters end in _total) and by promtool
 * check metrics, the datapath counters equal to dp_counters_read(), and
 * the backend state and session gauges following the maps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <check.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"
#include "daemonfix.h"
#include "daemon.h"
#include "dpmaps.h"
#include "evloop.h"
#include "metrics.h"
#include "names.h"

#define CFG \
	"[service web]\nvip = 2001:db8::80\nproto = udp\nport = 80\n" \
	"[backend web s1]\naddr = 2001:db8:1::1\nmac = 02:be:00:00:00:01\ndev = lo\n" \
	"[backend web s2]\naddr = 2001:db8:1::2\nmac = 02:be:00:00:00:02\ndev = lo\n" \
	"state = drained\n" \
	"[backend web s3]\naddr = 2001:db8:1::3\nmac = 02:be:00:00:00:03\ndev = lo\n" \
	"state = disabled\n"

/* GET path from [::1]:port while the loop runs; the response body. */
static char *http_get(struct evloop *loop, __u16 port, const char *path, int *status)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				   .sin6_port = htons(port) };
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap), req[128], *body;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0), i;
	ssize_t n;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ge(fd, 0);
	ck_assert(!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || errno == EINPROGRESS);
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
	for (i = 0; i < 200 && send(fd, req, n, MSG_NOSIGNAL) != n; i++)
		evloop_run_once(loop, 10);
	for (i = 0; i < 2000; i++) {
		evloop_run_once(loop, 5);
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n == 0)
			break;
		if (n > 0)
			len += n;
	}
	close(fd);
	buf[len] = 0;
	ck_assert_msg(sscanf(buf, "HTTP/1.%*d %d", status) == 1, "no status line: %.80s", buf);
	body = strstr(buf, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	memmove(buf, body + 4, strlen(body + 4) + 1);
	return buf;
}

/* The value of the sample line that starts with prefix (name{labels}). */
static long long sample(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix))) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return atoll(p + n + 1);
		p += n;
	}
	ck_abort_msg("no sample %s", prefix);
	return -1;
}

/* Per-CPU midflow_new of service id: 2 on CPU 0, 3 on the last CPU. */
static void put_midflow(int fd, __u32 id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct mip6lb_service_stats *v = calloc(ncpu, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	v[0].midflow_new += 2;
	v[ncpu - 1].midflow_new += 3;
	ck_assert_int_eq(bpf_map_update_elem(fd, &id, v, BPF_ANY), 0);
	free(v);
}

/* Re-hashes by reason: 10 + reason on CPU 0, 1 more on the last CPU. */
static void put_rehash(int fd)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct mip6lb_counters *v = calloc(ncpu, sizeof(*v));
	__u32 zero = 0;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < MIP6LB_REHASH_MAX; i++) {
		v[0].c[MIP6LB_CNT_REHASH_DOWN + i].packets = 10 + i;
		v[ncpu - 1].c[MIP6LB_CNT_REHASH_DOWN + i].packets += 1;
	}
	ck_assert_int_eq(bpf_map_update_elem(fd, &zero, v, BPF_ANY), 0);
	free(v);
}

START_TEST(test_metrics_scrape)
{
	struct mip6lb_counter_val c[MIP6LB_CNT_MAX];
	struct daemon d = {};
	struct metrics *m;
	struct evloop *loop;
	struct dfx fx;
	char path[256], cmd[512], name[128], line[512], *text, *tok, *save = NULL;
	regex_t sample_re;
	__u64 fp;
	int status, i, families = 0;
	FILE *f;

	dfx_open(&fx);
	dfx_apply(&fx, CFG);
	dfx_session_put(&fx, dfx_svc(&fx, "web"), "2001:db8:100::1", dfx_be(&fx, "web", "s1"), 300,
			dp_now_ns());
	dfx_session_put(&fx, dfx_svc(&fx, "web"), "2001:db8:100::2", dfx_be(&fx, "web", "s2"), 300,
			dp_now_ns());
	/* The drained s2 also holds a coa session and a probation entry. */
	dfx_session_put_table(&fx, DP_TABLE_COA, dfx_svc(&fx, "web"), "2001:db8:200::1",
			      dfx_be(&fx, "web", "s2"));
	dfx_session_put_table(&fx, DP_TABLE_PROBATION, dfx_svc(&fx, "web"), "2001:db8:300::1",
			      dfx_be(&fx, "web", "s2"));
	put_midflow(fx.st->maps->service_stats, dfx_svc(&fx, "web"));
	put_rehash(fx.st->maps->counters);
	ck_assert_int_eq(evloop_new(&loop), 0);
	d.st = fx.st;
	d.loop = loop;
	ck_assert_int_eq(metrics_open(&m, &d, &in6addr_loopback, 0), 0);
	ck_assert_uint_gt(metrics_port(m), 0);

	text = http_get(loop, metrics_port(m), "/nope", &status);
	ck_assert_int_eq(status, 404);
	free(text);
	text = http_get(loop, metrics_port(m), "/metrics", &status);
	ck_assert_int_eq(status, 200);

	/* The numbers. */
	ck_assert_int_eq(dp_counters_read(fx.st->maps, c), 0);
	for (i = 0; i < MIP6LB_CNT_MAX; i++) {
		snprintf(name, sizeof(name), "mip6lb_datapath_packets_total{counter=\"%s\"}",
			 mip6lb_counter_names[i]);
		ck_assert_int_eq(sample(text, name), c[i].packets);
	}
	ck_assert_int_eq(sample(text, "mip6lb_backend_state{service=\"web\",backend=\"s2\","
				"state=\"drained\"}"), 1);
	ck_assert_int_eq(sample(text, "mip6lb_backend_state{service=\"web\",backend=\"s1\","
				"state=\"active\"}"), 1);
	ck_assert_int_eq(sample(text, "mip6lb_backend_state{service=\"web\",backend=\"s3\","
				"state=\"disabled\"}"), 1);
	ck_assert_int_eq(sample(text, "mip6lb_backend_state{service=\"web\",backend=\"s3\","
				"state=\"active\"}"), 0);
	for (i = 0; i < MIP6LB_REHASH_MAX; i++) {
		snprintf(name, sizeof(name), "mip6lb_session_rehash_total{reason=\"%s\"}",
			 rehash_reason_name(i));
		ck_assert_int_eq(sample(text, name), c[MIP6LB_CNT_REHASH_DOWN + i].packets);
		ck_assert_int_eq(sample(text, name), 10 + i + 1);
	}
	{
		static const struct {
			const char *series;
			long long want;
		} sess[] = {
			{ "mip6lb_backend_sessions{service=\"web\",backend=\"s1\",table=\"sessions\"}", 1 },
			{ "mip6lb_backend_sessions{service=\"web\",backend=\"s1\",table=\"coa\"}", 0 },
			{ "mip6lb_backend_sessions{service=\"web\",backend=\"s1\",table=\"probation\"}", 0 },
			{ "mip6lb_backend_sessions{service=\"web\",backend=\"s2\",table=\"sessions\"}", 1 },
			{ "mip6lb_backend_sessions{service=\"web\",backend=\"s2\",table=\"coa\"}", 1 },
			{ "mip6lb_backend_sessions{service=\"web\",backend=\"s2\",table=\"probation\"}", 1 },
			{ "mip6lb_backend_sessions{service=\"web\",backend=\"s3\",table=\"sessions\"}", 0 },
			{ "mip6lb_service_sessions{service=\"web\",table=\"sessions\"}", 2 },
			{ "mip6lb_service_sessions{service=\"web\",table=\"coa\"}", 1 },
			{ "mip6lb_service_sessions{service=\"web\",table=\"probation\"}", 1 },
		};

		for (i = 0; i < (int)(sizeof(sess) / sizeof(sess[0])); i++)
			ck_assert_int_eq(sample(text, sess[i].series), sess[i].want);
	}
	/* The session table's own entries (its fill): sessions only. */
	ck_assert_int_eq(sample(text, "mip6lb_sessions"), 2);
	ck_assert_int_eq(sample(text, "mip6lb_session_table_size"), DFX_SESSIONS);
	ck_assert_int_eq(sample(text, "mip6lb_service_ring_backends{service=\"web\"}"), 1);
	ck_assert_int_eq(sample(text, "mip6lb_service_midflow_sessions_total{service=\"web\"}"), 5);
	/* Info metrics: the fingerprints mip6lbctl status prints. */
	ck_assert_int_eq(state_service_fingerprint(fx.st, dfx_svc(&fx, "web"), &fp), 0);
	snprintf(name, sizeof(name), "mip6lb_ring_info{service=\"web\",fingerprint=\""
		 STATE_FP_FMT "\"}", (unsigned long long)fp);
	ck_assert_int_eq(sample(text, name), 1);
	ck_assert_int_eq(state_fingerprint(fx.st, &fp), 0);
	snprintf(name, sizeof(name), "mip6lb_rings_info{fingerprint=\"" STATE_FP_FMT "\"}",
		 (unsigned long long)fp);
	ck_assert_int_eq(sample(text, name), 1);

	/* The format: every sample after its family's HELP and TYPE. */
	ck_assert_int_eq(regcomp(&sample_re, "^[a-z_][a-z0-9_]*(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? "
				 "-?[0-9.e+-]+$", REG_EXTENDED), 0);
	name[0] = 0;
	for (tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(tok, "# HELP ", 7)) {
			sscanf(tok + 7, "%127s", name);
			continue;
		}
		if (!strncmp(tok, "# TYPE ", 7)) {
			ck_assert_msg(!strncmp(tok + 7, name, strlen(name)), "TYPE without HELP: %s", tok);
			if (strstr(tok, " counter"))
				ck_assert_msg(strstr(name, "_total") != NULL, "counter %s", name);
			families++;
			continue;
		}
		ck_assert_msg(!regexec(&sample_re, tok, 0, NULL, 0), "not a sample: %s", tok);
		ck_assert_msg(!strncmp(tok, name, strlen(name)), "%s outside family %s", tok, name);
	}
	regfree(&sample_re);
	ck_assert_int_ge(families, 20);
	free(text);

	/* And what Prometheus itself says (promtool: make deps). */
	text = http_get(loop, metrics_port(m), "/metrics", &status);
	dfx_tmpname(path, sizeof(path), "/tmp");
	strcat(path, ".prom");
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s 2>&1", path);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	line[0] = 0;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "promtool: %s", line);
	ck_assert_int_eq(pclose(f), 0);
	unlink(path);
	free(text);

	metrics_close(m);
	evloop_free(loop);
	dfx_close(&fx);
}
END_TEST

MIP6LB_SUITE(metrics, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_unchecked_fixture(tc, NULL, dfx_sweep);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_metrics_scrape);
	suite_add_tcase(s, tc);
	return s;
}
