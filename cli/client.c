// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <json-c/json.h>
#include "client.h"

/* A session list of a million entries is ~200 MB of JSON; past this the
 * peer is not mip6lbd. */
#define CTL_MAX_RESPONSE (1UL << 30)

static int ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_S };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		/* MSG_NOSIGNAL: a daemon that hangs up early is an error
		 * message, not a SIGPIPE. */
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Read until the newline that ends the response, or EOF. */
static int recv_line(int fd, char **out, size_t *outlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nl;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *p;

			if (cap >= CTL_MAX_RESPONSE) {
				free(buf);
				return -EMSGSIZE;
			}
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0) {
			int err = errno == EAGAIN ? -ETIMEDOUT : -errno;

			if (errno == EINTR)
				continue;
			free(buf);
			return err;
		}
		if (n == 0)
			break;
		nl = memchr(buf + len, '\n', n);
		len += n;
		if (nl) {
			len = nl - buf;
			break;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

int ctl_request(const struct cli_ctx *ctx, const char *cmd, struct json_object *args,
		struct json_object **data)
{
	struct json_object *req, *resp = NULL, *ok, *d, *e;
	enum json_tokener_error jerr;
	const char *text;
	char *line = NULL;
	size_t len = 0;
	int fd, err, rc = CLI_ERR;

	*data = NULL;
	fd = ctl_connect(ctx->socket);
	if (fd < 0)
		return cli_error("cannot reach mip6lbd at %s: %s", ctx->socket, strerror(-fd));

	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	json_object_object_add(req, "args", args ? json_object_get(args) : json_object_new_object());
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
	err = send_all(fd, text, strlen(text));
	if (!err)
		err = send_all(fd, "\n", 1);
	json_object_put(req);
	if (err) {
		cli_error("sending to mip6lbd at %s: %s", ctx->socket, strerror(-err));
		goto out;
	}
	shutdown(fd, SHUT_WR);
	err = recv_line(fd, &line, &len);
	if (err) {
		cli_error("no response from mip6lbd at %s: %s", ctx->socket, strerror(-err));
		goto out;
	}
	if (!len) {
		cli_error("mip6lbd at %s closed the connection without a response", ctx->socket);
		goto out;
	}
	resp = json_tokener_parse_verbose(line, &jerr);
	if (!resp || !json_object_is_type(resp, json_type_object)) {
		cli_error("bad response from mip6lbd at %s: %s", ctx->socket,
			  resp ? "not a JSON object" : json_tokener_error_desc(jerr));
		goto out;
	}
	if (!json_object_object_get_ex(resp, "ok", &ok) || !json_object_is_type(ok, json_type_boolean)) {
		cli_error("bad response from mip6lbd at %s: no \"ok\"", ctx->socket);
		goto out;
	}
	if (!json_object_get_boolean(ok)) {
		if (json_object_object_get_ex(resp, "error", &e) && json_object_is_type(e, json_type_string))
			cli_error("%s", json_object_get_string(e));
		else
			cli_error("%s failed (mip6lbd gave no reason)", cmd);
		goto out;
	}
	if (json_object_object_get_ex(resp, "data", &d) && d)
		*data = json_object_get(d);
	else
		*data = json_object_new_object();
	rc = CLI_OK;
out:
	json_object_put(resp);
	free(line);
	close(fd);
	return rc;
}
