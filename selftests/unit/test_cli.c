// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_cli.c - mip6lbctl as a user runs it: the built binary, its exit
 * codes, its output and the requests it sends.
 *
 *   cli_usage (no root): usage errors exit 2 without a daemon, --help on
 *     every command, "cannot reach" with exit 1, probe's JSON shape and
 *     table (a pin dir off bpffs: exit 1, root or not), and a fake mip6lbd on a
 *     temporary socket that records each request and answers canned JSON.
 *   cli (root): classify, which loads the real XDP program: a crafted
 *     capture (roaming HAO, home link, SPI, IID, fragments, pass and drop
 *     reasons), every supported link type, and the public captures in
 *     ../shared/pcaps when they are there.
 *
 * No BPF header here: <pcap/pcap.h> and <linux/bpf.h> cannot meet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include "harness.h"
#include "pktbuild.h"
#include "runbin.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- running the binary ------------------------------------------------- */

static const char *cli_bin(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/mip6lbctl", harness_build_dir());
	ck_assert_msg(access(path, X_OK) == 0, "%s: %s (run make first)", path, strerror(errno));
	return path;
}

static void run_cli(struct run *r, const char *const *args)
{
	run_bin(r, cli_bin(), args);
}

#define CLI(r, ...) run_cli(r, (const char *const[]){ __VA_ARGS__, NULL })

static char tmp_dir[64];

static void make_tmp_dir(void)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/mip6lbctl-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void remove_tmp_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* ---- usage: no daemon needed --------------------------------------------- */

/* A socket nobody listens on: any case that reached it would exit 1. */
#define NOSOCK "-s", "/nonexistent/mip6lbd.sock"

struct usage_case {
	const char *argv[16];
	const char *stderr_has;
};

static const struct usage_case usage_cases[] = {
	{ { NOSOCK, NULL }, "usage: mip6lbctl" },
	{ { "--frobnicate", "status", NULL }, "usage: mip6lbctl" },
	{ { NOSOCK, "frob", NULL }, "unknown command 'frob'" },
	{ { NOSOCK, "service", NULL }, "'service' needs a subcommand" },
	{ { NOSOCK, "service", "frob", NULL }, "unknown command 'service frob'" },
	{ { NOSOCK, "status", "extra", NULL }, "status: unknown keyword 'extra'" },
	{ { NOSOCK, "backend", "add", "web", NULL }, "backend add: missing NAME" },
	{ { NOSOCK, "backend", "disable", "web", NULL }, "backend disable: missing NAME" },
	{ { NOSOCK, "backend", "enable", "web", "s1", "now", NULL }, "backend enable:" },
	{ { NOSOCK, "backend", "add", "web", "s1", NULL }, "backend add: missing 'addr ADDR'" },
	{ { NOSOCK, "backend", "add", "web", "s1", "addr", NULL }, "'addr' needs a value" },
	{ { NOSOCK, "backend", "add", "web", "s1", "addr", "2001:db8::zz", NULL },
	  "addr: '2001:db8::zz' is not an IPv6 address" },
	{ { NOSOCK, "backend", "add", "web", "s1", "addr", "10.0.0.1", NULL },
	  "is not an IPv6 address" },
	{ { NOSOCK, "backend", "add", "web", "s1", "addr", "2001:db8::1", "colour", "red", NULL },
	  "unknown keyword 'colour'" },
	{ { NOSOCK, "backend", "add", "web", "s1", "addr", "2001:db8::1", "weight", "1",
	    "weight", "2", NULL }, "duplicate keyword 'weight'" },
	{ { NOSOCK, "backend", "add", "web", "s1", "addr", "2001:db8::1", "addr", "2001:db8::2",
	    NULL }, "duplicate keyword 'addr'" },
	{ { NOSOCK, "backend", "add", "web", "s1", "addr", "2001:db8::1", "weight", "65536", NULL },
	  "not an integer in 0..65535" },
	{ { NOSOCK, "backend", "add", "web", "s1", "addr", "2001:db8::1", "mac", "01:00:5e:00:00:01",
	    NULL }, "not a unicast MAC" },
	{ { NOSOCK, "backend", "add", "web", "bad/name", "addr", "2001:db8::1", NULL },
	  "not a valid name" },
	{ { NOSOCK, "backend", "drain", "web", NULL }, "missing NAME" },
	{ { NOSOCK, "backend", "drain", "web", "s1", "s2", NULL }, "unknown keyword 's2'" },
	{ { NOSOCK, "service", "add", "web", NULL }, "missing 'vip ADDR'" },
	{ { NOSOCK, "service", "add", "web", "vip", "ff02::1", NULL }, "not a unicast IPv6 address" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "port", "80", NULL },
	  "port needs proto tcp or udp" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "proto", "sctp", NULL },
	  "expected tcp, udp or any" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "forward", "ip6ip6", NULL },
	  "forward ip6ip6 needs lb-addr" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "identity", "hoa,coa", NULL },
	  "identity" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "identity", "hoa,hoa", NULL },
	  "identity" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "lifetime", "0", NULL },
	  "lifetime" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "eui64-only", "maybe", NULL },
	  "expected yes or no" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "chain-policy", "keep", NULL },
	  "expected src or drop" },
	{ { NOSOCK, "service", "add", "web", "vip", "2001:db8::80", "notify", "all", NULL },
	  "expected off, ha or mn" },
	{ { NOSOCK, "session", "list", "kind", "foo", NULL }, "expected hoa, spi, iid, src or coa" },
	{ { NOSOCK, "session", "list", "web", "kind", "hoa", "kind", "spi", NULL },
	  "duplicate keyword 'kind'" },
	{ { NOSOCK, "session", "del", "web", "spi", "nothex", NULL }, "is not a spi identity" },
	{ { NOSOCK, "session", "del", "web", "hoa", "10", NULL }, "is not a hoa identity" },
	{ { NOSOCK, "session", "del", "web", "iid", "xyz", NULL }, "is not a iid identity" },
	{ { NOSOCK, "session", "del", "web", "hoa", NULL }, "missing IDENTITY" },
	{ { NOSOCK, "stats", "--watch", "0", NULL }, "not an integer in 1..3600" },
	{ { NOSOCK, "stats", "--watch", NULL }, "'--watch' needs a value" },
	{ { NOSOCK, "classify", "x.pcap", NULL }, "missing '-c CONFIG'" },
	{ { NOSOCK, "classify", "-c", "x.conf", NULL }, "missing FILE.pcap" },
	{ { NOSOCK, "probe", "bad/name", NULL }, "probe: DEV: 'bad/name' is not an interface name" },
	{ { NOSOCK, "probe", "lo", "", NULL }, "probe: DEV: '' is not an interface name" },
	{ { NOSOCK, "probe", "--pin-dir", NULL }, "'--pin-dir' needs a value" },
	{ { NOSOCK, "probe", "--pin-dir", "relative/pins", NULL },
	  "probe: --pin-dir: 'relative/pins' is not an absolute path" },
	{ { NOSOCK, "probe", "--pin-dir", "/a", "--pin-dir", "/b", NULL },
	  "duplicate keyword '--pin-dir'" },
	{ { NOSOCK, "probe", "--frob", NULL }, "probe: unknown keyword '--frob'" },
	{ { "help", "frob", NULL }, "help: no command 'frob'" },
};

START_TEST(test_usage_error)
{
	const struct usage_case *c = &usage_cases[_i];
	struct run r;

	run_cli(&r, c->argv);
	ck_assert_msg(r.status == 2, "case %d: exit %d, stderr: %s", _i, r.status, r.err);
	ck_assert_msg(strstr(r.err, c->stderr_has), "case %d: stderr lacks '%s': %s", _i,
		      c->stderr_has, r.err);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
}
END_TEST

struct help_case {
	const char *argv[6];
	const char *stdout_has;
};

static const struct help_case help_cases[] = {
	{ { "--help" }, "Usage: mip6lbctl [OPTIONS] COMMAND [ARGS]" },
	{ { "help" }, "session list" },
	{ { "-h" }, "Exit codes: 0 ok, 1 error, 2 usage." },
	{ { "status", "--help" }, "Usage: mip6lbctl status\n" },
	{ { "service", "--help" }, "service add" },
	{ { "help", "service" }, "service list" },
	{ { "service", "add", "--help" },
	  "Usage: mip6lbctl service add NAME vip ADDR [proto P] [port N] [identity LIST] [forward MODE] "
	  "[lb-addr ADDR] [eui64-only yes|no] [lifetime S] [chain-policy src|drop] [notify off|ha|mn]\n" },
	{ { "service", "del", "--help" }, "Usage: mip6lbctl service del NAME\n" },
	{ { "service", "list", "--help" }, "Usage: mip6lbctl service list\n" },
	{ { "backend", "add", "--help" },
	  "Usage: mip6lbctl backend add SERVICE NAME addr ADDR [weight N] [mac MAC] [dev IF]\n" },
	{ { "help", "backend", "add" },
	  "Usage: mip6lbctl backend add SERVICE NAME addr ADDR [weight N] [mac MAC] [dev IF]\n" },
	/* --help wins even after a bad argument. */
	{ { "backend", "add", "web", "nope", "--help" }, "Usage: mip6lbctl backend add" },
	{ { "backend", "del", "--help" }, "Usage: mip6lbctl backend del SERVICE NAME\n" },
	{ { "backend", "drain", "--help" }, "Usage: mip6lbctl backend drain SERVICE NAME [deadline SECONDS]\n" },
	{ { "backend", "undrain", "--help" }, "Usage: mip6lbctl backend undrain SERVICE NAME\n" },
	{ { "backend", "disable", "--help" }, "Usage: mip6lbctl backend disable SERVICE NAME\n" },
	{ { "backend", "enable", "--help" }, "Usage: mip6lbctl backend enable SERVICE NAME\n" },
	{ { "help", "backend", "disable" }, "reason\ndisabled)" },
	{ { "backend", "list", "--help" }, "Usage: mip6lbctl backend list [SERVICE]\n" },
	{ { "session", "list", "--help" }, "Usage: mip6lbctl session list [SERVICE] [kind KIND]\n" },
	{ { "session", "del", "--help" }, "Usage: mip6lbctl session del SERVICE KIND IDENTITY\n" },
	{ { "stats", "--help" }, "Usage: mip6lbctl stats [--watch SECONDS]\n" },
	{ { "binding", "list", "--help" }, "Usage: mip6lbctl binding list\n" },
	{ { "peer", "list", "--help" }, "Usage: mip6lbctl peer list\n" },
	{ { "reload", "--help" }, "Usage: mip6lbctl reload [allow-empty yes|no]\n" },
	{ { "classify", "--help" }, "Usage: mip6lbctl classify -c CONFIG FILE.pcap\n" },
	{ { "probe", "--help" }, "Usage: mip6lbctl probe [--pin-dir DIR] [DEV...]\n" },
	{ { "help", "probe" }, "  DEV...                 interfaces to check for native XDP" },
	{ { "help" }, "  probe             what this host can do for mip6lbd" },
};

