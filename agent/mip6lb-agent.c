// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lb-agent - tells mip6lbd when a mobile node's care-of address
 * changes (docs/agent.md, docs/protocol.md).
 *
 *   mip6lb-agent --role ha -c FILE [-n] [-v]    on a Home Agent
 *   mip6lb-agent --role mn -c FILE [-n] [-v]    on a mobile node
 *   mip6lb-agent feed [-s SOCKET] HOA COA LIFETIME [SEQ]
 *   mip6lb-agent keygen [--force] FILE          a new key file, both ends
 *
 * One epoll loop over the agent's sockets and a signalfd: SIGHUP reloads
 * the config (peers and keys), SIGINT/SIGTERM stop it.  Exit status 0,
 * 1 on error, 2 on a usage or config error (as mip6lbd: systemd's
 * RestartPreventExitStatus=2 does not retry what a restart cannot fix).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include "agent.h"
#include "log.h"
#include "peer_config.h"
#include "peer_link.h"
#include "proto.h"

enum { FD_UDP, FD_CAPTURE, FD_FEED, FD_NETLINK, FD_SIGNAL };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mip6lb-agent --role ha|mn -c FILE [-n] [-v]\n"
		"       mip6lb-agent feed [-s SOCKET] HOA COA LIFETIME [SEQ]\n"
		"       mip6lb-agent keygen [-f] FILE\n"
		"\n"
		"  --role ha       on a Home Agent: bindings from the Mobility Headers on\n"
		"                  [agent] interface and from the feed socket\n"
		"  --role mn       on a mobile node: the care-of address is the global\n"
		"                  address of [agent] interface\n"
		"  -c, --config    the agent's INI file (docs/agent.md)\n"
		"  -n, --check-config  validate the config, print nothing if it is\n"
		"                  valid, FILE:LINE: message and exit 2 if not\n"
		"  -v, --verbose   debug messages\n"
		"  feed            hand a binding to a running Home Agent agent\n"
		"                  (LIFETIME in seconds, 0 deregisters; -s defaults to\n"
		"                  %s)\n"
		"  keygen          write a new key (64 hex digits and a newline, 32\n"
		"                  random bytes) to FILE, mode 0600, for the key_file of\n"
		"                  both ends; -f, --force replaces an existing FILE\n",
		AGENT_DEFAULT_FEED);
}

/* The key file both ends' key_file reads (docs/protocol.md, "Keys"). */
static int run_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool force = false;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	if (proto_init()) {
		pr_err("keygen: libsodium did not initialise");
		return 1;
	}
	err = peer_key_generate(argv[optind], force);
	if (err == -EEXIST) {
		pr_err("keygen: %s exists; --force replaces it", argv[optind]);
		return 1;
	}
	if (err) {
		pr_err("keygen: %s: %s", argv[optind], strerror(-err));
		return 1;
	}
	return 0;
}

static int run_feed(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *path = AGENT_DEFAULT_FEED;
	char line[AGENT_FEED_MAX], reply[256];
	int c, rc, i;
	size_t off = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 3 || argc - optind > 4) {
		usage(stderr);
		return 2;
	}
	for (i = optind; i < argc; i++) {
		if (off + strlen(argv[i]) + 2 > sizeof(line)) {
			pr_err("feed: arguments too long");
			return 2;
		}
		off += snprintf(line + off, sizeof(line) - off, "%s%s", i > optind ? " " : "", argv[i]);
	}
	rc = agent_feed_send(path, line, reply, sizeof(reply), 2000);
	if (rc == -EINVAL) {
		pr_err("feed: the agent said: %s", reply);
		return 1;
	}
	if (rc) {
		pr_err("feed: %s: %s", path, strerror(-rc));
		return 1;
	}
	return 0;
}

static int watch(int ep, int fd, __u32 tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		pr_err("epoll_ctl: %s", strerror(-err));
		return err;
	}
	return 0;
}

static void reload(struct agent *a, const char *path, int role)
{
	struct agent_config cfg;
	char err[512];

	if (agent_config_load(path, role, &cfg, err, sizeof(err))) {
		pr_err("reload: %s; keeping the running config", err);
		return;
	}
	if (!agent_reload(a, &cfg))
		pr_info("reloaded %s", path);
	agent_config_free(&cfg);
}

