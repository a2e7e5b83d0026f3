#!/usr/bin/env bash
# Debian packages evalkit's tests and fixtures use: espeak-ng + sox (speech fixtures), ffmpeg (media tools),
# chromium (the HTML report screenshot test); the MultiPL-E toolchains: g++, openjdk-17-jdk-headless and
# libjavatuples-java, nodejs and node-typescript, php-cli, mono-mcs (C#), bash. Installs only what is missing; a no-op when all are present.
set -euo pipefail
wanted=(espeak-ng sox ffmpeg chromium g++ openjdk-17-jdk-headless libjavatuples-java nodejs node-typescript php-cli mono-mcs)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "==> apt-get install ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