START_TEST(test_help)
{
	const struct help_case *c = &help_cases[_i];
	const char *argv[8] = { NOSOCK };
	struct run r;
	int i;

	for (i = 0; c->argv[i]; i++)
		argv[2 + i] = c->argv[i];
	run_cli(&r, argv);
	ck_assert_msg(r.status == 0, "case %d: exit %d, stderr: %s", _i, r.status, r.err);
	ck_assert_msg(strstr(r.out, c->stdout_has), "case %d: stdout lacks '%s':\n%s", _i,
		      c->stdout_has, r.out);
	ck_assert_str_eq(r.err, "");
	run_free(&r);
}
END_TEST

START_TEST(test_no_daemon)
{
	char sock[128], want[256];
	struct run r;

	make_tmp_dir();
	snprintf(sock, sizeof(sock), "%s/none.sock", tmp_dir);
	CLI(&r, "-s", sock, "backend", "drain", "web", "s1");
	snprintf(want, sizeof(want), "mip6lbctl: cannot reach mip6lbd at %s: %s\n", sock,
		 strerror(ENOENT));
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, want);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	remove_tmp_dir();
}
END_TEST

START_TEST(test_socket_refused)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char want[256];
	struct run r;
	int fd;

	/* Bound, never listening: what a crashed daemon leaves behind. */
	make_tmp_dir();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dead.sock", tmp_dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CLI(&r, "-s", sa.sun_path, "status");
	snprintf(want, sizeof(want), "mip6lbctl: cannot reach mip6lbd at %s: %s\n", sa.sun_path,
		 strerror(ECONNREFUSED));
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, want);
	close(fd);
	run_free(&r);
	remove_tmp_dir();
}
END_TEST

/* ---- probe: local, no daemon ------------------------------------------------ */

static const char *jget_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key,
		      json_object_to_json_string(o));
	ck_assert_msg(json_object_is_type(v, json_type_string), "\"%s\" is not a string", key);
	return json_object_get_string(v);
}

static int is_avail(const char *s)
{
	return !strcmp(s, "yes") || !strcmp(s, "no") || !strcmp(s, "unknown");
}

/* The documented shape (docs/mip6lbctl.md): ok, pin_dir, features[] of
 * {name, available, required, detail}, interfaces[] of {name, native_xdp,
 * detail} in the order given.  A pin dir off bpffs is a missing required
 * feature, so the exit code is 1 as root or not. */
START_TEST(test_probe_json)
{
	struct json_object *doc, *v, *feats, *ifs, *o;
	char pins[128];
	struct run r;
	size_t i;

	make_tmp_dir();
	snprintf(pins, sizeof(pins), "%s/pins", tmp_dir);
	CLI(&r, "-j", "probe", "--pin-dir", pins, "lo", "nosuchdev0");
	ck_assert_msg(r.status == 1, "exit %d, stderr: %s", r.status, r.err);
	ck_assert_str_eq(r.err, "");
	doc = json_tokener_parse(r.out);
	ck_assert_msg(doc, "not JSON: %s", r.out);
	ck_assert_int_eq(json_object_object_length(doc), 4);
	ck_assert(json_object_object_get_ex(doc, "ok", &v) && json_object_is_type(v, json_type_boolean));
	ck_assert(!json_object_get_boolean(v));
	ck_assert_str_eq(jget_str(doc, "pin_dir"), pins);

	ck_assert(json_object_object_get_ex(doc, "features", &feats));
	ck_assert(json_object_is_type(feats, json_type_array));
	ck_assert_uint_ge(json_object_array_length(feats), 5);
	for (i = 0; i < json_object_array_length(feats); i++) {
		o = json_object_array_get_idx(feats, i);
		ck_assert_int_eq(json_object_object_length(o), 4);
		ck_assert(*jget_str(o, "name"));
		ck_assert_msg(is_avail(jget_str(o, "available")), "%s", jget_str(o, "available"));
		ck_assert(*jget_str(o, "detail"));
		ck_assert(json_object_object_get_ex(o, "required", &v) &&
			  json_object_is_type(v, json_type_boolean));
	}
	o = json_object_array_get_idx(feats, 0);
	ck_assert_str_eq(jget_str(o, "name"), "bpffs");
	ck_assert_str_eq(jget_str(o, "available"), "no");
	ck_assert(json_object_object_get_ex(o, "required", &v) && json_object_get_boolean(v));
	ck_assert_msg(strstr(jget_str(o, "detail"), "not on a bpffs mount"), "%s",
		      jget_str(o, "detail"));

	ck_assert(json_object_object_get_ex(doc, "interfaces", &ifs));
	ck_assert_uint_eq(json_object_array_length(ifs), 2);
	for (i = 0; i < 2; i++) {
		o = json_object_array_get_idx(ifs, i);
		ck_assert_int_eq(json_object_object_length(o), 3);
		ck_assert_str_eq(jget_str(o, "name"), i ? "nosuchdev0" : "lo");
		ck_assert(is_avail(jget_str(o, "native_xdp")));
		ck_assert(*jget_str(o, "detail"));
	}
	ck_assert_str_eq(jget_str(json_object_array_get_idx(ifs, 1), "native_xdp"), "no");
	json_object_put(doc);
	run_free(&r);
	remove_tmp_dir();
}
END_TEST

/* The table: its header, a row per feature, and the verdict as the last
 * line. */
