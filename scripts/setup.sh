#!/usr/bin/env bash
# The README's first step: the system packages (Podman and its companions) and the npm packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/system-packages.sh
npm install --no-audit --no-fund