static int run_agent(int role, const char *path, bool check_only)
{
	struct epoll_event evs[8];
	struct signalfd_siginfo si;
	struct agent_config cfg;
	struct agent *a = NULL;
	char err[512], addr[INET6_ADDRSTRLEN];
	int ep = -1, sfd = -1, fd, rc = 1, n, i;
	bool stop = false;
	sigset_t set;

	if (agent_config_load(path, role, &cfg, err, sizeof(err))) {
		pr_err("%s", err);
		return 2;
	}
	if (check_only) {
		agent_config_free(&cfg);
		return 0;
	}
	if (agent_open(&a, &cfg))
		goto out;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		pr_err("epoll_create1: %s", strerror(errno));
		goto out;
	}
	if (watch(ep, agent_udp_fd(a), FD_UDP))
		goto out;
	if (role == AGENT_ROLE_HA) {
		if (cfg.iface[0]) {
			fd = agent_capture_open(a);
			if (fd < 0 || watch(ep, fd, FD_CAPTURE))
				goto out;
		}
		fd = agent_feed_open(a);
		if (fd < 0 || (fd > 0 && watch(ep, fd, FD_FEED)))
			goto out;
	} else {
		fd = agent_mn_open(a);
		if (fd < 0 || watch(ep, fd, FD_NETLINK))
			goto out;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		pr_err("sigprocmask: %s", strerror(errno));
		goto out;
	}
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		pr_err("signalfd: %s", strerror(errno));
		goto out;
	}
	if (watch(ep, sfd, FD_SIGNAL))
		goto out;

	pr_info("role %s, listening on [%s]:%u, %d balancer%s%s%s%s%s", agent_role_name(role),
		inet_ntop(AF_INET6, &cfg.listen_addr, addr, sizeof(addr)) ? addr : "?",
		agent_port(a), cfg.n_peers, cfg.n_peers == 1 ? "" : "s",
		cfg.iface[0] ? ", interface " : "", cfg.iface,
		role == AGENT_ROLE_HA && cfg.feed_socket[0] ? ", feed " : "",
		role == AGENT_ROLE_HA ? cfg.feed_socket : "");

	while (!stop) {
		n = epoll_wait(ep, evs, 8, AGENT_TICK_MS);
		if (n < 0 && errno != EINTR) {
			pr_err("epoll_wait: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < n; i++) {
			__u64 now = peer_now_ms();
			int r = 0;

			switch (evs[i].data.u32) {
			case FD_UDP:
				r = agent_on_udp(a, now);
				break;
			case FD_CAPTURE:
				r = agent_on_capture(a, now);
				break;
			case FD_FEED:
				r = agent_on_feed(a, now);
				break;
			case FD_NETLINK:
				r = agent_on_netlink(a, now);
				break;
			case FD_SIGNAL:
				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP)
						reload(a, path, role);
					else
						stop = true;
				}
				break;
			}
			if (r < 0)
				goto out;       /* logged where it failed */
		}
		agent_tick(a, peer_now_ms());
	}
	pr_info("stopping");
	rc = 0;
out:
	agent_close(a);
	if (sfd >= 0)
		close(sfd);
	if (ep >= 0)
		close(ep);
	agent_config_free(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *path = NULL;
	bool check_only = false;
	int role = 0, c;

	log_set_ident("mip6lb-agent");
	if (argc > 1 && !strcmp(argv[1], "feed"))
		return run_feed(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "keygen"))
		return run_keygen(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "r:c:vnh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!strcmp(optarg, "ha")) {
				role = AGENT_ROLE_HA;
			} else if (!strcmp(optarg, "mn")) {
				role = AGENT_ROLE_MN;
			} else {
				fprintf(stderr, "mip6lb-agent: --role '%s': expected ha or mn\n", optarg);
				return 2;
			}
			break;
		case 'c':
			path = optarg;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'n':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!role || !path || optind != argc) {
		usage(stderr);
		return 2;
	}
	return run_agent(role, path, check_only);
}