START_TEST(test_probe_table)
{
	char pins[128], *last, *row;
	struct run r;
	size_t n;

	make_tmp_dir();
	snprintf(pins, sizeof(pins), "%s/pins", tmp_dir);
	CLI(&r, "probe", "--pin-dir", pins, "nosuchdev0");
	ck_assert_msg(r.status == 1, "exit %d, stderr: %s", r.status, r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_msg(!strncmp(r.out, "FEATURE ", 8) && strstr(r.out, "  AVAILABLE  REQUIRED  DETAIL\n"),
		      "%s", r.out);
	row = strstr(r.out, "\nbpffs ");
	ck_assert_msg(row && !strncmp(row + strspn(row + 6, " ") + 6, "no ", 3), "%s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "\nnative XDP on nosuchdev0 "));
	n = strlen(r.out);
	ck_assert(n > 1 && r.out[n - 1] == '\n');
	r.out[n - 1] = '\0';
	last = strrchr(r.out, '\n') + 1;
	ck_assert_msg(!strncmp(last, "mip6lbd cannot run here: missing bpffs", 38), "%s", last);
	ck_assert_msg(strstr(last, "(the exit code does not depend on them)."), "%s", last);
	run_free(&r);
	remove_tmp_dir();
}
END_TEST

/* ---- a fake mip6lbd --------------------------------------------------------- */

struct fake {
	char path[108];
	int lfd;
	pthread_t th;
	volatile int stop;
	pthread_mutex_t mu;
	int n_req;
	char req[16384];                /* the last request line */
	const char *canned;             /* response, or NULL for respond() */
	char *(*respond)(struct fake *f, int n);
};

static void *fake_main(void *arg)
{
	struct fake *f = arg;

	while (!f->stop) {
		struct pollfd p = { .fd = f->lfd, .events = POLLIN };
		char buf[sizeof(f->req)], *resp;
		size_t len = 0;
		int c, n;

		if (poll(&p, 1, 20) <= 0)
			continue;
		c = accept(f->lfd, NULL, NULL);
		if (c < 0)
			continue;
		while (len < sizeof(buf) - 1) {
			ssize_t k = read(c, buf + len, sizeof(buf) - 1 - len);

			if (k <= 0)
				break;
			len += k;
			if (memchr(buf, '\n', len))
				break;
		}
		buf[len] = '\0';
		pthread_mutex_lock(&f->mu);
		memcpy(f->req, buf, len + 1);
		n = ++f->n_req;
		pthread_mutex_unlock(&f->mu);
		resp = f->canned ? strdup(f->canned) : f->respond(f, n);
		if (resp) {
			if (write(c, resp, strlen(resp)) < 0 || write(c, "\n", 1) < 0)
				perror("fake mip6lbd: write");
		}
		free(resp);
		close(c);
	}
	return NULL;
}

static void fake_start(struct fake *f, const char *canned, char *(*respond)(struct fake *, int))
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	make_tmp_dir();
	snprintf(f->path, sizeof(f->path), "%s/mip6lbd.sock", tmp_dir);
	f->canned = canned;
	f->respond = respond;
	pthread_mutex_init(&f->mu, NULL);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(f->lfd, 0);
	strcpy(sa.sun_path, f->path);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(f->lfd, 8), 0);
	ck_assert_int_eq(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	f->stop = 1;
	ck_assert_int_eq(pthread_join(f->th, NULL), 0);
	close(f->lfd);
	remove_tmp_dir();
}

/* The request the CLI sent must be exactly this JSON document. */
static void assert_request(struct fake *f, const char *want)
{
	struct json_object *got, *exp;
	size_t l = strlen(f->req);

	ck_assert_msg(l && f->req[l - 1] == '\n', "request not newline-terminated: '%s'", f->req);
	got = json_tokener_parse(f->req);
	exp = json_tokener_parse(want);
	ck_assert_msg(got, "request is not JSON: %s", f->req);
	ck_assert_ptr_nonnull(exp);
	ck_assert_msg(json_object_equal(got, exp), "request %s, want %s", f->req, want);
	json_object_put(got);
	json_object_put(exp);
}

#define OK_EMPTY "{\"ok\":true,\"data\":{}}"

struct request_case {
	const char *argv[24];
	const char *request;
};

static const struct request_case request_cases[] = {
	{ { "backend", "drain", "web", "s1" },
	  "{\"cmd\":\"backend drain\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}" },
	{ { "backend", "undrain", "web", "s1" },
	  "{\"cmd\":\"backend undrain\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}" },
	{ { "backend", "disable", "web", "s1" },
	  "{\"cmd\":\"backend disable\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}" },
	{ { "backend", "enable", "web", "s1" },
	  "{\"cmd\":\"backend enable\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}" },
	{ { "backend", "del", "web", "s1" },
	  "{\"cmd\":\"backend del\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}" },
	{ { "backend", "add", "web", "s4", "weight", "2", "addr", "2001:DB8:0:0::4",
	    "mac", "02:AA:bb:cc:dd:ee", "dev", "veth1" },
	  "{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\",\"name\":\"s4\","
	  "\"addr\":\"2001:db8::4\",\"weight\":2,\"mac\":\"02:aa:bb:cc:dd:ee\",\"dev\":\"veth1\"}}" },
	{ { "service", "add", "web", "vip", "2001:DB8::80", "proto", "TCP", "port", "80",
	    "identity", "spi,hoa", "forward", "ip6ip6", "lb-addr", "2001:db8:ff::1",
	    "eui64-only", "no", "lifetime", "600", "chain-policy", "drop", "notify", "ha" },
	  "{\"cmd\":\"service add\",\"args\":{\"name\":\"web\",\"vip\":\"2001:db8::80\","
	  "\"proto\":\"tcp\",\"port\":80,\"identity\":\"spi,hoa\",\"forward\":\"ip6ip6\","
	  "\"lb_addr\":\"2001:db8:ff::1\",\"eui64_only\":\"no\",\"lifetime\":600,"
	  "\"chain_policy\":\"drop\",\"notify\":\"ha\"}}" },
	{ { "service", "add", "dns", "vip", "2001:db8::53" },
	  "{\"cmd\":\"service add\",\"args\":{\"name\":\"dns\",\"vip\":\"2001:db8::53\"}}" },
	{ { "service", "del", "web" }, "{\"cmd\":\"service del\",\"args\":{\"name\":\"web\"}}" },
	{ { "service", "list" }, "{\"cmd\":\"service list\",\"args\":{}}" },
	{ { "backend", "list" }, "{\"cmd\":\"backend list\",\"args\":{}}" },
	{ { "backend", "list", "web" }, "{\"cmd\":\"backend list\",\"args\":{\"service\":\"web\"}}" },
	{ { "session", "list" }, "{\"cmd\":\"session list\",\"args\":{}}" },
	{ { "session", "list", "kind", "HoA", "web" },
	  "{\"cmd\":\"session list\",\"args\":{\"service\":\"web\",\"kind\":\"hoa\"}}" },
	{ { "session", "del", "web", "spi", "4660" },
	  "{\"cmd\":\"session del\",\"args\":{\"service\":\"web\",\"kind\":\"spi\","
	  "\"identity\":\"0x00001234\"}}" },
	{ { "session", "del", "web", "hoa", "2001:DB8:100:0::1" },
	  "{\"cmd\":\"session del\",\"args\":{\"service\":\"web\",\"kind\":\"hoa\","
	  "\"identity\":\"2001:db8:100::1\"}}" },
	{ { "session", "del", "web", "iid", "021122FFFE334455" },
	  "{\"cmd\":\"session del\",\"args\":{\"service\":\"web\",\"kind\":\"iid\","
	  "\"identity\":\"021122fffe334455\"}}" },
	{ { "status" }, "{\"cmd\":\"status\",\"args\":{}}" },
	{ { "binding", "list" }, "{\"cmd\":\"binding list\",\"args\":{}}" },
	{ { "peer", "list" }, "{\"cmd\":\"peer list\",\"args\":{}}" },
	{ { "reload" }, "{\"cmd\":\"reload\",\"args\":{}}" },
	{ { "reload", "allow-empty", "yes" },
	  "{\"cmd\":\"reload\",\"args\":{\"allow_empty\":\"yes\"}}" },
	{ { "stats" }, "{\"cmd\":\"stats\",\"args\":{}}" },
};

START_TEST(test_request)
{
	const struct request_case *c = &request_cases[_i];
	const char *argv[32] = { "-s" };
	struct fake f;
	struct run r;
	int i;

	fake_start(&f, OK_EMPTY, NULL);
	argv[1] = f.path;
	for (i = 0; c->argv[i]; i++)
		argv[2 + i] = c->argv[i];
	run_cli(&r, argv);
	ck_assert_msg(r.status == 0, "case %d: exit %d, stderr: %s", _i, r.status, r.err);
	ck_assert_int_eq(f.n_req, 1);
	assert_request(&f, c->request);
	ck_assert_str_eq(r.err, "");
	run_free(&r);
	fake_stop(&f);
}
END_TEST

START_TEST(test_drain_prints_nothing)
{
	struct fake f;
	struct run r;

	fake_start(&f, OK_EMPTY, NULL);
	CLI(&r, "-s", f.path, "backend", "drain", "web", "s1");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	CLI(&r, "-j", "-s", f.path, "backend", "drain", "web", "s1");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "{}\n");
	run_free(&r);
	fake_stop(&f);
}
END_TEST

static const char sessions_json[] =
	"{\"ok\":true,\"data\":{\"sessions\":["
	"{\"service\":\"web\",\"kind\":\"spi\",\"identity\":\"0x00001234\",\"backend\":\"s1\","
	"\"idle_s\":125,\"lifetime_s\":300,\"lifetime_left_s\":175},"
	"{\"service\":\"web\",\"kind\":\"hoa\",\"identity\":\"2001:db8:100::1\",\"backend\":\"s2\","
	"\"idle_s\":5,\"lifetime_s\":300,\"lifetime_left_s\":295},"
	"{\"service\":\"dns\",\"kind\":\"coa\",\"identity\":\"2001:db8:a::10\",\"backend\":\"d1\","
	"\"idle_s\":0,\"lifetime_s\":0,\"lifetime_left_s\":0}]}}";

START_TEST(test_session_list_table)
{
	/* Sorted by service, kind, identity; times readable; lifetime 0
	 * (mip6lb.h: never ages) said in words. */
	static const char want[] =
		"SERVICE  KIND  IDENTITY         BACKEND   IDLE  LIFETIME LEFT\n"
		"dns      coa   2001:db8:a::10   d1          0s     never ages\n"
		"web      hoa   2001:db8:100::1  s2          5s          4m55s\n"
		"web      spi   0x00001234       s1       2m05s          2m55s\n"
		"3 sessions\n";
	struct fake f;
	struct run r;

	fake_start(&f, sessions_json, NULL);
	CLI(&r, "-s", f.path, "session", "list");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, "");
	run_free(&r);
	fake_stop(&f);
}
END_TEST

/* -j prints "data" as it came. */
static void assert_json_is_data(const char *out, const char *response)
{
	struct json_object *got = json_tokener_parse(out), *resp = json_tokener_parse(response);
	struct json_object *data;

	ck_assert_msg(got, "not JSON: %s", out);
	ck_assert_ptr_nonnull(resp);
	ck_assert(json_object_object_get_ex(resp, "data", &data));
	ck_assert_msg(json_object_equal(got, data), "printed %s", out);
	/* One document on one line. */
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
	json_object_put(got);
	json_object_put(resp);
}

START_TEST(test_session_list_json)
{
	struct fake f;
	struct run r;

	fake_start(&f, sessions_json, NULL);
	CLI(&r, "-s", f.path, "-j", "session", "list", "web");
	ck_assert_int_eq(r.status, 0);
	assert_json_is_data(r.out, sessions_json);
	assert_request(&f, "{\"cmd\":\"session list\",\"args\":{\"service\":\"web\"}}");
	run_free(&r);
	fake_stop(&f);
}
END_TEST

static const char stats_json[] =
	"{\"ok\":true,\"data\":{"
	"\"counters\":{\"rx\":{\"packets\":10,\"bytes\":1000},"
	"\"kind_hoa\":{\"packets\":6,\"bytes\":600},\"kind_spi\":{\"packets\":3,\"bytes\":300},"
	"\"tx\":{\"packets\":9,\"bytes\":900},\"drop_malformed\":{\"packets\":1,\"bytes\":100}},"
	"\"kinds\":{\"hoa\":{\"packets\":6,\"bytes\":600},\"spi\":{\"packets\":3,\"bytes\":300}},"
	"\"backends\":[{\"service\":\"web\",\"name\":\"s1\",\"packets\":5,\"bytes\":500},"
	"{\"service\":\"web\",\"name\":\"s2\",\"packets\":4,\"bytes\":400}],"
	"\"reasons\":{\"pass_not_service\":0,\"drop_malformed\":1},"
	"\"rehash\":{\"down\":3,\"drained\":0,\"disabled\":2,\"removed\":1}}}";

