#!/usr/bin/env bash
# Makes sure the system packages in scripts/system-packages.txt are present. On Debian/Ubuntu as
# root it installs what is missing; otherwise it prints the exact apt-get line and fails, so a
# missing package is a clear message rather than a confusing test failure later.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
missing=()
while read -r pkg probe; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  if [[ "$probe" == *" "* ]]; then
    bash -c "$probe" >/dev/null 2>&1 || missing+=("$pkg")
  else
    command -v "$probe" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done <"$here/system-packages.txt"

[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get install -y ${missing[*]}"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing missing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "Cairn's tests need these system packages: ${missing[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "Install them with:  sudo $line" >&2
else
  echo "This is not a Debian/Ubuntu system; install the equivalents of: ${missing[*]}" >&2
fi
exit 1
