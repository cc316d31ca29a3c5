/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * addr_table.h - a small chained hash table keyed by IPv6 address, with a
 * size cap, for the notification module's subscriptions and bindings
 * (loader/notify*.c).  Intrusive: an entry embeds a struct addr_node as
 * its first member, and the caller allocates and frees entries.
 */
#ifndef MIP6LB_ADDR_TABLE_H
#define MIP6LB_ADDR_TABLE_H

#include <linux/types.h>
#include <netinet/in.h>

struct addr_node {
	struct addr_node *next;
	struct in6_addr key;
};

struct addr_table {
	struct addr_node **b;
	__u32 mask;
	__u32 count;
	__u32 max;                      /* the caller refuses inserts past it */
};

/* Buckets for about max / 2 entries.  0 or -ENOMEM. */
int addr_table_init(struct addr_table *t, __u32 max);
struct addr_node *addr_table_find(const struct addr_table *t, const struct in6_addr *key);
/* h->key set; the caller checked that it is not there yet. */
void addr_table_insert(struct addr_table *t, struct addr_node *h);
void addr_table_remove(struct addr_table *t, struct addr_node *h);
/* free() every entry, then the buckets. */
void addr_table_free(struct addr_table *t);

/* Every entry; safe against removing (and freeing) the current one. */
#define addr_table_for_each(t, h, tmp, i)				\
	for ((i) = 0; (i) <= (t)->mask; (i)++)				\
		for ((h) = (t)->b[(i)]; (h) && ((tmp) = (h)->next, 1); (h) = (tmp))

#endif /* MIP6LB_ADDR_TABLE_H */