START_TEST(test_stats_table)
{
	static const char want[] =
		"COUNTER         PACKETS  BYTES\n"
		"rx                   10   1000\n"
		"kind_hoa              6    600\n"
		"kind_spi              3    300\n"
		"tx                    9    900\n"
		"drop_malformed        1    100\n"
		"\n"
		"KIND  PACKETS  BYTES\n"
		"hoa         6    600\n"
		"spi         3    300\n"
		"\n"
		"SERVICE  BACKEND  PACKETS  BYTES\n"
		"web      s1             5    500\n"
		"web      s2             4    400\n"
		"\n"
		"REASON            PACKETS\n"
		"pass_not_service        0\n"
		"drop_malformed          1\n"
		"\n"
		"REHASH    PACKETS\n"
		"down            3\n"
		"drained         0\n"
		"disabled        2\n"
		"removed         1\n";
	struct fake f;
	struct run r;

	fake_start(&f, stats_json, NULL);
	CLI(&r, "-s", f.path, "stats");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, want);
	run_free(&r);
	CLI(&r, "-s", f.path, "stats", "-j");
	ck_assert_int_eq(r.status, 0);
	assert_json_is_data(r.out, stats_json);
	run_free(&r);
	fake_stop(&f);
}
END_TEST

/* Each answer counts 100 more packets. */
static char *growing_stats(struct fake *f, int n)
{
	char *s;

	(void)f;
	ck_assert_int_ge(asprintf(&s,
		"{\"ok\":true,\"data\":{\"counters\":{\"rx\":{\"packets\":%d,\"bytes\":%d}},"
		"\"kinds\":{},\"backends\":[],\"reasons\":{\"drop_malformed\":%d}}}",
		100 * n, 10000 * n, n), 0);
	return s;
}

START_TEST(test_stats_watch_sigint)
{
	FILE *out = tmpfile(), *err = tmpfile();
	char *o, *e, *last, *line;
	double rate = -1;
	struct fake f;
	pid_t pid;
	int i, st, n;

	fake_start(&f, NULL, growing_stats);
	pid = run_spawn(cli_bin(), (const char *const[]){ "-s", f.path, "stats", "--watch", "1", NULL }, out, err);
	for (i = 0; i < 100; i++) {
		pthread_mutex_lock(&f.mu);
		n = f.n_req;
		pthread_mutex_unlock(&f.mu);
		if (n >= 3)
			break;
		usleep(50000);
	}
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(kill(pid, SIGINT), 0);
	st = run_wait(pid);
	o = run_slurp(out);
	e = run_slurp(err);
	ck_assert_msg(st == 0, "exit %d after SIGINT, stderr: %s", st, e);
	ck_assert_str_eq(e, "");
	ck_assert_ptr_nonnull(strstr(o, "Every 1s: mip6lbctl stats"));
	ck_assert_ptr_nonnull(strstr(o, "PKT/S"));
	/* The first sample has no rate; a later one has ~100 packets/s. */
	line = strstr(o, "\nrx ");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(strtok(strdup(line + 1), "\n"), " -"));
	last = line;
	while ((line = strstr(last + 1, "\nrx ")))
		last = line;
	ck_assert_ptr_ne(last, strstr(o, "\nrx "));
	ck_assert_int_eq(sscanf(last, "\nrx %*d %*d %lf", &rate), 1);
	ck_assert_msg(rate > 50 && rate < 200, "rate %f", rate);
	free(o);
	free(e);
	fclose(out);
	fclose(err);
	fake_stop(&f);
}
END_TEST

START_TEST(test_daemon_error)
{
	struct fake f;
	struct run r;

	fake_start(&f, "{\"ok\":false,\"error\":\"backend web/s9: no such backend\"}", NULL);
	CLI(&r, "-s", f.path, "backend", "drain", "web", "s9");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "mip6lbctl: backend web/s9: no such backend\n");
	ck_assert_str_eq(r.out, "");
	run_free(&r);
	fake_stop(&f);
}
END_TEST

START_TEST(test_daemon_garbage)
{
	struct fake f;
	struct run r;

	fake_start(&f, "this is not json", NULL);
	CLI(&r, "-s", f.path, "status");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "mip6lbctl: bad response from mip6lbd at "));
	run_free(&r);
	fake_stop(&f);
}
END_TEST

START_TEST(test_status_and_lists)
{
	static const char status[] =
		"{\"ok\":true,\"data\":{\"version\":\"0.1\",\"pid\":42,\"uptime_s\":3725,"
		"\"config\":\"/etc/mip6lb/mip6lb.conf\",\"pin_dir\":\"/sys/fs/bpf/mip6lb\","
		"\"interfaces\":[{\"name\":\"veth0\",\"ifindex\":3,\"mode\":\"native\"}],"
		"\"services\":1,\"backends\":3,\"sessions\":17}}";
	static const char backends[] =
		"{\"ok\":true,\"data\":{\"backends\":[{\"service\":\"web\",\"name\":\"s1\",\"id\":0,"
		"\"addr\":\"2001:db8:1::1\",\"weight\":1,\"state\":\"drained\",\"nexthop\":"
		"{\"dev\":\"veth1\",\"ifindex\":4,\"mac\":\"02:00:00:00:00:01\",\"valid\":true,"
		"\"source\":\"netlink\"},\"packets\":7,\"bytes\":700}]}}";
	struct fake f;
	struct run r;

	fake_start(&f, status, NULL);
	CLI(&r, "-s", f.path, "status");
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "mip6lbd 0.1, pid 42, up 1h02m\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "veth0 (ifindex 3, native)"));
	ck_assert_ptr_nonnull(strstr(r.out, "  sessions    17\n"));
	run_free(&r);
	fake_stop(&f);

	fake_start(&f, backends, NULL);
	CLI(&r, "-s", f.path, "backend", "list");
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "SERVICE  NAME  ID  ADDR           WEIGHT  STATE    HEALTH  "
					 "SESSIONS  NEXTHOP"));
	ck_assert_ptr_nonnull(strstr(r.out, "drained  -              -  veth1 02:00:00:00:00:01 (netlink)"));
	run_free(&r);
	fake_stop(&f);
}
END_TEST

/* As cmd_status writes them (docs/control.md): the overall fingerprint
 * and one per service in name order; null where a ring is unknown. */
static const char status_fp_json[] =
	"{\"ok\":true,\"data\":{\"version\":\"0.1\",\"pid\":42,\"uptime_s\":5,"
	"\"config\":null,\"pin_dir\":null,\"interfaces\":[],\"services\":3,\"backends\":4,"
	"\"sessions\":0,\"fingerprint\":\"0123456789abcdef\",\"rings\":["
	"{\"service\":\"dns\",\"fingerprint\":\"fedcba9876543210\",\"ring_backends\":1},"
	"{\"service\":\"voip\",\"fingerprint\":null,\"ring_backends\":0},"
	"{\"service\":\"web\",\"fingerprint\":\"00000000deadbeef\",\"ring_backends\":3}]}}";

START_TEST(test_status_fingerprints)
{
	/* One line per service, diffable between instances. */
	static const char want[] =
		"  fingerprint 0123456789abcdef\n"
		"\n"
		"SERVICE  FINGERPRINT       RING-BACKENDS\n"
		"dns      fedcba9876543210              1\n"
		"voip     -                             0\n"
		"web      00000000deadbeef              3\n";
	struct fake f;
	struct run r;

	fake_start(&f, status_fp_json, NULL);
	CLI(&r, "-s", f.path, "status");
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, want), "printed:\n%s", r.out);
	/* and they close the output */
	ck_assert_str_eq(r.out + strlen(r.out) - strlen(want), want);
	run_free(&r);
	CLI(&r, "-s", f.path, "-j", "status");
	ck_assert_int_eq(r.status, 0);
	assert_json_is_data(r.out, status_fp_json);
	run_free(&r);
	fake_stop(&f);
}
END_TEST

/* As notify_bindings_json() writes them: a binding with old CoAs and a
 * session, one the daemon only subscribed for (nulls), one with neither
 * old CoAs nor a subscription. */
static const char bindings_json[] =
	"{\"ok\":true,\"data\":{\"bindings\":["
	"{\"home\":\"2001:db8:100::7\",\"coa\":\"2001:db8:b::1\","
	"\"old_coas\":[\"2001:db8:a::1\",\"2001:db8:9::1\"],\"peer\":\"ha1\","
	"\"binding_seq\":42,\"lifetime_s\":600,\"lifetime_left_s\":300,"
	"\"session\":\"web/s1, dns/d1\",\"subscription\":\"active\"},"
	"{\"home\":\"2001:db8:100::9\",\"coa\":null,\"old_coas\":[],\"peer\":\"ha1\","
	"\"binding_seq\":null,\"lifetime_s\":null,\"lifetime_left_s\":null,"
	"\"session\":null,\"subscription\":\"pending\"},"
	"{\"home\":\"2001:db8:100::1\",\"coa\":\"2001:db8:c::5\",\"old_coas\":[],"
	"\"peer\":\"mn1\",\"binding_seq\":3,\"lifetime_s\":3600,\"lifetime_left_s\":59,"
	"\"session\":null,\"subscription\":null}]}}";

