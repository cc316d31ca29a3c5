// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the control socket's request handling, in process
 * and without a socket: ctlsrv_handle() (loader/ctl_commands.c) with the
 * commands, their argument checks, the runtime edits (lib/state_edit.c
 * through config_service_build/config_backend_build), the diff that
 * writes the maps (lib/state_apply.c, lib/dpmaps.c), reload, session list
 * and delete, stats.  The maps are fakemaps.c's: no BPF, no root.  Not
 * covered: the server's framing, connections and sends (ctl_server.c),
 * next-hop resolution (offline state: backends resolve by mac + dev only),
 * binding and peer lists (no notification module: empty lists).
 *
 * Each input line is one request, run in order against a daemon in the
 * state BASE gives.  The daemon is started afresh only after an input
 * that got a change command through (starting costs the rings of every
 * service, and most inputs are refused): a refused request changes
 * nothing, which is checked, so every input still starts from BASE.  Checks: every request gets one JSON
 * object with a boolean "ok"; an error has a non-empty "error", and leaves
 * the maps byte for byte and the service and backend counts as they were.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "config.h"
#include "daemon.h"
#include "ctl_server.h"
#include "dpmaps.h"
#include "state.h"
#include "fakemaps.h"
#include "fuzzutil.h"

#define MAX_REQUESTS 16

static const char BASE[] =
	"[daemon]\n"
	"[service web]\nvip = 2001:db8::80\nproto = udp\nport = 80\nlifetime = 300\n"
	"[service dns]\nvip = 2001:db8::53\nforward = ip6ip6\nlb_addr = 2001:db8:ff::1\n"
	"identity = hoa,spi,iid,src\n"
	"[backend web s1]\naddr = 2001:db8:1::1\nmac = 02:be:00:00:00:01\ndev = lo\n"
	"[backend web s2]\naddr = 2001:db8:1::2\nmac = 02:be:00:00:00:02\ndev = lo\nweight = 2\n"
	"[backend dns d1]\naddr = 2001:db8:2::1\nmac = 02:be:00:00:00:11\ndev = lo\n";

static struct dp_maps maps;
static struct daemon d = {
	.config_path = "mip6lb.conf",
	.pin_dir = "/nonexistent",
	.socket_path = "/nonexistent",
};
static bool dirty = true;       /* d.st is not BASE's state */

/* The commands that only read. */
static bool reads_only(const char *req, size_t len)
{
	static const char *const ro[] = { "status", "service list", "backend list",
					  "session list", "stats", "binding list", "peer list" };
	struct json_object *r, *cmd;
	bool yes = false;
	char *text = fuzz_strdup((const uint8_t *)req, len);
	size_t i;

	r = json_tokener_parse(text);
	if (r && json_object_is_type(r, json_type_object) &&
	    json_object_object_get_ex(r, "cmd", &cmd) && json_object_is_type(cmd, json_type_string))
		for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
			if (!strcmp(json_object_get_string(cmd), ro[i]))
				yes = true;
	json_object_put(r);
	free(text);
	return yes;
}

/* The file is BASE: a reload re-applies what runs, allowed empty or not. */
static int fuzz_reload(struct daemon *d, bool allow_empty, char *err, size_t errlen)
{
	return state_reload_file(d->st, d->config_path, NULL, NULL, err, errlen);
}

static void put_session(__u32 sid, const char *addr, __u32 backend)
{
	struct mip6lb_session_key k = { .service_id = sid, .space = MIP6LB_SPACE_ADDR };
	struct mip6lb_session v = { .backend_id = backend, .kind = MIP6LB_KIND_HOA,
				    .lifetime_s = 300 };

	if (inet_pton(AF_INET6, addr, &k.id.addr) != 1 ||
	    bpf_map_update_elem(maps.sessions, &k, &v, BPF_ANY))
		abort();
}

static struct lb_state *start(void)
{
	struct mip6lb_config cfg;
	struct lb_state *st;
	char err[512];

	fake_maps_open(&maps);
	if (state_new(&st, &maps, NULL) || config_parse_string(BASE, "base", &cfg, err, sizeof(err)) ||
	    state_apply(st, &cfg))
		abort();
	put_session(state_service_id(st, "web"), "2001:db8:100::7",
		    state_backend_id(st, "web", "s1"));
	put_session(state_service_id(st, "dns"), "2001:db8:100::8",
		    state_backend_id(st, "dns", "d1"));
	return st;
}

static void one_request(struct daemon *d, const char *req, size_t len)
{
	int svcs = state_count_services(d->st), bes = state_count_backends(d->st);
	uint64_t before = fake_maps_digest();
	struct json_object *r, *ok, *e;
	char *out;

	out = ctlsrv_handle(d, req, len);
	FUZZ_CHECK(out);
	FUZZ_CHECK(strlen(out) > 1 && out[strlen(out) - 1] == '\n');
	r = json_tokener_parse(out);
	FUZZ_CHECK(r && json_object_is_type(r, json_type_object));
	FUZZ_CHECK(json_object_object_get_ex(r, "ok", &ok) &&
		   json_object_is_type(ok, json_type_boolean));
	if (!json_object_get_boolean(ok)) {
		FUZZ_CHECK(json_object_object_get_ex(r, "error", &e) &&
			   json_object_is_type(e, json_type_string) && json_object_get_string_len(e));
		FUZZ_CHECK(fake_maps_digest() == before);
		FUZZ_CHECK(state_count_services(d->st) == svcs);
		FUZZ_CHECK(state_count_backends(d->st) == bes);
	} else {
		FUZZ_CHECK(json_object_object_get_ex(r, "data", &e));
		if (!reads_only(req, len) || fake_maps_digest() != before)
			dirty = true;
	}
	json_object_put(r);
	free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *f;

	fuzz_quiet();
	fuzz_sandbox();
	f = fopen("mip6lb.conf", "w");
	if (!f || fputs(BASE, f) < 0 || fclose(f))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *nl;
	int n = 0;

	if (dirty) {
		state_free(d.st);
		d.st = start();
		d.reload = fuzz_reload;
		d.start_ns = dp_now_ns();
		dirty = false;
	}
	/* One request per line, as clients send them; the bytes go in
	 * unterminated, as the server passes them. */
	while (p < end && n++ < MAX_REQUESTS) {
		nl = memchr(p, '\n', end - p);
		one_request(&d, (const char *)p, (nl ? nl : end) - p);
		p = nl ? nl + 1 : end;
	}
	return 0;
}
