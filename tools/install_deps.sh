#!/usr/bin/env bash
# Installs what vitscope needs to build and test on Debian 12 (run as root, or with sudo available).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libopenblas-openmp-dev qt6-base-dev libqt6opengl6-dev qt6-svg-dev libglfw3-dev libimgui-dev
  libstb-dev   # vitscope-lab: stb_image (decoding), stb_image_write (--screenshot)
  xvfb xauth mesa-utils libgl1-mesa-dri fonts-dejavu-core imagemagick libgif-dev poppler-utils
  python3   # the local stand-in Hub of test_hub and test_app_model_library (tests/hub_server.py)
  clang-14 libclang-rt-14-dev libomp-14-dev   # fuzzing (libFuzzer) and the clang build of the engine
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages already installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