START_TEST(test_binding_list_table)
{
	/* Sorted by home address; durations as session list shows them; old
	 * CoAs comma-separated. */
	static const char want[] =
		"HOME             COA            OLD COAS                     PEER  SEQ  LIFETIME"
		"  LIFETIME LEFT  SESSION         SUBSCRIPTION\n"
		"2001:db8:100::1  2001:db8:c::5  -                            mn1     3     1h00m"
		"            59s  -               -\n"
		"2001:db8:100::7  2001:db8:b::1  2001:db8:a::1,2001:db8:9::1  ha1    42    10m00s"
		"          5m00s  web/s1, dns/d1  active\n"
		"2001:db8:100::9  -              -                            ha1     -         -"
		"              -  -               pending\n"
		"3 bindings\n";
	struct fake f;
	struct run r;

	fake_start(&f, bindings_json, NULL);
	CLI(&r, "-s", f.path, "binding", "list");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, "");
	run_free(&r);
	CLI(&r, "-s", f.path, "-j", "binding", "list");
	ck_assert_int_eq(r.status, 0);
	assert_json_is_data(r.out, bindings_json);
	run_free(&r);
	fake_stop(&f);
}
END_TEST

/* As notify_peers_json() writes them: every reason, zeros included. */
static const char peers_json[] =
	"{\"ok\":true,\"data\":{\"peers\":["
	"{\"name\":\"ha1\",\"role\":\"ha\",\"addr\":\"2001:db8::a\",\"port\":5353,"
	"\"subscriptions\":2,\"pending\":1,\"last_heard_s\":125,\"accepted\":17,"
	"\"rejected\":{\"truncated\":0,\"oversized\":0,\"bad_version\":0,\"bad_type\":0,"
	"\"unknown_key\":0,\"bad_mac\":3,\"stale_timestamp\":0,\"replay\":1,\"bad_field\":0,"
	"\"not_authoritative\":0,\"unexpected\":0},"
	"\"no_session\":4,\"sent\":20,\"send_errors\":0},"
	"{\"name\":\"mn1\",\"role\":\"mn\",\"addr\":\"2001:db8:c::5\",\"port\":5353,"
	"\"subscriptions\":0,\"pending\":0,\"last_heard_s\":null,\"accepted\":0,"
	"\"rejected\":{\"truncated\":0,\"oversized\":0,\"bad_version\":0,\"bad_type\":0,"
	"\"unknown_key\":0,\"bad_mac\":0,\"stale_timestamp\":0,\"replay\":0,\"bad_field\":0,"
	"\"not_authoritative\":0,\"unexpected\":0},"
	"\"no_session\":0,\"sent\":6,\"send_errors\":2}],"
	"\"unknown_peer\":5,\"no_peer\":1}}";

START_TEST(test_peer_list_table)
{
	/* In the daemon's order; rejections only where non-zero. */
	static const char want[] =
		"NAME  ROLE  ADDR           PORT  SUBS  PENDING  LAST HEARD  ACCEPTED"
		"  REJECTED            NO SESSION  SENT  SEND ERRORS\n"
		"ha1   ha    2001:db8::a    5353     2        1       2m05s        17"
		"  bad_mac=3,replay=1           4    20            0\n"
		"mn1   mn    2001:db8:c::5  5353     0        0       never         0"
		"  -                            0     6            2\n"
		"unknown_peer 5, no_peer 1\n";
	struct fake f;
	struct run r;

	fake_start(&f, peers_json, NULL);
	CLI(&r, "-s", f.path, "peer", "list");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, "");
	run_free(&r);
	CLI(&r, "-s", f.path, "-j", "peer", "list");
	ck_assert_int_eq(r.status, 0);
	assert_json_is_data(r.out, peers_json);
	run_free(&r);
	fake_stop(&f);

	/* A daemon without notifications: the header alone. */
	fake_start(&f, "{\"ok\":true,\"data\":{\"peers\":[]}}", NULL);
	CLI(&r, "-s", f.path, "peer", "list");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "NAME  ROLE  ADDR  PORT  SUBS  PENDING  LAST HEARD  ACCEPTED  REJECTED"
				"  NO SESSION  SENT  SEND ERRORS\n");
	run_free(&r);
	fake_stop(&f);
}
END_TEST

/* ---- captures ------------------------------------------------------------ */

/* Wrap an Ethernet frame for link type dlt (what the classifier undoes). */
static size_t frame_for_dlt(int dlt, const __u8 *eth, size_t len, __u8 *out)
{
	const __u8 *l3 = eth + 14;
	size_t l3_len = len - 14;
	__u16 et = eth[12] << 8 | eth[13];

	switch (dlt) {
	case DLT_EN10MB:
		memcpy(out, eth, len);
		return len;
	case DLT_RAW:
	case DLT_IPV6:
		memcpy(out, l3, l3_len);
		return l3_len;
	case DLT_NULL: {
		__u32 af = et == 0x86dd ? AF_INET6 : AF_INET;   /* host order */

		memcpy(out, &af, 4);
		memcpy(out + 4, l3, l3_len);
		return 4 + l3_len;
	}
	case DLT_LINUX_SLL:
		memset(out, 0, 16);
		out[3] = 1;                     /* ARPHRD_ETHER */
		out[5] = 6;
		memcpy(out + 6, eth + 6, 6);
		out[14] = et >> 8;
		out[15] = et & 0xff;
		memcpy(out + 16, l3, l3_len);
		return 16 + l3_len;
	case DLT_LINUX_SLL2:
		memset(out, 0, 20);
		out[0] = et >> 8;
		out[1] = et & 0xff;
		out[7] = 1;                     /* ifindex */
		out[9] = 1;                     /* ARPHRD_ETHER */
		out[11] = 6;
		memcpy(out + 12, eth + 6, 6);
		memcpy(out + 20, l3, l3_len);
		return 20 + l3_len;
	}
	ck_abort_msg("link type %d", dlt);
	return 0;
}

