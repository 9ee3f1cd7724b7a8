#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (no browser download is possible here).
# Installs it when missing and we are root; otherwise the browser tests say why they skip.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian chromium for the browser tests" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "note: /usr/bin/chromium missing; install Debian's chromium to run the browser tests" >&2
fi
exit 0
