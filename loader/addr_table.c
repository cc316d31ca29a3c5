// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * addr_table.c - the notification module's hash table keyed by IPv6
 * address (addr_table.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "addr_table.h"

static __u32 addr_hash(const struct in6_addr *a)
{
	__u32 w[4], h = 0x9e3779b9;
	int i;

	memcpy(w, a, sizeof(w));
	for (i = 0; i < 4; i++) {
		h ^= w[i];
		h *= 0x85ebca6b;
		h ^= h >> 13;
	}
	return h;
}

int addr_table_init(struct addr_table *t, __u32 max)
{
	__u32 n = 16;

	while (n < max / 2 && n < (1U << 24))
		n <<= 1;
	t->b = calloc(n, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	t->max = max;
	return 0;
}

struct addr_node *addr_table_find(const struct addr_table *t, const struct in6_addr *key)
{
	struct addr_node *h;

	for (h = t->b[addr_hash(key) & t->mask]; h; h = h->next)
		if (!memcmp(&h->key, key, sizeof(*key)))
			return h;
	return NULL;
}

void addr_table_insert(struct addr_table *t, struct addr_node *h)
{
	struct addr_node **head = &t->b[addr_hash(&h->key) & t->mask];

	h->next = *head;
	*head = h;
	t->count++;
}

void addr_table_remove(struct addr_table *t, struct addr_node *h)
{
	struct addr_node **pp = &t->b[addr_hash(&h->key) & t->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			t->count--;
			return;
		}
	}
}

void addr_table_free(struct addr_table *t)
{
	struct addr_node *h, *tmp;
	__u32 i;

	if (!t->b)
		return;
	addr_table_for_each(t, h, tmp, i)
		free(h);
	free(t->b);
	t->b = NULL;
}
