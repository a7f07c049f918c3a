#!/usr/bin/env bash
# Browser tests use Debian's chromium. Install it when it is missing and we may install
# packages; otherwise say why the browser tests will be skipped. Never fails the build.
set -u
for bin in chromium chromium-browser; do
  if command -v "$bin" >/dev/null 2>&1; then
    echo "chromium: $(command -v "$bin")"
    exit 0
  fi
done
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "chromium is missing and this user cannot install packages: browser tests will be skipped."
    echo "Install it with: sudo apt-get install -y chromium"
    exit 0
  fi
  echo "chromium is missing: installing Debian's chromium package..."
  $SUDO apt-get update -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null && \
    echo "chromium installed: $(command -v chromium)" && exit 0
  echo "chromium could not be installed: browser tests will be skipped."
  exit 0
fi
echo "chromium is missing and apt-get is not available: browser tests will be skipped."
exit 0
