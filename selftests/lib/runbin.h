/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runbin.h - run one of the built programs from a Check test and keep what
 * it printed: mip6lbctl's and mip6lb-decap's tests drive the real binaries.
 * Failures of the harness itself (fork, tmpfile) are Check assertions.
 */
#ifndef MIP6LB_RUNBIN_H
#define MIP6LB_RUNBIN_H

#include <stdio.h>
#include <sys/types.h>

struct run {
	int status;            /* exit code, or 128 + signal */
	char *out;
	char *err;
};

/* All of f (a tmpfile the child wrote), NUL-terminated, malloc'd. */
char *run_slurp(FILE *f);
/* Start BIN ARGS... with stdin /dev/null and stdout/stderr into out/err. */
pid_t run_spawn(const char *bin, const char *const *args, FILE *out, FILE *err);
/* Its exit code, or 128 + the signal that ended it. */
int run_wait(pid_t pid);
/* Run BIN ARGS... to completion into *r. */
void run_bin(struct run *r, const char *bin, const char *const *args);
void run_free(struct run *r);

#endif