static void write_pcap(const char *path, int dlt, const struct pb *pkts, int n)
{
	pcap_t *p = pcap_open_dead(dlt, 65535);
	pcap_dumper_t *d;
	__u8 buf[PB_MAX + 32];
	int i;

	ck_assert_ptr_nonnull(p);
	d = pcap_dump_open(p, path);
	ck_assert_msg(d, "pcap_dump_open %s: %s", path, pcap_geterr(p));
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h = { .ts = { .tv_sec = 1700000000 + i } };

		h.caplen = h.len = frame_for_dlt(dlt, pkts[i].data, pkts[i].len, buf);
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

/* classify -j: the "packets" array, with exit 0 and a quiet stderr (any
 * disagreement between classifier and datapath would be on it). */
static struct json_object *classify_json(const char *conf, const char *pcap, int n_want)
{
	struct json_object *doc, *list;
	struct run r;

	CLI(&r, "-j", "classify", "-c", conf, pcap);
	ck_assert_msg(r.status == 0, "classify %s: exit %d, stderr: %s", pcap, r.status, r.err);
	ck_assert_msg(!strcmp(r.err, ""), "classify %s: stderr: %s", pcap, r.err);
	doc = json_tokener_parse(r.out);
	ck_assert_msg(doc, "not JSON: %s", r.out);
	ck_assert_int_eq(json_object_object_length(doc), 1);
	ck_assert(json_object_object_get_ex(doc, "packets", &list));
	ck_assert(json_object_is_type(list, json_type_array));
	if (n_want >= 0)
		ck_assert_int_eq(json_object_array_length(list), n_want);
	json_object_get(list);
	json_object_put(doc);
	run_free(&r);
	return list;
}

/* A row's field: NULL for JSON null; every row has exactly the 7 keys. */
static const char *field(struct json_object *row, const char *key)
{
	struct json_object *v;

	ck_assert_int_eq(json_object_object_length(row), 7);
	ck_assert_msg(json_object_object_get_ex(row, key, &v), "row lacks %s", key);
	if (!v)
		return NULL;
	ck_assert(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static void assert_field(struct json_object *row, const char *key, const char *want, int i)
{
	const char *got = field(row, key);

	if (!want)
		ck_assert_msg(!got, "packet %d: %s is %s, want null", i + 1, key, got);
	else
		ck_assert_msg(got && !strcmp(got, want), "packet %d: %s is %s, want %s", i + 1,
			      key, got ? got : "null", want);
}

#define VIP      "2001:db8::80"
#define DARK_VIP "2001:db8::90"
#define STRICT_VIP "2001:db8::a0"
#define HOA1     "2001:db8:100::1"
#define HOA2     "2001:db8:100::2"

static const char crafted_conf[] =
	"[service web]\n"
	"vip = " VIP "\n"
	"identity = hoa,spi,iid,src\n"
	"eui64_only = yes\n"
	"[backend web s1]\naddr = 2001:db8:1::1\n"
	"[backend web s2]\naddr = 2001:db8:1::2\n"
	"[backend web s3]\naddr = 2001:db8:1::3\n"
	"[service dark]\n"
	"vip = " DARK_VIP "\n"
	"[backend dark d1]\naddr = 2001:db8:2::1\nstate = drained\n"
	"[service strict]\n"
	"vip = " STRICT_VIP "\n"
	"chain_policy = drop\n"
	"[backend strict t1]\naddr = 2001:db8:3::1\n";

struct crafted {
	const char *what;
	const char *verdict, *service, *kind, *identity, *reason;
	int same_backend_as;            /* 1-based earlier packet, 0 = any */
};

/* One row per packet of build_crafted(), in order. */
static const struct crafted crafted[] = {
	{ "HAO from CoA A", "tx", "web", "hoa", HOA1, NULL, 0 },
	{ "same HAO from CoA B", "tx", "web", "hoa", HOA1, NULL, 1 },
	{ "home link: source = HoA", "tx", "web", "src", HOA1, NULL, 1 },
	{ "plain source, random IID", "tx", "web", "src", "2001:db8:c::1234:5678", NULL, 0 },
	{ "ESP from CoA D", "tx", "web", "spi", "0x00001234", NULL, 0 },
	{ "same SPI from CoA E", "tx", "web", "spi", "0x00001234", NULL, 5 },
	{ "EUI-64 IID, prefix 1", "tx", "web", "iid", "021122fffe334455", NULL, 0 },
	{ "same IID, prefix 2", "tx", "web", "iid", "021122fffe334455", NULL, 7 },
	{ "first fragment with HAO", "tx", "web", "hoa", HOA2, NULL, 0 },
	{ "later fragment", "tx", "web", "hoa", HOA2, NULL, 9 },
	{ "not a service", "pass", NULL, NULL, NULL, "pass_not_service", 0 },
	{ "IPv4", "pass", NULL, NULL, NULL, "pass_not_ipv6", 0 },
	{ "truncated", "drop", "web", NULL, NULL, "drop_malformed", 0 },
	{ "service with only a drained backend", "drop", "dark", NULL, NULL, "drop_no_backend", 0 },
	{ "HAO from CoA A again", "tx", "web", "hoa", HOA1, NULL, 1 },
	/* Two counters move; the verdict's own reason comes first. */
	{ "chain too long, policy drop", "drop", "strict", NULL, NULL, "drop_chain_policy", 0 },
	/* Forwarded with an anomaly: the reason is the anomaly. */
	{ "HAO of the wrong length", "tx", "web", "src", "2001:db8:a::12", "hao_malformed", 0 },
	/* ICMPv6 errors about backends' replies follow the client's flow. */
	{ "Packet Too Big about a reply to packet 4's source", "tx", "web", "src",
	  "2001:db8:c::1234:5678", "icmp_error_session", 4 },
	{ "Packet Too Big about a route-optimised reply to HOA1", "tx", "web", "hoa", HOA1,
	  "icmp_error_session", 1 },
	{ "Time Exceeded about a reply to a client never seen", "tx", "web", "src",
	  "2001:db8:c::99", "icmp_error_ring", 0 },
	{ "Packet Too Big, quote cut inside the ports", "drop", "web", NULL, NULL,
	  "drop_icmp_malformed", 0 },
};

static int build_crafted(struct pb *p)
{
	/* Home Address option (type 201) with 8 bytes instead of 16. */
	static const __u8 bad_hao[10] = { 201, 8, 0x20, 0x01, 0x0d, 0xb8 };
	int n = 0, i;

	pb_init(&p[n], "2001:db8:a::10", VIP);
	pb_dstopt_hao(&p[n], HOA1);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:b::20", VIP);
	pb_dstopt_hao(&p[n], HOA1);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	pb_init(&p[n], HOA1, VIP);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:c::1234:5678", VIP);
	pb_tcp(&p[n], 40000, 80);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:d::7", VIP);
	pb_esp(&p[n], 0x1234, 32);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:e::8", VIP);
	pb_esp(&p[n], 0x1234, 32);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:f1::211:22ff:fe33:4455", VIP);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:f2::211:22ff:fe33:4455", VIP);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	/* The HAO sits in the unfragmentable part (RFC 6275 §6.3). */
	pb_init(&p[n], "2001:db8:a::11", VIP);
	pb_dstopt_hao(&p[n], HOA2);
	pb_frag(&p[n], 0, 1, 77);
	pb_udp(&p[n], 5000, 80, 32);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:a::11", VIP);
	pb_dstopt_hao(&p[n], HOA2);
	pb_frag(&p[n], 5, 0, 77);
	pb_raw(&p[n], 17, 24);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:a::10", "2001:db8::99");
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	pb_ipv4(&p[n++]);

	pb_init(&p[n], "2001:db8:a::10", VIP);
	pb_dstopt_hao(&p[n], HOA1);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n]);
	p[n++].len -= 20;               /* payload length now overruns the frame */

	pb_init(&p[n], "2001:db8:a::10", DARK_VIP);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:a::10", VIP);
	pb_dstopt_hao(&p[n], HOA1);
	pb_udp(&p[n], 5001, 80, 16);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:a::10", STRICT_VIP);
	for (i = 0; i < 9; i++)         /* one over MIP6LB_MAX_EXT_HDRS */
		pb_dstopt(&p[n]);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	pb_init(&p[n], "2001:db8:a::12", VIP);
	pb_dstopt_raw(&p[n], bad_hao, sizeof(bad_hao), -1);
	pb_udp(&p[n], 5000, 80, 16);
	pb_finish(&p[n++]);

	{
		static const struct { const char *dst, *rt2; __u8 type; size_t cut; } errs[] = {
			{ "2001:db8:c::1234:5678", NULL, 2, 0 },
			{ "2001:db8:a::10", HOA1, 2, 0 },
			{ "2001:db8:c::99", NULL, 3, 0 },
			{ "2001:db8:c::1234:5678", NULL, 2, 42 },
		};
		struct pb reply;

		for (i = 0; i < (int)N_OF(errs); i++) {
			pb_init(&reply, VIP, errs[i].dst);
			if (errs[i].rt2)
				pb_rt2(&reply, errs[i].rt2);
			pb_tcp_flags(&reply, 80, 40000, 0x10);
			pb_finish(&reply);
			pb_init(&p[n], "2001:db8:77::1", VIP);
			pb_icmp6_error(&p[n], errs[i].type, 0, errs[i].type == 2 ? 1280 : 0,
				       &reply, errs[i].cut);
			pb_finish(&p[n]);
			pb_icmp6_csum(&p[n++]);
		}
	}
	return n;
}

static void crafted_files(char *conf, char *pcap, size_t len, int dlt)
{
	static struct pb pkts[N_OF(crafted)];
	int n = build_crafted(pkts);

	ck_assert_int_eq(n, N_OF(crafted));
	make_tmp_dir();
	snprintf(conf, len, "%s/mip6lb.conf", tmp_dir);
	snprintf(pcap, len, "%s/crafted.pcap", tmp_dir);
	write_file(conf, crafted_conf);
	write_pcap(pcap, dlt, pkts, n);
}

START_TEST(test_classify_crafted)
{
	char conf[128], pcap[128];
	struct json_object *list;
	size_t i;

	crafted_files(conf, pcap, sizeof(conf), DLT_EN10MB);
	list = classify_json(conf, pcap, N_OF(crafted));
	for (i = 0; i < N_OF(crafted); i++) {
		struct json_object *row = json_object_array_get_idx(list, i), *idx;
		const struct crafted *c = &crafted[i];
		const char *be = field(row, "backend");

		ck_assert(json_object_object_get_ex(row, "index", &idx));
		ck_assert_int_eq(json_object_get_int(idx), i + 1);
		assert_field(row, "verdict", c->verdict, i);
		assert_field(row, "service", c->service, i);
		assert_field(row, "kind", c->kind, i);
		assert_field(row, "identity", c->identity, i);
		assert_field(row, "reason", c->reason, i);
		if (!strcmp(c->verdict, "tx"))
			ck_assert_msg(be && be[0] == 's', "%s: backend %s", c->what, be);
		else
			ck_assert_msg(!be, "%s: backend %s on a %s", c->what, be, c->verdict);
		if (c->same_backend_as) {
			const char *first = field(json_object_array_get_idx(list,
								c->same_backend_as - 1), "backend");

			ck_assert_msg(first && be && !strcmp(first, be), "%s: backend %s, packet %d had %s",
				      c->what, be, c->same_backend_as, first);
		}
	}
	json_object_put(list);
	remove_tmp_dir();
}
END_TEST

START_TEST(test_classify_table)
{
	char conf[128], pcap[128], line[256];
	struct run r;

	crafted_files(conf, pcap, sizeof(conf), DLT_EN10MB);
	CLI(&r, "classify", "-c", conf, pcap);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_msg(!strncmp(r.out, " #  SOURCE", 10), "header: %.80s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "VERDICT  SERVICE  KIND  IDENTITY"));
	ck_assert_ptr_nonnull(strstr(r.out, "BACKEND  SESSION  REASON\n"));
	/* Row 2: the roamed packet hits the session row 1 made. */
	ck_assert_ptr_nonnull(strstr(r.out, "\n 2  2001:db8:b::20 "));
	snprintf(line, sizeof(line), "tx       web      hoa   %s", HOA1);
	ck_assert_ptr_nonnull(strstr(r.out, line));
	ck_assert_ptr_nonnull(strstr(r.out, " hit "));
	ck_assert_ptr_nonnull(strstr(r.out, " frag "));
	ck_assert_ptr_nonnull(strstr(r.out, "(not IPv6)"));
	ck_assert_ptr_nonnull(strstr(r.out, "drop_no_backend\n"));
	/* Every counter that moved is in the table. */
	ck_assert_ptr_nonnull(strstr(r.out, "drop_chain_policy +chain_too_long\n"));
	/* ICMPv6 errors say what they follow: a session, or the ring. */
	ck_assert_ptr_nonnull(strstr(r.out, " follow   icmp_error_session\n"));
	ck_assert_ptr_nonnull(strstr(r.out, " ring     icmp_error_ring\n"));
	ck_assert_ptr_nonnull(strstr(r.out, ": 15 tx, 0 redirect, 2 pass, 4 drop; "));
	run_free(&r);
	remove_tmp_dir();
}
END_TEST

/* Link types without Ethernet: the classifier adds the header back. */
static const int dlts[] = {
	DLT_EN10MB, DLT_RAW, DLT_IPV6, DLT_NULL, DLT_LINUX_SLL, DLT_LINUX_SLL2,
};

START_TEST(test_classify_link_types)
{
	int dlt = dlts[_i];
	struct pb pkts[3];
	struct json_object *list;
	char conf[128], pcap[128];
	int n = 0;

	pb_init(&pkts[n], "2001:db8:a::10", VIP);
	pb_dstopt_hao(&pkts[n], HOA1);
	pb_udp(&pkts[n], 5000, 80, 16);
	pb_finish(&pkts[n++]);
	pb_init(&pkts[n], "2001:db8:a::10", "2001:db8::99");
	pb_udp(&pkts[n], 5000, 80, 16);
	pb_finish(&pkts[n++]);
	if (dlt != DLT_IPV6)            /* that link type carries IPv6 only */
		pb_ipv4(&pkts[n++]);

	make_tmp_dir();
	snprintf(conf, sizeof(conf), "%s/mip6lb.conf", tmp_dir);
	snprintf(pcap, sizeof(pcap), "%s/link.pcap", tmp_dir);
	write_file(conf, crafted_conf);
	write_pcap(pcap, dlt, pkts, n);
	list = classify_json(conf, pcap, n);
	assert_field(json_object_array_get_idx(list, 0), "verdict", "tx", 0);
	assert_field(json_object_array_get_idx(list, 0), "kind", "hoa", 0);
	assert_field(json_object_array_get_idx(list, 0), "identity", HOA1, 0);
	assert_field(json_object_array_get_idx(list, 1), "verdict", "pass", 1);
	assert_field(json_object_array_get_idx(list, 1), "reason", "pass_not_service", 1);
	if (n == 3) {
		assert_field(json_object_array_get_idx(list, 2), "verdict", "pass", 2);
		assert_field(json_object_array_get_idx(list, 2), "reason", "pass_not_ipv6", 2);
	}
	json_object_put(list);
	remove_tmp_dir();
}
END_TEST

START_TEST(test_classify_bad_inputs)
{
	char conf[128], pcap[128], bad[128];
	struct run r;

	crafted_files(conf, pcap, sizeof(conf), DLT_EN10MB);
	snprintf(bad, sizeof(bad), "%s/bad.conf", tmp_dir);
	write_file(bad, "[service web]\nvip = 2001:db8::80\nproto = sctp\n");
	CLI(&r, "classify", "-c", bad, pcap);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "bad.conf:3: proto = 'sctp'"), "stderr: %s", r.err);
	run_free(&r);
	CLI(&r, "classify", "-c", conf, "/nonexistent.pcap");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "mip6lbctl: classify: /nonexistent.pcap: "));
	run_free(&r);
	CLI(&r, "classify", "-c", conf, conf);  /* not a capture */
	ck_assert_int_eq(r.status, 1);
	run_free(&r);
	remove_tmp_dir();
}
END_TEST

