/**
 * Text from the data reaches the popup, the toolbar tooltip and the copied report with its
 * bidirectional, invisible and control characters shown as escapes (lib/display-text.ts).
 */
import { describe, expect, it } from 'vitest';
import { displayText, displayValue } from '../../lib/display-text';
import type { LookupResult } from '../../lib/prefix-table';
import type { TabReport } from '../../lib/tabs/site-report';
import { ENGLISH_PAGE_BADGE_WORDS, pageBadge } from '../../lib/tabs/badge';
import { issueUrl, reportText } from '../../lib/tabs/report-text';
import {
  badgeFor,
  buildVerdict,
  ENGLISH_BADGE_WORDS,
  type PrefixLookup,
  type Verdict,
} from '../../lib/verdict';
import { DEFAULT_WATCHLIST } from '../../lib/watchlist/defaults';
import { compileWatchlist } from '../../lib/watchlist/match';

/** Every character displayText must not let through raw. */
const HIDDEN = [
  ...['\u202a', '\u202b', '\u202c', '\u202d', '\u202e'],
  ...['\u2066', '\u2067', '\u2068', '\u2069'],
  ...['\u200e', '\u200f', '\u061c'],
  ...['\u200b', '\u200c', '\u200d', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064'],
  ...['\ufeff', '\u180e', '\u00ad', '\u2028', '\u2029'],
  ...['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b'],
  '\u{e0041}',
];
const RAW_HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|\p{Cs}/u;

/** Org name as a hostile routing-data update could carry it: "Chinanet" read backwards. */
const HOSTILE_ORG = 'CHINANET\u202etenanihc\u202c backbone';
const SHOWN_ORG = 'CHINANET\\u202etenanihc\\u202c backbone';

/** A fake prefix table whose one routed address belongs to China Telecom's AS4134. */
const TABLE: PrefixLookup = {
  lookup: (text: string): LookupResult =>
    text === '202.96.128.86'
      ? {
          kind: 'routed',
          asn: 4134,
          org: HOSTILE_ORG,
          rangeStart: '202.96.128.0',
          rangeEnd: '202.96.128.255',
        }
      : { kind: 'unrouted' },
};

function flaggedVerdict(): Verdict {
  return buildVerdict(
    { hostname: 'telecom.test', dohAddresses: ['202.96.128.86'] },
    TABLE,
    compileWatchlist(DEFAULT_WATCHLIST),
  );
}

function reportOf(verdict: Verdict, extra: Partial<TabReport> = {}): TabReport {
  return {
    tabId: 1,
    url: 'https://telecom.test/',
    hostname: verdict.hostname,
    navigationId: 'n1',
    committed: true,
    doh: { state: 'done', addresses: ['202.96.128.86'], cnameChain: [] },
    verdict,
    final: true,
    updatedAt: 0,
    ...extra,
  };
}

/** Every string anywhere in a plain value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

describe('displayText', () => {
  it('shows every bidirectional, invisible and control character as an escape', () => {
    for (const char of HIDDEN) {
      const shown = displayText(`a${char}b`);
      expect(shown, `U+${char.codePointAt(0)!.toString(16)}`).not.toMatch(RAW_HIDDEN);
      expect(shown).toMatch(/^a\\(x|u)/);
    }
    expect(displayText('AS4134 \u202eChinanet')).toBe('AS4134 \\u202eChinanet');
    expect(displayText('a\u00adb\u200bc')).toBe('a\\xadb\\u200bc');
    expect(displayText('line\nbreak\t')).toBe('line\\nbreak\\t');
    expect(displayText('tag\u{e0041}')).toBe('tag\\u{e0041}');
  });

  it('leaves letters of every script, host names and backslashes alone, and is idempotent', () => {
    for (const text of ['China Telecom', '中国电信', 'xn--fiqs8s.test', 'شبكة', 'C:\\data', '']) {
      expect(displayText(text)).toBe(text);
    }
    const once = displayText(HOSTILE_ORG);
    expect(once).toBe(SHOWN_ORG);
    expect(displayText(once)).toBe(once);
  });
});

describe('displayValue', () => {
  it('escapes every string of a report at any depth and keeps everything else', () => {
    const report = reportOf(flaggedVerdict(), {
      doh: { state: 'done', addresses: ['202.96.128.86'], cnameChain: ['cdn\u202e.test'] },
    });
    const shown = displayValue(report);
    for (const text of stringsIn(shown)) expect(text).not.toMatch(RAW_HIDDEN);
    const [evidence] = shown.verdict.addresses;
    expect(evidence?.lookup).toMatchObject({ kind: 'routed', asn: 4134, org: SHOWN_ORG });
    expect(shown.doh.state === 'done' && shown.doh.cnameChain).toEqual(['cdn\\u202e.test']);
    expect(shown.final).toBe(true);
    expect(shown.hostname).toBe('telecom.test');
    // A copy: the report itself (kept for lookups and actions) is unchanged.
    expect(report.verdict.addresses[0]?.lookup).toMatchObject({ org: HOSTILE_ORG });
  });
});

describe('an organisation name with U+202E from the routing data', () => {
  it('reaches the popup (the verdict sentence reads lookup.org) only as an escape', () => {
    // The popup passes what the worker sends through displayValue before any component reads it;
    // AddressSentences builds the verdict sentence from that evidence's lookup.org.
    const [evidence] = displayValue(reportOf(flaggedVerdict())).verdict.addresses;
    expect(evidence?.matches.map((m) => m.groupName)).toEqual(['China Telecom']);
    expect(evidence?.lookup.kind === 'routed' && evidence.lookup.org).toBe(SHOWN_ORG);
  });

  it('reaches the tooltip only as an escape', () => {
    const badge = badgeFor(flaggedVerdict(), ENGLISH_BADGE_WORDS);
    expect(badge.text).toBe('CT');
    expect(badge.title).toContain(`AS4134 ${SHOWN_ORG}`);
    expect(badge.title).not.toMatch(RAW_HIDDEN);
  });

  it('reaches the third-party tooltip (host and group names) only as escapes', () => {
    const site = badgeFor(
      { hostname: 'site.test', status: 'clean', addresses: [], groups: [] },
      ENGLISH_BADGE_WORDS,
    );
    const badge = pageBadge(
      site,
      {
        hostname: 'site.test',
        final: true,
        verdict: { hostname: 'site.test', status: 'clean', addresses: [], groups: [] },
      },
      {
        siteHostname: 'site.test',
        total: 3,
        checking: 0,
        flagged: [
          {
            hostname: 'evil\u202e.test',
            groups: [{ id: 'custom-mine', name: 'Mine\u2066', code: 'MN' }],
          },
        ],
      },
      true,
      ENGLISH_PAGE_BADGE_WORDS,
    );
    expect(badge.title).toContain('Mine\\u2066: evil\\u202e.test');
    expect(badge.title).not.toMatch(RAW_HIDDEN);
  });

  it('reaches the copied report and the issue URL only as an escape', () => {
    const verdict = flaggedVerdict();
    verdict.proxy = {
      address: 'proxy\u202e.test',
      port: 8080,
      type: 'http\u200b',
      detectedBy: 'proxy-info',
      lookup: { kind: 'unrouted' },
    } as NonNullable<Verdict['proxy']>;
    const report = reportOf(verdict, {
      doh: { state: 'done', addresses: ['202.96.128.86'], cnameChain: ['alias\u2067.test'] },
    });
    const text = reportText(report, {
      meta: null,
      extensionVersion: '1.0.0',
      browser: 'Firefox\u202e',
    });
    expect(text).toContain(`AS4134 ${SHOWN_ORG}`);
    expect(text).toContain('alias\\u2067.test');
    expect(text).toContain('proxy\\u202e.test');
    // Only the report's own line breaks are raw.
    expect(text.replace(/\n/g, '')).not.toMatch(RAW_HIDDEN);
    const url = new URL(issueUrl('evil\u202e.test', text));
    expect(url.searchParams.get('title')).toBe('Wrong result for evil\\u202e.test');
    expect(url.searchParams.get('body')!.replace(/\n/g, '')).not.toMatch(RAW_HIDDEN);
  });
});
