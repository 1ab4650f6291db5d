#!/usr/bin/env bash
# Installs what the browser and deck tests need from Debian (chromium, CJK fonts, LibreOffice Impress to
# open the briefing deck headless) when it is missing.
# Without root or apt the tests are told why; in CI (CI=true) a missing browser is a failure.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for package in chromium fonts-noto-cjk libreoffice-impress-nogui; do
  installed "$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get …"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi

echo "!!! Cannot install ${missing[*]} (needs root and apt-get): browser tests will skip." >&2
if [ "${CI:-}" = "true" ]; then
  echo "!!! CI=true: a missing browser is a failure." >&2
  exit 1
fi
