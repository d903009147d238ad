#!/bin/sh
# Headless Chromium for tests/warehouse/test_report_browser.py (Debian packages chromium and
# chromium-driver). Idempotent; never fails the build: without root it says what to run, and
# the browser tests skip with the same advice.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: /usr/bin/chromium is missing; the browser tests will be skipped." >&2
    echo "install-browser: to run them: sudo apt-get update && sudo apt-get install -y chromium chromium-driver" >&2
    exit 0
fi
echo "install-browser: installing chromium and chromium-driver with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# fonts-liberation (a recommends) so screenshots have real glyphs; the other recommends are desktop extras.
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-liberation >/dev/null; }; then
    echo "install-browser: apt-get failed (offline?); the browser tests will be skipped." >&2
    exit 0
fi
/usr/bin/chromium --version 2>/dev/null || true
