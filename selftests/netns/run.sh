#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# run.sh [-j N] [TEST...] - run the end-to-end scenarios (default: every
# test_*.sh here), N at a time (default 1; namespaces never collide, so any
# N works), and print one PASS/FAIL/SKIP line per test with its time, each
# test's output above it, and a summary.  Exit 0 when nothing failed.
# `make check` runs the same scripts through selftests/unit/test_netns.c.
DIR=$(cd "$(dirname "$0")" && pwd)
export MIP6LB_SRC=${MIP6LB_SRC:-$(cd "$DIR/../.." && pwd)}
export MIP6LB_BUILD=${MIP6LB_BUILD:-$MIP6LB_SRC/build}
JOBS=1
if [ "${1:-}" = -j ]; then JOBS=$2; shift 2; fi
[ $# -gt 0 ] || set -- "$DIR"/test_*.sh
TESTS=()
for t in "$@"; do
	found=
	for c in "$t" "$DIR/$t" "$DIR/$t.sh"; do
		[ -f "$c" ] && { found=$c; break; }
	done
	[ -n "$found" ] || { echo "no such test: $t" >&2; exit 2; }
	TESTS+=("$found")
done
OUT=$(mktemp -d "${TMPDIR:-/tmp}/mip6lb-run.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

run_one() {
	local t=$1 name start rc
	name=$(basename "$t" .sh)
	start=${EPOCHREALTIME/./}
	bash "$t" >"$OUT/$name.log" 2>&1
	rc=$?
	echo "$rc $(( (${EPOCHREALTIME/./} - start) / 1000 ))" >"$OUT/$name.rc"
}

t0=${EPOCHREALTIME/./}
running=0
for t in "${TESTS[@]}"; do
	run_one "$t" &
	running=$((running + 1))
	if [ $running -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

pass=0 fail=0 skipped=0
for t in "${TESTS[@]}"; do
	name=$(basename "$t" .sh)
	read -r rc ms <"$OUT/$name.rc"
	cat "$OUT/$name.log"
	case $rc in
	0)  verdict=PASS; pass=$((pass + 1)) ;;
	77) verdict=SKIP; skipped=$((skipped + 1)) ;;
	*)  verdict="FAIL (exit $rc)"; fail=$((fail + 1)) ;;
	esac
	printf '%-28s %s  %d.%01ds\n' "$name" "$verdict" $((ms / 1000)) $((ms % 1000 / 100))
	echo
done
ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
printf 'netns: %d passed, %d failed, %d skipped in %d.%01ds\n' $pass $fail $skipped \
	$((ms / 1000)) $((ms % 1000 / 100))
[ $fail = 0 ]
