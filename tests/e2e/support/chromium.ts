/** Debian's Chromium, which Playwright drives here (it cannot download its own browsers). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Every made-up site is the local web server; the port stays in the URL. The private and
 * single-label names let tests check that such names never reach the resolver.
 */
export const LOOPBACK_HOST_RULES =
  'MAP *.test 127.0.0.1, MAP *.local 127.0.0.1, MAP *.internal 127.0.0.1, MAP *.home.arpa 127.0.0.1, MAP intranet 127.0.0.1';

/**
 * The flags every e2e test and the e2e bench launch Chromium with: the built extension loaded,
 * no background traffic (the machine has no internet), every made-up site mapped to the local web
 * server (or by `hostRules`, Chromium's --host-resolver-rules syntax), and unbound's throwaway
 * certificate trusted in the service worker too.
 */
export function chromiumArgs(
  extensionPath: string,
  spkiHash: string,
  hostRules: string = LOOPBACK_HOST_RULES,
): string[] {
  return [
    `--disable-extensions-except=${extensionPath}`,
    `--load-extension=${extensionPath}`,
    '--no-sandbox',
    // The machine has no internet: keep Chromium from spamming refused connections.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    `--host-resolver-rules=${hostRules}`,
    // Playwright's ignoreHTTPSErrors does not reach the service worker; this flag does.
    `--ignore-certificate-errors-spki-list=${spkiHash}`,
  ];
}
