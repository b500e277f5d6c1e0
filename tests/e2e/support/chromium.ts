/** Debian's Chromium, which Playwright drives here (it cannot download its own browsers). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags every e2e test and the e2e bench launch Chromium with: the built extension loaded,
 * no background traffic (the machine has no internet), every made-up site mapped to the local web
 * server, and unbound's throwaway certificate trusted in the service worker too.
 */
export function chromiumArgs(
  extensionPath: string,
  spkiHash: string,
  siteAddresses?: Readonly<Record<string, string>>,
): string[] {
  const rules = siteAddresses
    ? Object.entries(siteAddresses).map(([name, address]) => `MAP ${name} ${address}`)
    : [
        'MAP *.test 127.0.0.1',
        'MAP *.local 127.0.0.1',
        'MAP *.internal 127.0.0.1',
        'MAP *.home.arpa 127.0.0.1',
        'MAP intranet 127.0.0.1',
      ];
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
    // Every made-up site is the local web server; the port stays in the URL. The private and
    // single-label names let tests check that such names never reach the resolver.
    // (The screenshots pass `siteAddresses`: each site its own address.)
    `--host-resolver-rules=${rules.join(', ')}`,
    // Playwright's ignoreHTTPSErrors does not reach the service worker; this flag does.
    `--ignore-certificate-errors-spki-list=${spkiHash}`,
  ];
}
