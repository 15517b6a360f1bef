#!/usr/bin/env bash
# Installs what is missing, builds, and starts omsd on ./oms.db: gRPC on 127.0.0.1:50051, HTTP/JSON
# and the store console on http://127.0.0.1:8080/ (unless the arguments name --http-listen).
# Extra arguments go to omsd, e.g. `tools/dev/up.sh --durability normal`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
http=(--http-listen 127.0.0.1:8080)
for a in "$@"; do case "$a" in --http-listen*) http=() ;; esac; done
exec build/services/omsd --db oms.db "${http[@]}" "$@"
