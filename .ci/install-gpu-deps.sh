#!/usr/bin/env bash
# Installs the Debian packages metagrad's GPU tests need when they are missing: Mesa's EGL and
# OpenGL ES, on which Dawn (npm `webgpu`) finds the llvmpipe software adapter. Idempotent and
# quiet on success; needs root (CI) or sudo. Usage: .ci/install-gpu-deps.sh
set -euo pipefail

packages=(libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)
# with an NVIDIA GPU, Dawn's Vulkan backend also needs the Vulkan loader (the driver brings the ICD)
[ -e /dev/nvidia0 ] && packages+=(libvulkan1)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "install-gpu-deps: missing ${missing[*]} and no apt-get; install them with your package manager" >&2
  exit 1
fi
sudo=''
[ "$(id -u)" -eq 0 ] || sudo='sudo'
log=$(mktemp)
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-gpu-deps: failed to install ${missing[*]}" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
