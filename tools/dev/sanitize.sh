#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer and runs the whole test
# suite under them (crash-recovery with fewer cycles: each one restarts an instrumented omsd).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${OMS_ASAN_BUILD_DIR:-build-asan}"
# -O1 -g1: quicker to build than -O2 -g, still line numbers in every report.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
  -DOMS_SANITIZE=ON -DOMS_BUILD_BENCH=OFF -DOMS_WERROR=ON >/dev/null
cmake --build "$BUILD_DIR" -j2
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tools/dev/lsan.supp"
export OMS_CRASH_CYCLES="${OMS_CRASH_CYCLES:-10}"
export OMS_FAILOVER_CYCLES="${OMS_FAILOVER_CYCLES:-5}"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 900
