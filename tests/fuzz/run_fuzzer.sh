#!/usr/bin/env bash
# One short libFuzzer run of a target of the instrumented fuzz build (ASan/UBSan), as a ctest
# entry of the main build. scripts/test builds the fuzz build first (build-fuzz/, clang);
# without it the entry is skipped (exit 77), never silently passed.
# Usage: run_fuzzer.sh <fuzz build dir> <target: payload|topic> <seconds> <seed corpus dir>
set -euo pipefail
build=$1 target=$2 seconds=$3 seeds=$4
bin="$build/tests/fuzz/fuzz_$target"
if [ ! -x "$bin" ]; then
  echo "no fuzz build at $build (scripts/test makes it with clang): skipped" >&2
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/floe-fuzz-$target.XXXXXX")
trap 'rm -rf "$work"' EXIT
# libFuzzer exits non-zero on a crash, a sanitizer report or a leak; the report names the input.
exec "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
  "$work" "$seeds"
