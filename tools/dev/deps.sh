#!/usr/bin/env bash
# Installs the Debian 12 packages oms builds and tests with (needs root or sudo), plus any
# packages named as arguments (tools/dev/deps-browser.sh passes the browser test's).
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libsqlite3-dev sqlite3 libfmt-dev libboost-dev libcli11-dev nlohmann-json3-dev
  prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev
  openssl python3 clang-14 libclang-rt-14-dev
  postgresql libpq-dev
)
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
  # Installed, not merely known (a removed package keeps a "config-files" record).
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
