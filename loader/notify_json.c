// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_json.c - the notification module's tables as JSON, for the
 * control socket's `binding list` and `peer list` (notify.h has the
 * fields).
 */
#include <stdio.h>
#include <stdlib.h>
#include <json-c/json.h>
#include "notify_priv.h"
#include "names.h"

static struct json_object *jaddr(const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	return json_object_new_string(fmt_addr(a, buf));
}

static const char *name_or_id(const char *(*fn)(void *, __u32), void *ctx, __u32 id,
			      char *buf, size_t len)
{
	const char *s = fn ? fn(ctx, id) : NULL;

	if (s)
		return s;
	snprintf(buf, len, "%u", id);
	return buf;
}

static void binding_row(const struct notify *n, struct json_object *rows,
			const struct in6_addr *home, const struct nbinding *b,
			const struct nsub *s, __u64 now_ms)
{
	const struct notify_names *nm = &n->opts.names;
	struct json_object *o = json_object_new_object(), *old;
	char sess[256] = "", sb[16], bb[16];
	size_t off = 0;
	int i, peer = b ? b->peer : s->peer;

	json_object_object_add(o, "home", jaddr(home));
	json_object_object_add(o, "coa", b ? jaddr(&b->coa) : NULL);
	old = json_object_new_array();
	for (i = 0; b && i < b->n_old; i++)
		json_object_array_add(old, jaddr(&b->old[i]));
	json_object_object_add(o, "old_coas", old);
	json_object_object_add(o, "peer", peer >= 0 ?
			       json_object_new_string(n->peers[peer].link.name) : NULL);
	json_object_object_add(o, "binding_seq", b ? json_object_new_int(b->binding_seq) : NULL);
	json_object_object_add(o, "lifetime_s", b ? json_object_new_int64(b->lifetime_s) : NULL);
	json_object_object_add(o, "lifetime_left_s", b ?
			       json_object_new_int64(now_ms >= b->expires_ms ? 0 :
						     (b->expires_ms - now_ms) / 1000) : NULL);
	for (i = 0; b && i < b->n_att && off < sizeof(sess); i++)
		off += snprintf(sess + off, sizeof(sess) - off, "%s%s/%s", i ? ", " : "",
				name_or_id(nm->service, nm->ctx, b->att[i].service_id, sb, sizeof(sb)),
				name_or_id(nm->backend, nm->ctx, b->att[i].backend_id, bb, sizeof(bb)));
	json_object_object_add(o, "session", sess[0] ? json_object_new_string(sess) : NULL);
	json_object_object_add(o, "subscription",
			       s ? json_object_new_string(notify_sub_state_name(s)) : NULL);
	json_object_array_add(rows, o);
}

struct json_object *notify_bindings_json(const struct notify *n, __u64 now_ms)
{
	struct json_object *top = json_object_new_object(), *rows = json_object_new_array();
	struct addr_node *hn, *tmp;
	__u32 i;

	addr_table_for_each(&n->bindings, hn, tmp, i)
		binding_row(n, rows, &hn->key, (struct nbinding *)hn, notify_sub_find(n, &hn->key), now_ms);
	addr_table_for_each(&n->subs, hn, tmp, i)
		if (!notify_binding_find(n, &hn->key))
			binding_row(n, rows, &hn->key, NULL, (struct nsub *)hn, now_ms);
	json_object_object_add(top, "bindings", rows);
	return top;
}

struct json_object *notify_peers_json(const struct notify *n, __u64 now_ms)
{
	struct json_object *top = json_object_new_object(), *rows = json_object_new_array();
	struct addr_node *hn, *tmp;
	__u32 *active, *pending, *negative, k;
	const struct nneg *g;
	int i, r;

