import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHar } from '../../../lib/cli/har';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/har', name), 'utf8');

describe('HAR parsing', () => {
  it('lists each host once, the page first, with the addresses the browser connected to', () => {
    const result = parseHar(fixture('chromium-page.har'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.page.pageUrl).toBe('https://clean.example.test/');
    expect(result.page.siteHostname).toBe('clean.example.test');
    expect(result.page.hosts).toEqual([
      { hostname: 'clean.example.test', requests: 2, serverAddresses: ['1.1.1.1'] },
      { hostname: 'ct.example.test', requests: 2, serverAddresses: ['202.96.128.86'] },
      // Chromium writes IPv6 server addresses in brackets.
      { hostname: 'v6only.example.test', requests: 1, serverAddresses: ['2400:9380:8000::1'] },
      { hostname: 'api.cdn-only.test', requests: 1, serverAddresses: ['36.128.0.1'] },
      { hostname: 'printer.lan', requests: 1, serverAddresses: [] },
    ]);
    // The data: URL is not a host.
    expect(result.page.skippedEntries).toBe(1);
  });

  it('keeps every distinct address of a host, Firefox style, and takes the first entry as the page', () => {
    const result = parseHar(fixture('firefox-redirect.har'));
    if (!result.ok) throw new Error(result.reason);
    expect(result.page.pageUrl).toBe('http://clean.example.test/');
    expect(result.page.hosts.map((h) => [h.hostname, h.serverAddresses])).toEqual([
      ['clean.example.test', ['1.1.1.1']],
      ['www.clean.example.test', ['2606:4700:4700::1111', '2606:4700:4700::1001']],
    ]);
  });

  it.each([
    ['truncated.har', /not valid JSON/],
    ['no-entries.har', /"log.entries" is missing/],
    ['empty.har', /no requests in it/],
    ['no-urls.har', /none of the 3 entries has a web request URL/],
  ])('refuses %s with a plain reason', (name, reason) => {
    const result = parseHar(fixture(name));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('refuses JSON that is not a HAR', () => {
    expect(parseHar('[1,2]')).toEqual({
      ok: false,
      reason: 'not a HAR file: there is no "log" object at the top',
    });
    expect(parseHar('{"log": {"entries": {}}}')).toMatchObject({ ok: false });
  });
});
