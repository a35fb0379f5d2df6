#!/usr/bin/env bash
# Installs, with apt-get, exactly the Debian packages rein needs that are missing; nothing else.
# Usage: scripts/install-deps.sh [--dev]   (--dev adds what the PyTorch/Gymnasium comparisons use)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache clang-format git
  libeigen3-dev libsqlite3-dev sqlite3 libpq-dev postgresql libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  libboost-dev libbox2d-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libimgui-dev libstb-dev libglfw3-dev libgl-dev
  xvfb xauth libgl1-mesa-dri
  libavcodec-dev libavformat-dev libswscale-dev libavutil-dev
  python3 python3-dev python3-numpy pybind11-dev
)
if [[ "${1:-}" == "--dev" ]]; then
  packages+=(python3-torch libtorch-dev libopenblas0)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
