import { describe, expect, it } from 'vitest';
import {
  blockHosts,
  emptyFlagActionRecord,
  flagResponse,
  grantPass,
  isFlagActionRecord,
  MAX_PASSES,
  PASS_TTL_MS,
  readWarningPageUrl,
  rememberSite,
  sessionRulesFor,
  siteOf,
  underSettings,
  usePass,
  verdictBeforeConnection,
  warningPageUrl,
  withoutTab,
  RULE_IDS,
} from '../../../lib/flag-action';
import { defaultSettings, type Settings } from '../../../lib/settings';
import { buildVerdict, type Verdict } from '../../../lib/verdict';
import { compileWatchlist } from '../../../lib/watchlist/match';
import { ok, table } from '../support/tab-fakes';

const BASE = 'chrome-extension://abc/';
const settings = (change: Partial<Settings> = {}): Settings => ({
  ...defaultSettings(),
  ...change,
});

function flagged(hostname: string): Verdict {
  return buildVerdict(
    { hostname, dohAddresses: ['202.96.128.86', '1.1.1.1'] },
    table,
    compileWatchlist(defaultSettings().watchlist),
  );
}

/** The rule's regex as JavaScript reads it (RE2 agrees on this subset). */
function matches(regexFilter: string, url: string): boolean {
  return new RegExp(regexFilter).test(url);
}

describe('the warning page address', () => {
  it('carries the whole site URL in the fragment, and says when the tab was sent after loading', () => {
    const site = 'https://t.example/a?b=1#frag';
    const url = warningPageUrl(BASE, site, true);
    expect(url).toBe(`chrome-extension://abc/warning.html?after=1#${site}`);
    expect(readWarningPageUrl(url)).toEqual({ siteUrl: site, after: true });
    expect(readWarningPageUrl(warningPageUrl(BASE, site))).toEqual({ siteUrl: site, after: false });
  });

  it('names no site for anything but a web URL', () => {
    expect(readWarningPageUrl(`${BASE}warning.html#javascript:alert(1)`).siteUrl).toBeNull();
    expect(readWarningPageUrl(`${BASE}warning.html#not a url`).siteUrl).toBeNull();
    expect(readWarningPageUrl(`${BASE}warning.html`).siteUrl).toBeNull();
  });
});

describe('the response to a verdict', () => {
  it('acts only on a flagged, not allowlisted site with the action on', () => {
    const verdict = flagged('ct.example');
    expect(flagResponse(verdict, settings())).toBeNull();
    expect(flagResponse(verdict, settings({ onFlagged: 'warn' }))).toBe('warn');
    expect(flagResponse(verdict, settings({ onFlagged: 'block' }))).toBe('block');
    expect(
      flagResponse(
        verdict,
        settings({ onFlagged: 'block', allowlist: ['example'.concat('.', 'x')] }),
      ),
    ).toBe('block');
    expect(
      flagResponse(verdict, settings({ onFlagged: 'block', allowlist: ['ct.example'] })),
    ).toBeNull();
    expect(
      flagResponse({ ...verdict, status: 'clean' }, settings({ onFlagged: 'block' })),
    ).toBeNull();
  });
});

describe('the verdict before connecting', () => {
  const resolve = async (name: string) =>
    name.startsWith('ct') ? ok(name, '202.96.128.86') : ok(name, '1.1.1.1');

  it('judges the DoH answer against the routing data', async () => {
    const on = settings({ onFlagged: 'warn' });
    expect((await verdictBeforeConnection('ct.example', on, { resolve, table }))?.status).toBe(
      'flagged',
    );
    expect((await verdictBeforeConnection('cf.example', on, { resolve, table }))?.status).toBe(
      'clean',
    );
  });

  it('asks nothing in privacy mode or for a private name, and says it cannot tell', async () => {
    const asked: string[] = [];
    const counting = async (name: string) => {
      asked.push(name);
      return resolve(name);
    };
    const privacy = settings({ privacyMode: true });
    expect(
      await verdictBeforeConnection('ct.example', privacy, { resolve: counting, table }),
    ).toBeNull();
    expect(
      await verdictBeforeConnection('printer.local', settings(), { resolve: counting, table }),
    ).toBeNull();
    expect(asked).toEqual([]);
  });

  it('judges an address in the URL without asking', async () => {
    const verdict = await verdictBeforeConnection('202.96.128.86', settings(), {
      resolve: () => Promise.reject(new Error('not asked')),
      table,
    });
    expect(verdict?.status).toBe('flagged');
  });

  it('a failed lookup says nothing (the page is judged once connected)', async () => {
    const failing = async () => ({ ok: false as const, error: { kind: 'timeout', message: 't' } });
    expect(
      await verdictBeforeConnection('ct.example', settings(), { resolve: failing as never, table }),
    ).toBeNull();
  });
});

