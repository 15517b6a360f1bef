#!/usr/bin/env bash
# Installs what is missing, builds, and starts omsd on ./oms.db (127.0.0.1:50051).
# Extra arguments go to omsd, e.g. `tools/dev/up.sh --durability normal`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
exec build/services/omsd --db oms.db "$@"
