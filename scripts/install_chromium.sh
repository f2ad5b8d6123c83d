#!/usr/bin/env bash
# Debian's Chromium, for the viewer's browser tests and benchmark: installed
# with apt-get (as root) when missing; prints its version.
set -euo pipefail
if ! command -v chromium >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version
