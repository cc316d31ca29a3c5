// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runbin.c - run a built program from a Check test (runbin.h).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>
#include "runbin.h"

#define RUNBIN_MAX_ARGS 160

char *run_slurp(FILE *f)
{
	long n;
	char *s;

	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	s = calloc(1, n + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fread(s, 1, n, f), (size_t)n);
	return s;
}

pid_t run_spawn(const char *bin, const char *const *args, FILE *out, FILE *err)
{
	const char *argv[RUNBIN_MAX_ARGS];
	pid_t pid;
	int i;

	argv[0] = bin;
	for (i = 0; args[i]; i++) {
		ck_assert_int_lt(i, RUNBIN_MAX_ARGS - 2);
		argv[i + 1] = args[i];
	}
	argv[i + 1] = NULL;
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	return pid;
}

int run_wait(pid_t pid)
{
	int st;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void run_bin(struct run *r, const char *bin, const char *const *args)
{
	FILE *out = tmpfile(), *err = tmpfile();

	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(err);
	r->status = run_wait(run_spawn(bin, args, out, err));
	r->out = run_slurp(out);
	r->err = run_slurp(err);
	fclose(out);
	fclose(err);
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