describe('what acting on a flag remembers', () => {
  it('keeps a site once, with only its flagged addresses, and the newest within the bound', () => {
    let record = rememberSite(emptyFlagActionRecord(), flagged('ct.example'), 1);
    expect(siteOf(record, 'ct.example')?.verdict.addresses.map((a) => a.ip)).toEqual([
      '202.96.128.86',
    ]);
    expect(rememberSite(record, flagged('ct.example'), 2)).toBe(record);
    for (let i = 0; i < 5; i += 1) record = rememberSite(record, flagged(`ct${i}.example`), i, 3);
    expect(record.sites.map((s) => s.hostname)).toEqual([
      'ct2.example',
      'ct3.example',
      'ct4.example',
    ]);
    expect(isFlagActionRecord(JSON.parse(JSON.stringify(record)))).toBe(true);
    expect(isFlagActionRecord({ sites: 'no' })).toBe(false);
  });

  it('blocks hosts once each, the newest within the bound; unchanged when nothing is new', () => {
    const record = blockHosts(emptyFlagActionRecord(), ['a.test', 'b.test', 'a.test']);
    expect(record.blockedHosts).toEqual(['a.test', 'b.test']);
    expect(blockHosts(record, ['b.test'])).toBe(record);
    expect(blockHosts(record, ['c.test', 'd.test'], 3).blockedHosts).toEqual([
      'b.test',
      'c.test',
      'd.test',
    ]);
  });

  it('forgets what new settings no longer act on', () => {
    let record = rememberSite(emptyFlagActionRecord(), flagged('ct.example'), 1);
    record = rememberSite(record, flagged('ct2.example'), 1);
    record = blockHosts(record, ['ct.example', 'x.test']);
    const allowlisted = underSettings(record, {
      onFlagged: 'warn',
      blockFlaggedHosts: true,
      allowlist: ['ct.example'],
    });
    expect(allowlisted.sites.map((s) => s.hostname)).toEqual(['ct2.example']);
    expect(allowlisted.blockedHosts).toEqual(['x.test']);
    const off = underSettings(record, {
      onFlagged: 'nothing',
      blockFlaggedHosts: false,
      allowlist: [],
    });
    expect(off.sites).toEqual([]);
    expect(off.blockedHosts).toEqual([]);
  });

  it('a pass lets one navigation of its tab through, that navigation again, and not the next', () => {
    let record = grantPass(emptyFlagActionRecord(), 7, 'ct.example', 1000);
    // Another tab, another site: no pass.
    expect(usePass(record, 8, 'ct.example', 'n1', 1001).passes).toBe(false);
    expect(usePass(record, 7, 'other.example', 'n1', 1001).passes).toBe(false);
    // Firefox asks before the navigation has an id: it passes, the pass stays untaken.
    const held = usePass(record, 7, 'ct.example', undefined, 1001);
    expect(held.passes).toBe(true);
    const taken = usePass(held.record, 7, 'ct.example', 'n1', 1002);
    expect(taken.passes).toBe(true);
    record = taken.record;
    expect(usePass(record, 7, 'ct.example', 'n1', 1003).passes).toBe(true);
    const next = usePass(record, 7, 'ct.example', 'n2', 1004);
    expect(next.passes).toBe(false);
    expect(next.record.passes).toEqual([]);
    // Firefox's next visit (no id yet) after the pass was taken: no pass either.
    expect(usePass(record, 7, 'ct.example', undefined, 1004).passes).toBe(false);
  });

  it('a pass lapses, is bounded, and goes with its tab', () => {
    const record = grantPass(emptyFlagActionRecord(), 7, 'ct.example', 0);
    expect(usePass(record, 7, 'ct.example', 'n', PASS_TTL_MS).passes).toBe(false);
    let many = emptyFlagActionRecord();
    for (let tab = 0; tab < MAX_PASSES + 5; tab += 1) many = grantPass(many, tab, 'ct.example', 1);
    expect(many.passes).toHaveLength(MAX_PASSES);
    expect(withoutTab(record, 7).passes).toEqual([]);
    expect(withoutTab(record, 8)).toBe(record);
  });
});

