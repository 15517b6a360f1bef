#!/usr/bin/env bash
# Builds everything and runs the whole test suite with ctest. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/deps.sh
BUILD_DIR="${OMS_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
start=$(date +%s)
cmake --build "$BUILD_DIR" -j2
echo "test.sh: build took $(( $(date +%s) - start )) s"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 600