/* Frames XDP never sees: each gets its row (drop, runt or too_big), the
 * packets around them are still run, and the exit code is 1 because not
 * every packet went through the datapath. */
static const struct odd_frame {
	const char *what;
	size_t len;                     /* 0..13: cut from a normal frame; more: padded */
	const char *verdict, *reason;   /* reason NULL: any, but not runt or too_big */
} odd_frames[] = {
	{ "normal, HAO", 0, "tx", NULL },
	{ "12 bytes", 12, "drop", "runt" },
	{ "empty", 0, "drop", "runt" },
	{ "1 byte", 1, "drop", "runt" },
	{ "13 bytes", 13, "drop", "runt" },
	{ "Ethernet header only", 14, "drop", "" },
	{ "1514 bytes, UDP", 1514, "tx", NULL },
	{ "9000 bytes (jumbo)", 9000, "drop", "too_big" },
	{ "70000 bytes (GRO)", 70000, "drop", "too_big" },
	{ "normal, HAO, again", 0, "tx", NULL },
};

static off_t file_size(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

static void write_odd_pcap(const char *path)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
	static __u8 big[70000];
	pcap_dumper_t *d;
	struct pb hao, udp;
	size_t i;

	pb_init(&hao, "2001:db8:a::10", VIP);
	pb_dstopt_hao(&hao, HOA1);
	pb_udp(&hao, 5000, 80, 16);
	pb_finish(&hao);
	pb_init(&udp, "2001:db8:c::99", VIP);
	pb_udp(&udp, 5000, 80, 1514 - 14 - 40 - 8);
	pb_finish(&udp);
	ck_assert_int_eq(udp.len, 1514);
	ck_assert_ptr_nonnull(p);
	d = pcap_dump_open(p, path);
	ck_assert_msg(d, "pcap_dump_open %s: %s", path, pcap_geterr(p));
	for (i = 0; i < N_OF(odd_frames); i++) {
		const struct odd_frame *o = &odd_frames[i];
		struct pcap_pkthdr h = { .ts = { .tv_sec = 1700000000 + i } };
		const __u8 *data = hao.data;

		h.caplen = h.len = o->len;
		if (!strcmp(o->verdict, "tx") && !o->len) {
			h.caplen = h.len = hao.len;
		} else if (o->len == 1514) {
			data = udp.data;
		} else if (o->len > 1514) {
			/* A frame of the HAO packet, zero-padded. */
			memset(big, 0, sizeof(big));
			memcpy(big, hao.data, hao.len);
			data = big;
		}
		pcap_dump((u_char *)d, &h, data);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

START_TEST(test_classify_odd_frames)
{
	char conf[128], pcap[128];
	struct json_object *doc, *list, *row, *idx;
	const char *be, *first_be = NULL;
	struct run r;
	size_t i;

	make_tmp_dir();
	snprintf(conf, sizeof(conf), "%s/mip6lb.conf", tmp_dir);
	snprintf(pcap, sizeof(pcap), "%s/odd.pcap", tmp_dir);
	write_file(conf, crafted_conf);
	write_odd_pcap(pcap);

	CLI(&r, "-j", "classify", "-c", conf, pcap);
	ck_assert_msg(r.status == 1, "exit %d, want 1: %s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "4 packets shorter than an Ethernet header (14 bytes): not run, dropped as runt"),
		      "stderr: %s", r.err);
	ck_assert_msg(strstr(r.err, "2 packets larger than the ") &&
		      strstr(r.err, " bytes XDP sees in one buffer: not run, dropped as too_big"),
		      "stderr: %s", r.err);
	ck_assert_msg(!strstr(r.err, "disagree") && !strstr(r.err, "was not run"), "stderr: %s", r.err);
	doc = json_tokener_parse(r.out);
	ck_assert_msg(doc, "not JSON: %s", r.out);
	ck_assert(json_object_object_get_ex(doc, "packets", &list));
	ck_assert_int_eq(json_object_array_length(list), N_OF(odd_frames));
	for (i = 0; i < N_OF(odd_frames); i++) {
		const struct odd_frame *o = &odd_frames[i];
		const char *reason;

		row = json_object_array_get_idx(list, i);
		ck_assert(json_object_object_get_ex(row, "index", &idx));
		ck_assert_int_eq(json_object_get_int(idx), i + 1);
		assert_field(row, "verdict", o->verdict, i);
		reason = field(row, "reason");
		be = field(row, "backend");
		if (o->reason && o->reason[0]) {
			/* Not run: nothing but the verdict and why. */
			assert_field(row, "reason", o->reason, i);
			assert_field(row, "service", NULL, i);
			assert_field(row, "kind", NULL, i);
			assert_field(row, "identity", NULL, i);
			ck_assert_msg(!be, "%s: backend %s", o->what, be);
		} else {
			ck_assert_msg(!reason || (strcmp(reason, "runt") && strcmp(reason, "too_big")),
				      "%s: reason %s, but it was run", o->what, reason);
		}
		if (!strcmp(o->verdict, "tx")) {
			assert_field(row, "service", "web", i);
			ck_assert_msg(be && be[0] == 's', "%s: backend %s", o->what, be);
		}
	}
	/* The packets after the odd ones are run in the same session table:
	 * the HAO session of the first packet is hit on the same backend. */
	first_be = field(json_object_array_get_idx(list, 0), "backend");
	be = field(json_object_array_get_idx(list, N_OF(odd_frames) - 1), "backend");
	ck_assert_msg(first_be && be && !strcmp(first_be, be), "backends %s then %s", first_be, be);
	assert_field(json_object_array_get_idx(list, 0), "kind", "hoa", 0);
	assert_field(json_object_array_get_idx(list, 0), "identity", HOA1, 0);
	assert_field(json_object_array_get_idx(list, N_OF(odd_frames) - 1), "identity", HOA1,
		     N_OF(odd_frames) - 1);
	json_object_put(doc);
	run_free(&r);

	/* The table: every row, and the summary counts the ones not run. */
	CLI(&r, "classify", "-c", conf, pcap);
	ck_assert_msg(r.status == 1, "exit %d, want 1: %s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "\n 2  -  ") && strstr(r.out, "  runt\n"), "table: %s", r.out);
	/* A too_big frame still shows whose it was. */
	ck_assert_msg(strstr(r.out, "\n 8  2001:db8:a::10  drop ") && strstr(r.out, "  too_big\n"),
		      "table: %s", r.out);
	ck_assert_msg(strstr(r.out, "\n10  2001:db8:a::10  tx "), "table: %s", r.out);
	ck_assert_msg(strstr(r.out, "10 packets (") &&
		      strstr(r.out, "): 3 tx, 0 redirect, 0 pass, 7 drop (6 not run); "),
		      "summary: %s", r.out);
	run_free(&r);

	/* A capture cut inside its last frame: the rows before the cut are
	 * printed, and the read error exits 1. */
	ck_assert_int_eq(truncate(pcap, file_size(pcap) - 10), 0);
	CLI(&r, "classify", "-c", conf, pcap);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.out, "\n9  2001:db8:a::10  drop ") && !strstr(r.out, "\n10  "),
		      "table: %s", r.out);
	ck_assert_msg(strstr(r.out, "9 packets ("), "summary: %s", r.out);
	ck_assert_msg(strstr(r.err, "odd.pcap: ") && strstr(r.err, "(after packet 9)"),
		      "stderr: %s", r.err);
	run_free(&r);
	remove_tmp_dir();
}
END_TEST

/* ---- the public captures ----------------------------------------------------- */

static void pcap_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", harness_pcap_dir(), name);
	ck_assert_msg(access(buf, R_OK) == 0, "%s: %s", buf, strerror(errno));
}

