#!/usr/bin/env bash
# Installs the Debian packages direktiv-ts needs beyond Node.js, when any is missing (apt-get,
# as root or through sudo). Used by .ci/run and scripts/setup.sh.
# openssl: the mutual-TLS tests make their CA and certificates with it.
# podman, runc, slirp4netns: the container engine functions run on (the Docker Engine API served by
# `podman system service`); busybox-static: the shell of offline-built function images.
# docker-registry, apache2-utils (htpasswd): the private registries the image-pull tests log in to.
# wrk: the HTTP load of the events benchmark (`npm run bench -- events`).
set -euo pipefail

APT_PACKAGES=(openssl podman runc slirp4netns busybox-static docker-registry apache2-utils wrk)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "--- apt-get install ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
