// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lb-agent and balancer groups: [group NAME] members in the config,
 * the fan-out of every notification to every member of a subscriber's
 * group (and to nobody else), the backends the group agreed on (the oldest
 * live subscription's), group snapshots, and every way a subscription is
 * refused (unknown_group, wrong_group, replay, bad_mac), which changes
 * nothing.  Four balancers on ::1, each on its own port: lb1 and lb2 in
 * group web, lb3 in none, lb4 alone in group db.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <check.h>
#include "harness.h"
#include "agent.h"
#include "peer_link.h"
#include "peer_rx.h"
#include "proto.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define HOME     "2001:db8:100::7"
#define HOME2    "2001:db8:100::8"
#define COA_A    "2001:db8:a::1"
#define COA_B    "2001:db8:b::1"
#define VIP      "2001:db8:80::80"
#define AGENT_ID 5U
#define N_LB     4

enum { LB1, LB2, LB3, LB4 };

static const char *const lb_name[N_LB] = { "lb1", "lb2", "lb3", "lb4" };
static char tmpdir[64], keypath[128];
static __u8 key[32];
static struct agent *ag;

static struct lb {
	int fd;
	__u16 port;
	struct proto_sender tx;
	struct proto_peer_state rx;      /* its view of the agent */
} lb[N_LB];

static void a6(const char *text, struct in6_addr *out)
{
	ck_assert_int_eq(inet_pton(AF_INET6, text, out), 1);
}

static void setup(void)
{
	char text[2048], err[256];
	struct agent_config cfg;
	int i, fd;

	ck_assert_int_eq(proto_init(), 0);
	strcpy(tmpdir, "/tmp/mip6lb-agroup.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	for (i = 0; i < 32; i++)
		key[i] = 0x51 + i;
	snprintf(keypath, sizeof(keypath), "%s/lb.key", tmpdir);
	fd = open(keypath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, key, sizeof(key)), (ssize_t)sizeof(key));
	close(fd);

	for (i = 0; i < N_LB; i++) {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = in6addr_loopback };
		socklen_t sl = sizeof(sa);

		lb[i].fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(lb[i].fd, 0);
		ck_assert_int_eq(bind(lb[i].fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		ck_assert_int_eq(getsockname(lb[i].fd, (struct sockaddr *)&sa, &sl), 0);
		lb[i].port = ntohs(sa.sin6_port);
		/* Each balancer its own sender id: one key, four senders. */
		ck_assert_int_eq(proto_sender_init(&lb[i].tx, 10 + i, 1, key, 32, proto_now_us()), 0);
		ck_assert_int_eq(proto_peer_init(&lb[i].rx, AGENT_ID, 1, key, 32), 0);
	}
	snprintf(text, sizeof(text),
		 "[agent]\nlisten = [::1]:5400\nsender_id = %u\nfeed_socket = off\n"
		 "interface = lo\nsnapshot_interval = 10\n"
		 "[peer lb1]\naddr = [::1]:%u\nkey_file = %s\n"
		 "[peer lb2]\naddr = [::1]:%u\nkey_file = %s\n"
		 "[peer lb3]\naddr = [::1]:%u\nkey_file = %s\n"
		 "[peer lb4]\naddr = [::1]:%u\nkey_file = %s\n"
		 "[group web]\nmembers = lb1, lb2\n"
		 "[group db]\nmembers = lb4\n",
		 AGENT_ID, lb[0].port, keypath, lb[1].port, keypath, lb[2].port, keypath,
		 lb[3].port, keypath);
	ck_assert_msg(!agent_config_parse_string(text, "agent.conf", AGENT_ROLE_HA, &cfg, err,
						 sizeof(err)), "%s", err);
	ck_assert_int_eq(cfg.n_groups, 2);
	cfg.listen_port = 0;
	ck_assert_int_eq(agent_open(&ag, &cfg), 0);
	agent_config_free(&cfg);
}

static void teardown(void)
{
	char cmd[128];
	int i;

	agent_close(ag);
	ag = NULL;
	for (i = 0; i < N_LB; i++)
		close(lb[i].fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- the balancers' side ---------------------------------------------- */

static void to_agent(int i, const __u8 *buf, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = in6addr_loopback,
				   .sin6_port = htons(agent_port(ag)) };

	ck_assert_int_eq(sendto(lb[i].fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)len);
}

static size_t lb_send(int i, struct proto_msg *m, __u8 *copy)
{
	__u8 buf[PROTO_MAX_MSG];
	int len = proto_sender_encode(&lb[i].tx, m, proto_now_us(), buf, sizeof(buf));

	ck_assert_int_gt(len, 0);
	to_agent(i, buf, len);
	if (copy)
		memcpy(copy, buf, len);
	return len;
}

static void agent_reads(void)
{
	struct pollfd p = { .fd = agent_udp_fd(ag), .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	ck_assert_int_eq(agent_on_udp(ag, peer_now_ms()), 1);
}

/* The next message to balancer i, or -ETIMEDOUT. */
static int lb_recv(int i, struct proto_msg *m, int timeout_ms)
{
	struct pollfd p = { .fd = lb[i].fd, .events = POLLIN };
	__u8 buf[PROTO_MAX_MSG];
	ssize_t r;
	int rc;

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	r = recv(lb[i].fd, buf, sizeof(buf), 0);
	ck_assert_int_gt(r, 0);
	rc = proto_accept(&lb[i].rx, buf, r, proto_now_ms(), m);
	ck_assert_msg(rc == 0, "%s rejected the agent's datagram: %s", lb_name[i],
		      proto_reason_name(rc));
	return 0;
}

static void lb_expect(int i, int type, struct proto_msg *m)
{
	ck_assert_msg(!lb_recv(i, m, 1000), "nothing for %s", lb_name[i]);
	ck_assert_msg(m->type == type, "%s got %s, want %s", lb_name[i], proto_type_name(m->type),
		      proto_type_name(type));
}

static void lb_expect_nothing(int i)
{
	struct proto_msg m;

	ck_assert_msg(lb_recv(i, &m, 0) == -ETIMEDOUT, "%s got a %s", lb_name[i],
		      proto_type_name(m.type));
}

static void all_quiet(void)
{
	int i;

	for (i = 0; i < N_LB; i++)
		lb_expect_nothing(i);
}

static void choice(struct proto_choices *ch, __u16 port, const char *backend)
{
	struct proto_choice *c = &ch->c[ch->count++];

	a6(VIP, &c->vip);
	c->proto = IPPROTO_TCP;
	c->port = port;
	snprintf(c->backend, sizeof(c->backend), "%s", backend);
}

static void group_sub_msg(struct proto_msg *m, const char *group, const char *home,
			  const char *backend)
{
	memset(m, 0, sizeof(*m));
	m->type = PROTO_GROUP_SUBSCRIBE;
	a6(home, &m->group_subscribe.sub.home);
	m->group_subscribe.sub.snapshot_interval_s = 30;
	m->group_subscribe.sub.lifetime_s = 3600;
	snprintf(m->group_subscribe.group, sizeof(m->group_subscribe.group), "%s", group);
	if (backend)
		choice(&m->group_subscribe.ch, 443, backend);
}

/* Balancer i subscribes; the agent answers with an ACK of want_status. */
static void subscribe(int i, const char *group, const char *home, const char *backend,
		      __u8 want_status)
{
	struct proto_msg m, ack;

	if (group) {
		group_sub_msg(&m, group, home, backend);
	} else {
		memset(&m, 0, sizeof(m));
		m.type = PROTO_SUBSCRIBE;
		a6(home, &m.subscribe.home);
		m.subscribe.snapshot_interval_s = 30;
		m.subscribe.lifetime_s = 3600;
	}
	lb_send(i, &m, NULL);
	agent_reads();
	lb_expect(i, PROTO_SUBSCRIBE_ACK, &ack);
	ck_assert_uint_eq(ack.subscribe_ack.ack_seq, m.seq);
	ck_assert_uint_eq(ack.subscribe_ack.status, want_status);
}

static void bind_home(const char *home, const char *coa, __u16 seq)
{
	struct in6_addr h, c;

	a6(home, &h);
	a6(coa, &c);
	ck_assert_int_eq(agent_binding_update(ag, &h, &c, 600, seq, peer_now_ms()), 0);
}

/* A GROUP_NOTIFY for group web about home at coa, naming backend (NULL:
 * no choice) for service VIP:443/tcp. */
static void expect_group_notify(int i, const char *home, const char *coa, const char *backend)
{
	struct in6_addr h, c;
	struct proto_msg m;

	lb_expect(i, PROTO_GROUP_NOTIFY, &m);
	a6(home, &h);
	a6(coa, &c);
	ck_assert_mem_eq(&m.group_notify.nt.home, &h, 16);
	ck_assert_mem_eq(&m.group_notify.nt.coa, &c, 16);
	ck_assert_str_eq(m.group_notify.group, "web");
	if (!backend) {
		ck_assert_uint_eq(m.group_notify.ch.count, 0);
		return;
	}
	ck_assert_uint_eq(m.group_notify.ch.count, 1);
	ck_assert_uint_eq(m.group_notify.ch.c[0].port, 443);
	ck_assert_str_eq(m.group_notify.ch.c[0].backend, backend);
}

/* ---- fan-out ------------------------------------------------------------ */

START_TEST(test_one_subscription_covers_the_group)
{
	struct agent_stats st;
	struct proto_msg m;

	bind_home(HOME, COA_A, 1);
	/* lb1 subscribes for web: every member hears the binding at once,
	 * with lb1's choice; lb3 (no group) and lb4 (group db) do not. */
	subscribe(LB1, "web", HOME, "web-2", PROTO_SUB_OK);
	expect_group_notify(LB1, HOME, COA_A, "web-2");
	expect_group_notify(LB2, HOME, COA_A, "web-2");
	all_quiet();
	ck_assert_int_eq(agent_subscription_count(ag), 1);

	/* A move: both members, lb2 never having subscribed. */
	bind_home(HOME, COA_B, 2);
	expect_group_notify(LB1, HOME, COA_B, "web-2");
	expect_group_notify(LB2, HOME, COA_B, "web-2");
	all_quiet();

	/* lb3 subscribes without a group: its own BINDING_NOTIFY; the next
	 * move reaches the group and lb3, each in its own form. */
	subscribe(LB3, NULL, HOME, NULL, PROTO_SUB_OK);
	lb_expect(LB3, PROTO_BINDING_NOTIFY, &m);
	all_quiet();
	bind_home(HOME, COA_A, 3);
	expect_group_notify(LB1, HOME, COA_A, "web-2");
	expect_group_notify(LB2, HOME, COA_A, "web-2");
	lb_expect(LB3, PROTO_BINDING_NOTIFY, &m);
	ck_assert_uint_eq(m.notify.flags, PROTO_NOTIFY_F_OLD_COA);
	all_quiet();

	/* Another node nobody subscribed to: nobody. */
	bind_home(HOME2, COA_A, 1);
	all_quiet();

	agent_get_stats(ag, &st);
	ck_assert_uint_eq(st.group_notifies, 3);        /* lb2, three times */
	ck_assert_uint_eq(st.choice_conflicts, 0);
}
END_TEST

START_TEST(test_first_choice_wins)
{
	struct agent_stats st;

	bind_home(HOME, COA_A, 1);
	subscribe(LB1, "web", HOME, "web-2", PROTO_SUB_OK);
	expect_group_notify(LB1, HOME, COA_A, "web-2");
	expect_group_notify(LB2, HOME, COA_A, "web-2");

	/* lb2 chose web-3: a conflict, counted; the group keeps web-2 and
	 * lb2 is told so (its own subscription is new: every member hears). */
	subscribe(LB2, "web", HOME, "web-3", PROTO_SUB_OK);
	expect_group_notify(LB1, HOME, COA_A, "web-2");
	expect_group_notify(LB2, HOME, COA_A, "web-2");
	all_quiet();
	agent_get_stats(ag, &st);
	ck_assert_uint_eq(st.choice_conflicts, 1);

	/* lb1, the owner, changes its choice (its backend was removed):
	 * the group follows, every member is told. */
	subscribe(LB1, "web", HOME, "web-4", PROTO_SUB_OK);
	expect_group_notify(LB1, HOME, COA_A, "web-4");
	expect_group_notify(LB2, HOME, COA_A, "web-4");
	all_quiet();

	/* lb1 unsubscribes: lb2's choice is the group's now. */
	{
		struct proto_msg m = { .type = PROTO_UNSUBSCRIBE };

		a6(HOME, &m.unsubscribe.home);
		lb_send(LB1, &m, NULL);
		agent_reads();
	}
	bind_home(HOME, COA_B, 2);
	expect_group_notify(LB1, HOME, COA_B, "web-3");
	expect_group_notify(LB2, HOME, COA_B, "web-3");
	all_quiet();

	/* A renewal that changes nothing: only the renewer hears. */
	subscribe(LB2, "web", HOME, "web-3", PROTO_SUB_OK);
	expect_group_notify(LB2, HOME, COA_B, "web-3");
	all_quiet();
}
END_TEST

START_TEST(test_group_snapshot_reaches_every_member)
{
	struct proto_msg m;
	__u64 now = peer_now_ms();
	int who;

	bind_home(HOME, COA_A, 1);
	bind_home(HOME2, COA_B, 1);
	subscribe(LB2, "web", HOME, "web-1", PROTO_SUB_OK);
	expect_group_notify(LB1, HOME, COA_A, "web-1");
	expect_group_notify(LB2, HOME, COA_A, "web-1");
	subscribe(LB1, "web", HOME2, NULL, PROTO_SUB_OK);
	expect_group_notify(LB1, HOME2, COA_B, NULL);
	expect_group_notify(LB2, HOME2, COA_B, NULL);
	all_quiet();

	agent_tick(ag, now);
	agent_tick(ag, now + 10 * 1000);
	for (who = LB1; who <= LB2; who++) {
		lb_expect(who, PROTO_GROUP_SNAPSHOT, &m);
		ck_assert_str_eq(m.group_snapshot.group, "web");
		ck_assert_uint_eq(m.group_snapshot.count, 2);
		ck_assert_uint_eq(m.group_snapshot.flags, 0);
		/* Sorted by home address: HOME (::7) with web-1, HOME2 none. */
		ck_assert_uint_eq(m.group_snapshot.entries[0].ch.count, 1);
		ck_assert_str_eq(m.group_snapshot.entries[0].ch.c[0].backend, "web-1");
		ck_assert_uint_eq(m.group_snapshot.entries[1].ch.count, 0);
	}
	all_quiet();
}
END_TEST

/* ---- refusals: counted on the peer, nothing answered, nothing kept ------- */

enum { R_PLAIN, R_GROUP, R_REPLAY, R_FORGED };

static const struct reject_case {
	const char *name;
	int from;
	int how;
	const char *group;
	int reason;
} reject_cases[] = {
	{ "unknown group",                 LB1, R_GROUP,  "nope", PEER_R_UNKNOWN_GROUP },
	{ "another group than its own",    LB1, R_GROUP,  "db",   PEER_R_WRONG_GROUP },
	{ "a peer in no group names one",  LB3, R_GROUP,  "web",  PEER_R_WRONG_GROUP },
	{ "a member without its group",    LB2, R_PLAIN,  NULL,   PEER_R_WRONG_GROUP },
	{ "a replayed GROUP_SUBSCRIBE",    LB1, R_REPLAY, "web",  PROTO_R_REPLAY },
	{ "a forged backend name",         LB1, R_FORGED, "web",  PROTO_R_BAD_MAC },
};

START_TEST(test_refusals_change_nothing)
{
	const struct reject_case *rc = &reject_cases[_i];
	__u8 buf[PROTO_MAX_MSG];
	struct proto_msg m;
	long long acc_before;
	size_t len;

	bind_home(HOME, COA_A, 1);
	if (rc->how == R_REPLAY) {
		/* The genuine one first (taken, answered, then forgotten). */
		subscribe(rc->from, rc->group, HOME, "web-2", PROTO_SUB_OK);
		expect_group_notify(LB1, HOME, COA_A, "web-2");
		expect_group_notify(LB2, HOME, COA_A, "web-2");
		group_sub_msg(&m, rc->group, HOME, "web-2");
		len = lb_send(rc->from, &m, buf);
		agent_reads();
		lb_expect(rc->from, PROTO_SUBSCRIBE_ACK, &m);
		lb_expect(rc->from, PROTO_GROUP_NOTIFY, &m);
		to_agent(rc->from, buf, len);            /* again */
	} else if (rc->how == R_FORGED) {
		group_sub_msg(&m, rc->group, HOME, "web-2");
		len = proto_sender_encode(&lb[rc->from].tx, &m, proto_now_us(), buf, sizeof(buf));
		ck_assert_int_gt(len, 0);
		/* web-2 -> web-9 in the choice, the MAC left as it was. */
		buf[PROTO_HDR_LEN + PROTO_GROUP_SUBSCRIBE_MIN_LEN + 20 + 4] = '9';
		to_agent(rc->from, buf, len);
	} else if (rc->how == R_GROUP) {
		group_sub_msg(&m, rc->group, HOME, "web-2");
		lb_send(rc->from, &m, NULL);
	} else {
		memset(&m, 0, sizeof(m));
		m.type = PROTO_SUBSCRIBE;
		a6(HOME, &m.subscribe.home);
		m.subscribe.lifetime_s = 600;
		lb_send(rc->from, &m, NULL);
	}
	acc_before = agent_peer_accepted(ag, lb_name[rc->from]);
	agent_reads();
	ck_assert_int_eq(agent_peer_rejected(ag, lb_name[rc->from], rc->reason), 1);
	ck_assert_int_eq(agent_peer_accepted(ag, lb_name[rc->from]), acc_before);
	/* No answer to anyone, and the subscriptions are what they were. */
	all_quiet();
	ck_assert_int_eq(agent_subscription_count(ag), rc->how == R_REPLAY ? 1 : 0);
	/* The move after it reaches whoever was subscribed, nobody else. */
	bind_home(HOME, COA_B, 2);
	if (rc->how == R_REPLAY) {
		expect_group_notify(LB1, HOME, COA_B, "web-2");
		expect_group_notify(LB2, HOME, COA_B, "web-2");
	}
	all_quiet();
}
END_TEST

/* ---- config ---------------------------------------------------------------- */

static const struct {
	const char *body;
	const char *want;
} group_config_errors[] = {
	{ "[group web]\n", "agent.conf:3: [group web] needs members" },
	{ "[group web]\nmembers = lbx\n", "agent.conf:3: [group web]: member lbx is no [peer] section" },
	{ "[group web]\nmembers = lb1, lb1\n",
	  "agent.conf:4: members = 'lb1, lb1': peer lb1 is listed twice" },
	{ "[group web]\nmembers = lb1\n[group db]\nmembers = lb1\n",
	  "agent.conf:5: [group db]: peer lb1 is already a member of [group web] (line 3)" },
	{ "[group web]\nmembers = lb1\n[group web]\nmembers = lb1\n",
	  "agent.conf:5: duplicate [group web] (first at line 3)" },
	{ "[group w/b]\nmembers = lb1\n", "agent.conf:3: bad name 'w/b': 1..31 of A-Z a-z 0-9 . _ -" },
	{ "[group web]\nmembers = lb1\nsender_id = 3\n", "agent.conf:5: unknown key 'sender_id' in [group]" },
};

START_TEST(test_group_config_errors)
{
	struct agent_config cfg;
	char text[1200], err[256] = "";

	/* Lines 1-2 [agent], the case's lines from 3 on, then the peer. */
	snprintf(text, sizeof(text), "[agent]\nfeed_socket = /tmp/x.sock\n%s"
		 "[peer lb1]\naddr = ::1\nkey_file = %s\n", group_config_errors[_i].body, keypath);
	ck_assert_int_ne(agent_config_parse_string(text, "agent.conf", AGENT_ROLE_HA, &cfg, err,
						   sizeof(err)), 0);
	ck_assert_str_eq(err, group_config_errors[_i].want);
}
END_TEST

MIP6LB_SUITE(agent_group, 0)
{
	Suite *s = suite_create("agent_group");
	TCase *tc = tcase_create("group");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_one_subscription_covers_the_group);
	tcase_add_test(tc, test_first_choice_wins);
	tcase_add_test(tc, test_group_snapshot_reaches_every_member);
	tcase_add_loop_test(tc, test_refusals_change_nothing, 0, N(reject_cases));
	tcase_add_loop_test(tc, test_group_config_errors, 0, N(group_config_errors));
	suite_add_tcase(s, tc);
	return s;
}
