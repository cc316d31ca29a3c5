/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* table.h - column-aligned text tables for mip6lbctl's human output. */
#ifndef MIP6LBCTL_TABLE_H
#define MIP6LBCTL_TABLE_H

#include <stdio.h>

struct table;

/* Column headers; a header starting with '>' is right-aligned (numbers),
 * the '>' is not printed. */
struct table *table_new(int ncols, const char *const *headers);
/* Append one cell to the current row; a full row starts the next. */
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int table_rows(const struct table *t);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

/* "45s", "3m05s", "2h01m", "3d04h": an idle time or a lifetime. */
void fmt_duration(char *buf, size_t len, long long seconds);

#endif
