#!/usr/bin/env bash
# Installs the Debian 12 packages the browser test (tests/browser) needs: chromium, nodejs and
# npm (needs root or sudo). npm only when the command is missing: a nodejs from another
# source bundles its own npm, and Debian's npm package would conflict with it.
set -euo pipefail

PACKAGES=(chromium nodejs)

missing=()
for p in "${PACKAGES[@]}"; do
  # Installed, not merely known (a removed package keeps a "config-files" record).
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
# A node from elsewhere (e.g. NodeSource) counts as installed.
if command -v node >/dev/null; then
  missing=("${missing[@]/nodejs/}")
fi
command -v npm >/dev/null || missing+=(npm)
read -r -a missing <<<"${missing[*]}"
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps-browser: chromium, node and npm present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps-browser: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
