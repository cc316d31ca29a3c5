#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# profile.sh CASE[/MODE] [RUNS] - where one datapath case spends its time.
#
# perf samples the bench's CPU (cpu-clock: this VM has no PMU, so neither
# `bpftool prog profile` nor hardware events work) while mip6lb-bench runs
# only that case; samples in the JIT image are charged to source lines
# through the kernel's jited_line_info (mip6lb-bench --lineinfo), samples in
# helpers to the helper.  Prints both tables, as percentages of the samples
# that belong to the datapath (the program, its subprogram and the kernel
# functions it calls), not of test_run or the wrapper.
set -euo pipefail

case_name=${1:?usage: profile.sh CASE[/MODE] [RUNS]}
runs=${2:-9}
build=${MIP6LB_BUILD:-$(dirname "$0")/../../build}
bench=$build/mip6lb-bench
cpu=$(( $(nproc) - 1 ))
tmp=$(mktemp -d /tmp/mip6lb-profile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

command -v perf >/dev/null || { echo "profile.sh: perf is not installed" >&2; exit 2; }
"$bench" --lineinfo "$tmp/lines.tsv"
# Sampling starts disabled; the bench enables it around its timed runs.
mkfifo "$tmp/ctl" "$tmp/ack"
MIP6LB_BENCH_PERF_CTL=$tmp/ctl perf record -q -D -1 --control "fifo:$tmp/ctl,$tmp/ack" \
	-C "$cpu" -o "$tmp/perf.data" -- \
	"$bench" --cpu "$cpu" --case "$case_name" --runs "$runs" >"$tmp/bench.out" 2>&1
# Only the bench's own samples: -C also catches whatever else ran there
# (with sampling off at exec, perf still calls the bench "perf-exec").
perf script -i "$tmp/perf.data" -F comm,ip,sym,symoff 2>/dev/null |
	awk '$1 == "mip6lb-bench" || $1 == "perf-exec"' >"$tmp/samples.txt"
grep -E "^(src|hao|iid|spi|coa|miss|chain|non|churn)" "$tmp/bench.out" || true

python3 - "$tmp/lines.tsv" "$tmp/samples.txt" <<'EOF'
import bisect, collections, re, sys

lines = collections.defaultdict(list)          # sym -> [(off, where, text)]
for row in open(sys.argv[1]):
    sym, off, where, text = row.rstrip("\n").split("\t", 3)
    lines[sym].append((int(off, 16), where, text.strip()))
for sym in lines:
    lines[sym].sort()

# Kernel functions the datapath calls (helpers and what they call); the
# rest (test_run, the wrapper, the floor, bh enable) is harness.
dp_kernel = re.compile(r"htab|lookup_nulls|memcmp|jhash|bpf_lru|ktime|timespec|"
                       r"ringbuf|redirect|adjust_head|pvm_irq|raw_spin|percpu|"
                       r"__pi_memset|bpf_map_|xdp_do")
# Creating and filling the tables (sampling is off then; belt and braces).
setup = re.compile(r"bpf_lru_populate|htab_map_alloc|clear_page|bpf_map_area")
by_sym, by_line, total_dp = collections.Counter(), collections.Counter(), 0
for s in open(sys.argv[2]):
    s = s.strip()
    m = re.search(r"(\S+)\+0x([0-9a-f]+)$", s)
    if not m:
        continue
    sym, off = m.group(1), int(m.group(2), 16)
    if sym in lines:
        recs = lines[sym]
        i = bisect.bisect_right(recs, (off, "\xff", "")) - 1
        where, text = (recs[i][1], recs[i][2]) if i >= 0 else ("?", "")
        by_line[(where, text)] += 1
        by_sym[sym.split("_", 3)[-1] + " (BPF)"] += 1
        total_dp += 1
    elif setup.search(sym):
        continue
    elif dp_kernel.search(sym):
        by_sym[sym] += 1
        total_dp += 1
if not total_dp:
    sys.exit("profile.sh: no datapath samples")
print(f"\n{total_dp} datapath samples\n\nby function:")
for k, v in by_sym.most_common(15):
    print(f"  {100.0 * v / total_dp:5.1f}%  {k}")
print("\nby source line (BPF code only):")
for (where, text), v in by_line.most_common(25):
    print(f"  {100.0 * v / total_dp:5.1f}%  {where:<18} {text[:70]}")
EOF
