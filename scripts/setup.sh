#!/usr/bin/env bash
# Installs what shardbench needs from Debian 12's packages, and only what is missing.
# Safe to run again: it does nothing when everything is there. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git procps
  libopenmpi-dev openmpi-bin
  libopenblas-dev liblapacke-dev
  libhdf5-openmpi-dev hdf5-tools
  libcsv-dev libcmocka-dev valgrind
  clang libclang-rt-dev
  python3 python3-numpy python3-scipy python3-sklearn python3-h5py python3-matplotlib
  python3-jinja2 libjs-jquery libjs-jquery-datatables chromium chromium-driver python3-selenium
  python3-pandas python3-pip
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
