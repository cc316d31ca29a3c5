/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cmdpath.h - matching argv against a command table's paths, for the
 * programs whose commands are words ("backend list", "addr add"): a path is
 * its words separated by single spaces.
 */
#ifndef MIP6LB_CMDPATH_H
#define MIP6LB_CMDPATH_H

#include <stdbool.h>

/* How many words PATH has. */
int cmd_path_words(const char *path);
/* Does argv start with PATH's words, each matched whole? */
bool cmd_path_matches(const char *path, int argc, char **argv);

#endif
