#!/usr/bin/env bash
# Installs what tools/bench/run.sh's Redis peer (tools/bench/redis_peer.sh) needs besides the
# build packages: Debian's redis-server and redis-tools (redis-cli, redis-benchmark), through
# deps.sh (needs root or sudo). Not part of the test suite: no test uses them.
set -euo pipefail
exec "$(dirname "$0")/deps.sh" redis-server redis-tools "$@"
