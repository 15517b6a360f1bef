#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs missing packages, builds, runs ctest; then the
# same suite under AddressSanitizer + UndefinedBehaviorSanitizer; then each libFuzzer target
# for 60 s. Exits non-zero on any failure. OMS_QUICK=1 runs only the first part.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/deps.sh
tools/dev/deps-browser.sh
# PostgreSQL was just installed: its tests (a throwaway cluster of their own) must run, never
# skip.
export OMS_REQUIRE_POSTGRES=1
BUILD_DIR="${OMS_BUILD_DIR:-build}"
start=$(date +%s)
# The build type users build (README, tools/dev/up.sh), with warnings as errors.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOMS_WERROR=ON >/dev/null
cmake --build "$BUILD_DIR" -j2
echo "test.sh: build took $(( $(date +%s) - start )) s"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 600
if [ "${OMS_QUICK:-0}" = 1 ]; then exit 0; fi
echo "test.sh: suite passed at $(( $(date +%s) - start )) s; sanitizer build and suite"
tools/dev/sanitize.sh
echo "test.sh: sanitizer suite passed at $(( $(date +%s) - start )) s; fuzzing"
FUZZ_SECONDS="${FUZZ_SECONDS:-60}" tools/dev/fuzz.sh
echo "test.sh: all passed in $(( $(date +%s) - start )) s"
