// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"

struct table {
	int ncols;
	const char **headers;
	bool *right;
	char **cells;         /* row-major, n_cells of them */
	int n_cells, cap;
};

struct table *table_new(int ncols, const char *const *headers)
{
	struct table *t = calloc(1, sizeof(*t));
	int i;

	if (!t)
		return NULL;
	t->ncols = ncols;
	t->headers = calloc(ncols, sizeof(*t->headers));
	t->right = calloc(ncols, sizeof(*t->right));
	if (!t->headers || !t->right) {
		table_free(t);
		return NULL;
	}
	for (i = 0; i < ncols; i++) {
		t->right[i] = headers[i][0] == '>';
		t->headers[i] = headers[i] + t->right[i];
	}
	return t;
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (!t)
		return;
	if (t->n_cells == t->cap) {
		int ncap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cells, ncap * sizeof(*p));

		if (!p)
			return;
		t->cells = p;
		t->cap = ncap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	t->cells[t->n_cells++] = s;
}

int table_rows(const struct table *t)
{
	return t ? (t->n_cells + t->ncols - 1) / t->ncols : 0;
}

static const char *cell(const struct table *t, int i)
{
	return i < t->n_cells && t->cells[i] ? t->cells[i] : "";
}

void table_print(const struct table *t, FILE *f)
{
	int *w, r, c, rows;

	if (!t)
		return;
	w = calloc(t->ncols, sizeof(*w));
	if (!w)
		return;
	rows = table_rows(t);
	for (c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->headers[c]);
		for (r = 0; r < rows; r++) {
			int l = strlen(cell(t, r * t->ncols + c));

			if (l > w[c])
				w[c] = l;
		}
	}
	for (r = -1; r < rows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = r < 0 ? t->headers[c] : cell(t, r * t->ncols + c);
			bool last = c == t->ncols - 1;

			if (t->right[c])
				fprintf(f, "%*s", w[c], s);
			else
				fprintf(f, "%-*s", last ? 0 : w[c], s);
			fputs(last ? "\n" : "  ", f);
		}
	}
	free(w);
}

void table_free(struct table *t)
{
	int i;

	if (!t)
		return;
	for (i = 0; i < t->n_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->headers);
	free(t->right);
	free(t);
}

void fmt_duration(char *buf, size_t len, long long s)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}