describe('the session rules', () => {
  const record = (() => {
    let r = rememberSite(emptyFlagActionRecord(), flagged('ct.example'), 1);
    r = blockHosts(r, ['cdn.ct.example']);
    r = grantPass(r, 7, 'ct.example', 1);
    return r;
  })();
  const rules = sessionRulesFor(record, BASE);

  it('redirect a flagged site (exactly that host, any port) to the warning page with its URL', () => {
    const [site] = rules.filter((r) => r.id === RULE_IDS.site);
    expect(site?.action).toEqual({
      type: 'redirect',
      redirect: { regexSubstitution: 'chrome-extension://abc/warning.html#\\0' },
    });
    const filter = site!.condition.regexFilter;
    expect(matches(filter, 'https://ct.example/a?b#c')).toBe(true);
    expect(matches(filter, 'http://ct.example:8080/')).toBe(true);
    expect(matches(filter, 'https://www.ct.example/')).toBe(false);
    expect(matches(filter, 'https://ct.example.org/')).toBe(false);
    expect(matches(filter, 'https://ctxexample/')).toBe(false);
    expect(site!.condition.resourceTypes).toEqual(['main_frame']);
    expect(site!.condition.requestDomains).toEqual(['ct.example']);
  });

  it('block a flagged host in other pages, never the page itself nor its own site', () => {
    const [host] = rules.filter((r) => r.id === RULE_IDS.blockedHost);
    expect(host?.action).toEqual({ type: 'block' });
    expect(matches(host!.condition.regexFilter, 'wss://cdn.ct.example/socket')).toBe(true);
    expect(host!.condition.resourceTypes).not.toContain('main_frame');
    expect(host!.condition.excludedInitiatorDomains).toEqual(['cdn.ct.example']);
  });

  it('let a pass through in its tab only, above the redirect; none once taken', () => {
    const [pass] = rules.filter((r) => r.id === RULE_IDS.pass);
    expect(pass).toMatchObject({ priority: 2, action: { type: 'allow' } });
    expect(pass!.condition.tabIds).toEqual([7]);
    const taken = usePass(record, 7, 'ct.example', 'n1', 2).record;
    expect(sessionRulesFor(taken, BASE).filter((r) => r.id === RULE_IDS.pass)).toEqual([]);
  });

  it('stay within the browser regex-rule limit at the documented bounds, with unique ids', () => {
    let full = emptyFlagActionRecord();
    for (let i = 0; i < 400; i += 1) full = rememberSite(full, flagged(`ct${i}.example`), i);
    full = blockHosts(
      full,
      Array.from({ length: 400 }, (_, i) => `h${i}.test`),
    );
    for (let tab = 0; tab < 30; tab += 1) full = grantPass(full, tab, 'ct1.example', 1);
    const all = sessionRulesFor(full, BASE);
    expect(all.length).toBeLessThanOrEqual(1000);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
  });

  it('match an IP literal by the regex alone', () => {
    const r = sessionRulesFor(
      rememberSite(emptyFlagActionRecord(), flagged('202.96.128.86'), 1),
      BASE,
    );
    expect(r[0]!.condition.requestDomains).toBeUndefined();
    expect(matches(r[0]!.condition.regexFilter, 'http://202.96.128.86/x')).toBe(true);
    expect(matches(r[0]!.condition.regexFilter, 'http://202x96.128.86/x')).toBe(false);
  });
});
