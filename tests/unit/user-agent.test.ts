import { describe, expect, it } from 'vitest';
import { browserNameAndMajor } from '../../lib/user-agent';

describe('browserNameAndMajor', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0', 'Firefox 140'],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.7258.154 Safari/537.36',
      'Chrome 139',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0.6099.224 Chrome/120.0.6099.224 Safari/537.36',
      'Chromium 120',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 Safari/537.36 Edg/139.0.3405.86',
      'Edge 139',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36 OPR/122.0.0.0',
      'Opera 122',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15',
      'Safari 18',
    ],
  ])('%s -> %s', (userAgent, expected) => {
    expect(browserNameAndMajor(userAgent)).toBe(expected);
  });

  it('keeps nothing of a string it does not recognise', () => {
    expect(browserNameAndMajor('')).toBe('unknown browser');
    expect(browserNameAndMajor('curl/8.5.0 (x86_64-pc-linux-gnu) secret-host')).toBe(
      'unknown browser',
    );
  });

  it('drops the operating system, its version and the minor versions', () => {
    const shown = browserNameAndMajor(
      'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.3.1',
    );
    expect(shown).toBe('Firefox 128');
    expect(shown).not.toMatch(/Linux|Ubuntu|x86|128\.3/);
  });
});