/* 2001:4f8:4:7:2e0:81ff:fe52:9a6b is where zeek's HAO captures go
 * (tcpdump -nn -vvv -r zeek_ipv6-mobile-hoa.pcap). */
static const char zeek_hoa_conf[] =
	"[service mobile]\n"
	"vip = 2001:4f8:4:7:2e0:81ff:fe52:9a6b\n"
	"[backend mobile a]\naddr = 2001:db8:1::1\n"
	"[backend mobile b]\naddr = 2001:db8:1::2\n";

static const char *const zeek_hoa_pcaps[] = {
	"zeek_ipv6-mobile-hoa.pcap",            /* UDP 30000 > 13000 */
	"zeek_ip6-hoa-tcp-good-chksum.pcap",    /* TCP 30000 > 80 */
};

START_TEST(test_pcap_zeek_hoa)
{
	char conf[128], pcap[512];
	struct json_object *list, *row;

	make_tmp_dir();
	snprintf(conf, sizeof(conf), "%s/zeek.conf", tmp_dir);
	write_file(conf, zeek_hoa_conf);
	pcap_path(pcap, sizeof(pcap), zeek_hoa_pcaps[_i]);
	list = classify_json(conf, pcap, 1);
	row = json_object_array_get_idx(list, 0);
	assert_field(row, "verdict", "tx", 0);
	assert_field(row, "service", "mobile", 0);
	assert_field(row, "kind", "hoa", 0);
	assert_field(row, "identity", "2001:78:1:32::1", 0);
	assert_field(row, "reason", NULL, 0);
	ck_assert_ptr_nonnull(field(row, "backend"));
	json_object_put(list);
	remove_tmp_dir();
}
END_TEST

struct esp_walk {
	__u32 spis[64];
	int n_spis;
	char vips[64][INET6_ADDRSTRLEN];
	int n_vips;
	int n_esp, n_pkts;
};

/* An independent look at the capture: Ethernet, IPv6, ESP right after. */
static void walk_esp(const char *path, struct esp_walk *w)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);
	int i;

	ck_assert_msg(p, "%s: %s", path, err);
	memset(w, 0, sizeof(*w));
	while (pcap_next_ex(p, &h, &d) == 1) {
		char vip[INET6_ADDRSTRLEN];
		__u32 spi;

		w->n_pkts++;
		if (h->caplen < 62 || d[12] != 0x86 || d[13] != 0xdd || d[20] != 50)
			continue;
		w->n_esp++;
		spi = (__u32)d[54] << 24 | d[55] << 16 | d[56] << 8 | d[57];
		for (i = 0; i < w->n_spis && w->spis[i] != spi; i++)
			;
		if (i == w->n_spis && w->n_spis < 64)
			w->spis[w->n_spis++] = spi;
		inet_ntop(AF_INET6, d + 38, vip, sizeof(vip));
		for (i = 0; i < w->n_vips && strcmp(w->vips[i], vip); i++)
			;
		if (i == w->n_vips && w->n_vips < 64)
			strcpy(w->vips[w->n_vips++], vip);
	}
	pcap_close(p);
}

START_TEST(test_pcap_zeek_esp)
{
	char conf[128], pcap[512], text[8192], seen[64][16];
	struct json_object *list;
	struct esp_walk w;
	size_t off = 0, i;
	int n_seen = 0, n_spi_rows = 0, j;

	pcap_path(pcap, sizeof(pcap), "zeek_ip6_esp.pcap");
	walk_esp(pcap, &w);
	/* tcpdump -nn -r zeek_ip6_esp.pcap: SPIs 0xa-0xd and 0x14-0x17 over
	 * twelve destinations, ten packets each, after one MLD report. */
	ck_assert_int_eq(w.n_spis, 8);
	ck_assert_int_eq(w.n_vips, 12);
	ck_assert_int_eq(w.n_esp, 120);
	make_tmp_dir();
	for (j = 0; j < w.n_vips; j++)
		off += snprintf(text + off, sizeof(text) - off,
				"[service esp%d]\nvip = %s\nidentity = spi,src\n"
				"[backend esp%d a]\naddr = 2001:db8:2::1\n"
				"[backend esp%d b]\naddr = 2001:db8:2::2\n", j, w.vips[j], j, j);
	ck_assert_uint_lt(off, sizeof(text));
	snprintf(conf, sizeof(conf), "%s/esp.conf", tmp_dir);
	write_file(conf, text);
	list = classify_json(conf, pcap, w.n_pkts);
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *row = json_object_array_get_idx(list, i);
		const char *kind = field(row, "kind"), *id = field(row, "identity");

		if (!kind || strcmp(kind, "spi"))
			continue;
		n_spi_rows++;
		assert_field(row, "verdict", "tx", i);
		for (j = 0; j < n_seen && strcmp(seen[j], id); j++)
			;
		if (j == n_seen) {
			ck_assert_int_lt(n_seen, 64);
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", id);
		}
	}
	ck_assert_int_eq(n_spi_rows, w.n_esp);
	ck_assert_int_eq(n_seen, w.n_spis);
	json_object_put(list);
	remove_tmp_dir();
}
END_TEST

START_TEST(test_pcap_malformed_dstopts)
{
	char conf[128], pcap[512];
	struct json_object *list;
	struct esp_walk w;
	size_t i;

	pcap_path(pcap, sizeof(pcap), "zeek_ipv6-mobility-dst-opts_malformed.pcap");
	walk_esp(pcap, &w);
	ck_assert_int_eq(w.n_pkts, 3);
	make_tmp_dir();
	snprintf(conf, sizeof(conf), "%s/zeek.conf", tmp_dir);
	write_file(conf, zeek_hoa_conf);
	list = classify_json(conf, pcap, w.n_pkts);
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *row = json_object_array_get_idx(list, i), *idx;
		const char *v = field(row, "verdict");

		ck_assert(json_object_object_get_ex(row, "index", &idx));
		ck_assert_int_eq(json_object_get_int(idx), i + 1);
		ck_assert_msg(v && (!strcmp(v, "tx") || !strcmp(v, "pass") || !strcmp(v, "drop")),
			      "packet %zu: verdict %s", i + 1, v);
		/* Every packet is to the VIP: each is the service's to judge. */
		assert_field(row, "service", "mobile", i);
	}
	json_object_put(list);
	remove_tmp_dir();
}
END_TEST

START_TEST(test_pcap_pcapng)
{
	char conf[128], pcap[512];
	struct json_object *list, *row;

	pcap_path(pcap, sizeof(pcap), "packetlife_IPv6-ESP.pcapng");
	make_tmp_dir();
	snprintf(conf, sizeof(conf), "%s/ng.conf", tmp_dir);
	write_file(conf, "[service ng]\nvip = 2001:470:e5bf:dead:7db0:921:a2e9:1c21\n"
			 "[backend ng a]\naddr = 2001:db8::1\n");
	list = classify_json(conf, pcap, 1);
	row = json_object_array_get_idx(list, 0);
	assert_field(row, "verdict", "tx", 0);
	assert_field(row, "kind", "spi", 0);
	assert_field(row, "identity", "0x49507636", 0);  /* tcpdump -xx: 4950 7636 */
	json_object_put(list);
	remove_tmp_dir();
}
END_TEST

MIP6LB_SUITE(cli_usage, 0)
{
	Suite *s = suite_create("cli_usage");
	TCase *usage = tcase_create("usage");
	TCase *daemon = tcase_create("daemon");

	tcase_add_loop_test(usage, test_usage_error, 0, N_OF(usage_cases));
	tcase_add_loop_test(usage, test_help, 0, N_OF(help_cases));
	tcase_add_test(usage, test_no_daemon);
	tcase_add_test(usage, test_socket_refused);
	tcase_add_test(usage, test_probe_json);
	tcase_add_test(usage, test_probe_table);
	tcase_set_timeout(usage, 30);
	suite_add_tcase(s, usage);

	tcase_add_loop_test(daemon, test_request, 0, N_OF(request_cases));
	tcase_add_test(daemon, test_drain_prints_nothing);
	tcase_add_test(daemon, test_session_list_table);
	tcase_add_test(daemon, test_session_list_json);
	tcase_add_test(daemon, test_stats_table);
	tcase_add_test(daemon, test_stats_watch_sigint);
	tcase_add_test(daemon, test_daemon_error);
	tcase_add_test(daemon, test_daemon_garbage);
	tcase_add_test(daemon, test_status_and_lists);
	tcase_add_test(daemon, test_status_fingerprints);
	tcase_add_test(daemon, test_binding_list_table);
	tcase_add_test(daemon, test_peer_list_table);
	tcase_set_timeout(daemon, 30);
	suite_add_tcase(s, daemon);
	return s;
}

MIP6LB_SUITE(cli, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("cli");
	TCase *clf = tcase_create("classify");

	tcase_add_test(clf, test_classify_crafted);
	tcase_add_test(clf, test_classify_table);
	tcase_add_loop_test(clf, test_classify_link_types, 0, N_OF(dlts));
	tcase_add_test(clf, test_classify_bad_inputs);
	tcase_add_test(clf, test_classify_odd_frames);
	tcase_set_timeout(clf, 60);
	suite_add_tcase(s, clf);

	if (harness_pcap_dir()) {
		TCase *pub = tcase_create("public_pcaps");

		tcase_add_loop_test(pub, test_pcap_zeek_hoa, 0, N_OF(zeek_hoa_pcaps));
		tcase_add_test(pub, test_pcap_zeek_esp);
		tcase_add_test(pub, test_pcap_malformed_dstopts);
		tcase_add_test(pub, test_pcap_pcapng);
		tcase_set_timeout(pub, 60);
		suite_add_tcase(s, pub);
	} else {
		printf("SKIP: ../shared/pcaps absent\n");
	}
	return s;
}