	active = calloc(n->n_peers + 1, sizeof(*active));
	pending = calloc(n->n_peers + 1, sizeof(*pending));
	negative = calloc(n->n_peers + 1, sizeof(*negative));
	for (g = n->neg_oldest; negative && g; g = g->newer)
		if (now_ms < g->expires_ms)
			negative[g->peer]++;
	if (active && pending) {
		addr_table_for_each(&n->subs, hn, tmp, k) {
			struct nsub *s = (struct nsub *)hn;

			if (s->state == SUB_ACTIVE || s->state == SUB_RENEWING)
				active[s->peer]++;
			else if (s->state == SUB_PENDING)
				pending[s->peer]++;
		}
	}
	for (i = 0; i < n->n_peers; i++) {
		const struct npeer *p = &n->peers[i];
		struct json_object *o = json_object_new_object(), *rej = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(p->link.name));
		json_object_object_add(o, "role",
				       json_object_new_string(notify_mode_name(p->role)));
		json_object_object_add(o, "addr", jaddr(&p->addr));
		json_object_object_add(o, "port", json_object_new_int(p->port));
		json_object_object_add(o, "subscriptions",
				       json_object_new_int64(active ? active[i] : 0));
		json_object_object_add(o, "pending", json_object_new_int64(pending ? pending[i] : 0));
		json_object_object_add(o, "last_heard_s", p->link.rx.heard ?
				       json_object_new_int64(now_ms >= p->link.rx.last_heard_ms ?
							     (now_ms - p->link.rx.last_heard_ms) / 1000 : 0) :
				       NULL);
		json_object_object_add(o, "accepted", json_object_new_int64(p->link.rx.accepted));
		for (r = 1; r < PEER_R_MAX; r++)
			json_object_object_add(rej, peer_reason_name(r),
					       json_object_new_int64(p->link.rx.rejected[r]));
		json_object_object_add(o, "rejected", rej);
		json_object_object_add(o, "no_session", json_object_new_int64(p->no_session));
		json_object_object_add(o, "sent", json_object_new_int64(p->link.sent));
		json_object_object_add(o, "send_errors", json_object_new_int64(p->link.send_errors));
		json_object_object_add(o, "max_subscriptions", json_object_new_int64(p->max_subs));
		json_object_object_add(o, "subscribe_rate", json_object_new_int64(p->rate));
		json_object_object_add(o, "subscribe_burst", json_object_new_int64(p->burst));
		json_object_object_add(o, "over_limit", json_object_new_int64(p->over_limit));
		json_object_object_add(o, "rate_limited", json_object_new_int64(p->rate_limited));
		json_object_object_add(o, "no_binding", json_object_new_int64(p->no_binding));
		json_object_object_add(o, "negative",
				       json_object_new_int64(negative ? negative[i] : 0));
		json_object_object_add(o, "negative_hits", json_object_new_int64(p->negative_hits));
		json_object_object_add(o, "choice_agreed", json_object_new_int64(p->choice_agreed));
		json_object_object_add(o, "choice_fallback",
				       json_object_new_int64(p->choice_fallback));
		json_object_object_add(o, "choice_no_service",
				       json_object_new_int64(p->choice_no_service));
		json_object_array_add(rows, o);
	}
	free(active);
	free(pending);
	free(negative);
	json_object_object_add(top, "peers", rows);
	json_object_object_add(top, "group", n->group[0] ? json_object_new_string(n->group) : NULL);
	json_object_object_add(top, "unknown_peer", json_object_new_int64(n->st.unknown_peer));
	json_object_object_add(top, "no_peer", json_object_new_int64(n->st.no_peer));
	json_object_object_add(top, "rx_dropped_kernel", json_object_new_int64(n->drops.total));
	json_object_object_add(top, "rcvbuf", json_object_new_int64(n->rcvbuf));
	json_object_object_add(top, "scan_passes", json_object_new_int64(n->st.scan_passes));
	json_object_object_add(top, "scan_subscribed",
			       json_object_new_int64(n->st.scan_subscribed));
	return top;
}
