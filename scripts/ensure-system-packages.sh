#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing: chromium and CJK fonts for the browser tests,
# LibreOffice Impress to open the briefing deck headless, postgresql for the PostgreSQL store's tests (they
# start their own throwaway server from its binaries, never the system cluster) and nginx for the
# reverse-proxy example, and systemd for `systemd-analyze verify` of the service unit.
# Without root or apt the tests are told why; in CI (CI=true) a missing package is a failure.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for package in chromium fonts-noto-cjk libreoffice-impress-nogui postgresql nginx systemd; do
  installed "$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get …"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi

echo "!!! Cannot install ${missing[*]} (needs root and apt-get): the tests that need them will skip." >&2
if [ "${CI:-}" = "true" ]; then
  echo "!!! CI=true: a missing package is a failure." >&2
  exit 1
fi
