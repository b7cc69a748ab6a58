#!/usr/bin/env bash
# Installs Debian's Chromium when it is missing; does nothing (and needs no root) when it is there.
# Usage: tests/IncidentFunctions.Tests/Infrastructure/ensure-chromium.sh        -> prints the path of the browser on stdout
set -euo pipefail
BROWSER=/usr/bin/chromium
if [[ -x "$BROWSER" ]] && "$BROWSER" --version >/dev/null 2>&1; then
  echo "$BROWSER"; exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "chromium missing and not root (no sudo): run 'apt-get install chromium' as root" >&2; exit 1; }
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
# 'update' is needed on a new machine (the package lists may be empty or old); a lock held by another apt waits up to 5 min.
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-liberation >&2
echo "installed chromium in $(( $(date +%s) - start )) s: $("$BROWSER" --version)" >&2
echo "$BROWSER"
