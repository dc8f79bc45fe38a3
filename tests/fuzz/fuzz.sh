#!/usr/bin/env bash
# Fuzzes each harness for SECONDS, one after another, starting from its
# committed corpus (tests/fuzz/corpus/NAME) and the inputs that once crashed
# (tests/fuzz/regressions/NAME). New corpus entries and any crashing input go
# to WORKDIR (default: a fresh temporary folder, removed at the end unless a
# harness failed), never into the source tree. Exits non-zero when a harness
# finds a crash, a leak, a timeout or a sanitizer report.
#
#   tests/fuzz/fuzz.sh BUILD_DIR SECONDS [NAME...]
#
# BUILD_DIR was configured with CXX=clang++-14 -Dfuzzing=true (docs/reliability.md).
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
seconds="$2"
shift 2
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(scenario override distribution vary import)

keep=${WORKDIR:+1}
work="${WORKDIR:-$(mktemp -d)}"
status=0
for name in "${names[@]}"; do
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  # git keeps no empty folder, and libFuzzer refuses a missing one.
  inputs=("$fuzz_dir/corpus/$name")
  [ -d "$fuzz_dir/regressions/$name" ] && inputs+=("$fuzz_dir/regressions/$name")
  # The importer's keywords are its own; every other harness reads scenario keys.
  dict="$fuzz_dir/scenario.dict"
  [ -f "$fuzz_dir/$name.dict" ] && dict="$fuzz_dir/$name.dict"
  echo "fuzz_$name: ${seconds}s, work in $work/$name" >&2
  # The harnesses' short runs read scenarios/ but write nothing; the working
  # directory is the temporary one all the same.
  if ! (cd "$work/$name" &&
        "$build/tests/fuzz/fuzz_$name" \
          -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=8192 \
          -dict="$dict" -artifact_prefix="$work/$name/artifacts/" \
          -print_final_stats=1 \
          corpus "${inputs[@]}" \
          > "$work/$name/log" 2>&1); then
    status=1
    keep=1
    echo "fuzz_$name FAILED; its log ends:" >&2
    tail -n 60 "$work/$name/log" >&2
    ls -l "$work/$name/artifacts" >&2
  fi
  grep -E '^(stat::number_of_executed_units|cov:|#[0-9]+ +DONE)' "$work/$name/log" | tail -n 3 >&2 || true
done
[ -n "$keep" ] || rm -rf "$work"
exit "$status"
