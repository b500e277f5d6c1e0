import { describe, expect, it } from 'vitest';
import { redirectKind } from '../../../lib/tabs/redirects';

// Shapes as Chromium reported them in the e2e run (tests/e2e/page-hosts-coverage.spec.ts).
const SHORTENER = {
  url: 'http://telecom.test:45473/redirect?to=http%3A%2F%2Fcloudflare.test%3A45473%2Flanding',
  redirectUrl: 'http://cloudflare.test:45473/landing',
  tabId: 784097886,
  frameId: 0,
  type: 'main_frame',
  documentLifecycle: 'active',
  ip: '127.0.0.1',
};

describe('redirect kinds', () => {
  it("a tab's navigation hop waits for the commit; a prerendered page's is not the tab's", () => {
    expect(redirectKind(SHORTENER)).toBe('navigation');
    expect(redirectKind({ ...SHORTENER, documentLifecycle: 'prerender' })).toBe('ignored');
  });

  it("a page's request, or its site's service worker's, is listed like any request", () => {
    const image = {
      ...SHORTENER,
      type: 'image',
      frameId: 0,
      initiator: 'http://cloudflare.test:45473',
      redirectUrl: 'http://site.test:45473/final.gif',
    };
    expect(redirectKind(image)).toBe('request');
    expect(redirectKind({ ...image, tabId: -1, initiator: 'http://sw.localhost:45473' })).toBe(
      'request',
    );
    // Firefox names the worker script instead.
    const { initiator: _initiator, ...firefox } = image;
    void _initiator;
    expect(redirectKind({ ...firefox, tabId: -1, originUrl: 'https://site.test/sw.js' })).toBe(
      'request',
    );
  });

  it("the extension's own downloads go to their hop check, never to a host list", () => {
    const download = {
      url: 'https://github.com/sapics/ip-location-db/releases/download/latest/x.csv',
      redirectUrl: 'https://objects.githubusercontent.com/x.csv',
      tabId: -1,
      type: 'xmlhttprequest',
    };
    expect(redirectKind({ ...download, initiator: 'chrome-extension://abcdefghijklmnop' })).toBe(
      'own',
    );
    expect(
      redirectKind({
        ...download,
        originUrl: 'moz-extension://0b1c2d3e/_generated_background_page.html',
      }),
    ).toBe('own');
    // No maker named: as before, the extension's (no page could be named for it anyway).
    expect(redirectKind(download)).toBe('own');
    // Even a same-host hop: the download checks every hop.
    expect(
      redirectKind({
        ...download,
        redirectUrl: 'https://github.com/other',
        initiator: 'chrome-extension://x',
      }),
    ).toBe('own');
  });

  it('a hop to the same host adds nothing: the next request lists the host', () => {
    expect(
      redirectKind({
        ...SHORTENER,
        url: 'http://cloudflare.test/landing',
        redirectUrl: 'https://cloudflare.test/landing',
      }),
    ).toBe('ignored');
  });
});
