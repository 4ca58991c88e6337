#!/usr/bin/env bash
# Installs what the dashboard's browser test (crates/ehr-web/tests/browser.rs) drives:
# Debian's headless Chromium and its WebDriver (chromedriver). Safe to run again: does
# nothing when both are already there. Needs root (CI and the dev machines run as root).
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
    echo "browser-test-deps: chromium and chromedriver already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if have sudo; then SUDO="sudo"; else
        echo "browser-test-deps: run as root (or install sudo) to apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
chromium --version
chromedriver --version
