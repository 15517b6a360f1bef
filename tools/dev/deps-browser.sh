#!/usr/bin/env bash
# Installs what the browser test (tests/browser) needs besides the build packages: chromium,
# nodejs and npm (needs root or sudo), through deps.sh. nodejs and npm only when the commands
# are missing: a node from another source (e.g. NodeSource) bundles its own npm, and Debian's
# npm package would conflict with it.
set -euo pipefail
extra=(chromium)
command -v node >/dev/null || extra+=(nodejs)
command -v npm >/dev/null || extra+=(npm)
exec "$(dirname "$0")/deps.sh" "${extra[@]}"
