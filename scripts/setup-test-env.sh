#!/usr/bin/env bash
# Installs what the e2e tests drive: Debian's Chromium and Firefox ESR (Playwright and puppeteer cannot
# download their own browsers here), unbound as a real DoH server on loopback, and openssl for its
# throwaway certificate.
# Idempotent: when everything is present it only prints versions.
set -euo pipefail

missing=()
# The add-on needs Firefox 142 or later (manifest strict_min_version). Debian 12's plain suite has 140 ESR;
# its security suite (bookworm-security, in every default Debian 12 sources list) has 153 ESR.
FIREFOX_MIN_MAJOR=142
firefox_major() { /usr/bin/firefox-esr --version 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\)\..*/\1/p'; }
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/firefox-esr ] && [ "$(firefox_major)" -ge "$FIREFOX_MIN_MAJOR" ] 2>/dev/null || missing+=(firefox-esr)
[ -x /usr/sbin/unbound ] && [ -x /usr/sbin/unbound-control ] || missing+=(unbound)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The German and Chinese e2e runs (tests/e2e/locales.spec.ts) need each browser's own UI strings for
# those languages: Debian ships only en-US with chromium, and Firefox ESR's languages are langpacks.
[ -f /usr/lib/chromium/locales/de.pak ] && [ -f /usr/lib/chromium/locales/zh-CN.pak ] || missing+=(chromium-l10n)
[ -f /usr/lib/firefox-esr/browser/extensions/langpack-de@firefox-esr.mozilla.org.xpi ] || missing+=(firefox-esr-l10n-de)
[ -f /usr/lib/firefox-esr/browser/extensions/langpack-zh-CN@firefox-esr.mozilla.org.xpi ] || missing+=(firefox-esr-l10n-zh-cn)
# A font with Chinese glyphs, or the Chinese screenshots (`npm run screenshots`) show empty boxes.
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)

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
  $SUDO apt-get install -y --no-install-recommends chromium chromium-l10n firefox-esr \
    firefox-esr-l10n-de firefox-esr-l10n-zh-cn fonts-wqy-microhei unbound openssl ca-certificates
fi

if [ "$(firefox_major)" -lt "$FIREFOX_MIN_MAJOR" ] 2>/dev/null || [ -z "$(firefox_major)" ]; then
  echo "setup-test-env: firefox-esr $(firefox_major) is older than $FIREFOX_MIN_MAJOR, the add-on's minimum." >&2
  echo "setup-test-env: add Debian's security suite (bookworm-security) to the apt sources and run again." >&2
  exit 1
fi

# The wrapper script /usr/bin/chromium prints a harmless shell warning; keep only the version line.
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | grep -i chromium | head -n 1)"
echo "firefox:  $(/usr/bin/firefox-esr --version 2>/dev/null | head -n 1)"
echo "unbound:  $(/usr/sbin/unbound -V 2>/dev/null | head -n 1)"
echo "openssl:  $(openssl version)"
