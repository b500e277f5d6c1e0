#!/usr/bin/env bash
# Installs what the e2e tests drive: Debian's Chromium (Playwright cannot download its own browsers
# here), unbound as a real DoH server on loopback, and openssl for its throwaway certificate.
# Idempotent: when everything is present it only prints versions.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/unbound ] && [ -x /usr/sbin/unbound-control ] || missing+=(unbound)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-test-env: installing ${missing[*]}"
  SUDO=''
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO='sudo'
    else
      echo "setup-test-env: need root (or sudo) to install ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends chromium unbound openssl ca-certificates
fi

# The wrapper script /usr/bin/chromium prints a harmless shell warning; keep only the version line.
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | grep -i chromium | head -n 1)"
echo "unbound:  $(/usr/sbin/unbound -V 2>/dev/null | head -n 1)"
echo "openssl:  $(openssl version)"
