// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmdpath.c - command paths for table-driven command lines (mip6lbctl,
 * mip6lb-decap).
 */
#include <string.h>
#include "cmdpath.h"

int cmd_path_words(const char *path)
{
	int n = 1;

	for (; *path; path++)
		n += *path == ' ';
	return n;
}

bool cmd_path_matches(const char *path, int argc, char **argv)
{
	int n = cmd_path_words(path), i;
	const char *p = path;

	if (argc < n)
		return false;
	for (i = 0; i < n; i++) {
		size_t l = strcspn(p, " ");

		if (strlen(argv[i]) != l || strncmp(argv[i], p, l))
			return false;
		p += l + (p[l] == ' ');
	}
	return true;
}
