#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) and runs each for FUZZ_SECONDS
# (default 60) on its corpus in tests/fuzz/corpus. A crash fails the script and leaves the
# reproducer (crash-*) in the build directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH="${FUZZ_SECONDS:-60}"
BUILD_DIR="${OMS_FUZZ_BUILD_DIR:-build-fuzz}"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOMS_FUZZ=ON -DOMS_WERROR=ON >/dev/null
cmake --build "$BUILD_DIR" -j2 --target csv_fuzz request_fuzz
for target in csv:csv_fuzz requests:request_fuzz; do
  corpus="tests/fuzz/corpus/${target%%:*}"
  work="$BUILD_DIR/corpus-${target%%:*}"
  mkdir -p "$work"
  echo "fuzz.sh: ${target#*:} for ${SECONDS_EACH}s"
  (cd "$BUILD_DIR" && "./tests/fuzz/${target#*:}" -max_total_time="$SECONDS_EACH" -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 "$(realpath -m "../$work")" "$(realpath "../$corpus")" \
    2>&1 | grep -E "stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY|Done" || true)
  if ls "$BUILD_DIR"/crash-* >/dev/null 2>&1; then
    echo "fuzz.sh: ${target#*:} found a crash: $(ls "$BUILD_DIR"/crash-*)" >&2
    exit 1
  fi
done
