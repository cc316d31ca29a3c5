// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lineinfo.c - `mip6lb-bench --lineinfo FILE`: where each source line of the
 * datapath sits in its JIT image, so that perf samples (which name
 * bpf_prog_<tag>_<func>+offset) can be charged to source lines.  Neither
 * `perf annotate` nor `bpftool prog dump jited` can do it on this host
 * (no libopcodes, no libbfd); the kernel's jited_line_info can.
 * selftests/bench/profile.sh joins the two.
 *
 * Output, one line per line-info record, tab-separated:
 *   bpf_prog_<tag>_<func>  <offset in func, hex>  <file>:<line>  <source text>
 * The JIT image of a program is the same at every load (map addresses are
 * fixed-size immediates), so the offsets hold for the bench's own loads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "mip6lb.skel.h"
#include "bench.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int bench_lineinfo(const char *path)
{
	struct bpf_prog_info info = {}, full = {};
	__u32 len = sizeof(info), nf, nl, i, f;
	struct bpf_func_info *funcs = NULL;
	struct bpf_line_info *lines = NULL;
	__u64 *ksyms = NULL, *jlines = NULL;
	char (*syms)[256] = NULL;
	__u32 *flens = NULL;
	struct btf *btf = NULL;
	struct bench_dp dp;
	char tag[BPF_TAG_SIZE * 2 + 1];
	FILE *out = NULL;
	int err, fd;

	err = bench_dp_open(&dp, 1024);
	if (err)
		return err;
	fd = dp.prog_fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	nf = info.nr_jited_ksyms;
	nl = info.nr_jited_line_info;
	if (!nf || !nl || info.nr_func_info != nf || info.nr_line_info != nl) {
		fprintf(stderr, "mip6lb-bench: no jited line info (ksyms %u, lines %u)\n", nf, nl);
		err = -ENOENT;
		goto out;
	}
	ksyms = calloc(nf, sizeof(*ksyms));
	funcs = calloc(nf, sizeof(*funcs));
	jlines = calloc(nl, sizeof(*jlines));
	lines = calloc(nl, sizeof(*lines));
	flens = calloc(nf, sizeof(*flens));
	if (!ksyms || !funcs || !jlines || !lines || !flens) {
		err = -ENOMEM;
		goto out;
	}
	full.nr_jited_ksyms = nf;
	full.jited_ksyms = (__u64)(unsigned long)ksyms;
	full.nr_jited_func_lens = nf;
	full.jited_func_lens = (__u64)(unsigned long)flens;
	full.nr_func_info = nf;
	full.func_info_rec_size = sizeof(*funcs);
	full.func_info = (__u64)(unsigned long)funcs;
	full.nr_jited_line_info = nl;
	full.jited_line_info_rec_size = sizeof(*jlines);
	full.jited_line_info = (__u64)(unsigned long)jlines;
	full.nr_line_info = nl;
	full.line_info_rec_size = sizeof(*lines);
	full.line_info = (__u64)(unsigned long)lines;
	len = sizeof(full);
	if (bpf_obj_get_info_by_fd(fd, &full, &len)) {
		err = -errno;
		goto out;
	}
	if (!ksyms[0]) {
		fprintf(stderr, "mip6lb-bench: the kernel hides JIT addresses (kptr_restrict?)\n");
		err = -EPERM;
		goto out;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	out = fopen(path, "w");
	if (!out) {
		err = -errno;
		goto out;
	}
	/* Subprograms have their own tags in their symbol names: read every
	 * function's symbol from kallsyms, by address. */
	syms = calloc(nf, sizeof(*syms));
	if (!syms) {
		err = -ENOMEM;
		goto out;
	}
	{
		FILE *ks = fopen("/proc/kallsyms", "r");
		char line[512];

		while (ks && fgets(line, sizeof(line), ks)) {
			unsigned long long a;
			char name[256];

			if (strstr(line, "bpf_prog_") &&
			    sscanf(line, "%llx %*s %255s", &a, name) == 2)
				for (f = 0; f < nf; f++)
					if (a == ksyms[f])
						snprintf(syms[f], sizeof(syms[f]), "%s", name);
		}
		if (ks)
			fclose(ks);
	}
	for (f = 0; f < nf; f++) {
		if (!syms[f][0]) {
			const struct btf_type *t = btf__type_by_id(btf, funcs[f].type_id);

			snprintf(syms[f], sizeof(syms[f]), "bpf_prog_%s_%s", tag,
				 t ? btf__name_by_offset(btf, t->name_off) : "?");
		}
	}
	for (i = 0; i < nl; i++) {
		const char *file, *src;

		for (f = 0; f < nf; f++)
			if (jlines[i] >= ksyms[f] && jlines[i] < ksyms[f] + flens[f])
				break;
		if (f == nf)
			continue;
		file = btf__name_by_offset(btf, lines[i].file_name_off);
		src = btf__name_by_offset(btf, lines[i].line_off);
		fprintf(out, "%s\t%llx\t%s:%u\t%s\n", syms[f], (unsigned long long)(jlines[i] - ksyms[f]),
			file ? base_name(file) : "?", BPF_LINE_INFO_LINE_NUM(lines[i].line_col),
			src ? src : "");
	}
	err = 0;
out:
	if (err)
		fprintf(stderr, "mip6lb-bench: line info: %s\n", strerror(-err));
	if (out)
		fclose(out);
	btf__free(btf);
	free(ksyms);
	free(syms);
	free(flens);
	free(funcs);
	free(jlines);
	free(lines);
	bench_dp_close(&dp);
	return err;
}
