/**
 * One language per locale (issue 20 §4): a German or Chinese popup for a flagged site says nothing
 * in English. The page is the richest a flagged site gets: the site on China Telecom, third-party
 * hosts on China Mobile and China Unicom, a host on a private address (and every host reached
 * through loopback, as the test browsers map every name to 127.0.0.1), and hosts that could not be
 * checked (SERVFAIL, NXDOMAIN); the host list unfolded and the expert details open.
 *
 * What is left of the page's text once the data is taken out (host names, addresses, AS numbers,
 * the routing data's organisation names, versions: every token with a digit, or a dot, a slash, an @
 * or a colon inside it) must hold no word of ENGLISH_WORDS. The list is words our English messages and lib/'s
 * English use, and that no data token or name that reads the same in every language (CarrierFlag,
 * DoH, RouteViews, NRO, CC BY 4.0, PDDL, RIPEstat, NAT64) contains.
 */
import { RESOLVER_PRESETS } from '../../../lib/dns/resolvers';
import { DEFAULT_RECORDS, expect, test as base, UiPage } from '../fixtures';
import type { DohRecord } from './doh-server';
import { waitUntil } from './wait';

/** Words that mean an English sentence (or an English lib/ string) reached the page. */
export const ENGLISH_WORDS: readonly string[] = [
  // The carriers, whose names lib/ gives in English.
  'China Telecom',
  'China Mobile',
  'China Unicom',
  'Chinanet backbone',
  // Verdict and evidence words.
  'hosted',
  'confidence',
  'high',
  'medium',
  'low',
  'likely',
  'probably',
  'network',
  'networks',
  'national',
  'backbone',
  'broadband',
  'watched',
  'flagged',
  'checked',
  'checking',
  // Address kinds (lib/ip/classify.ts) and where an address came from.
  'local',
  'private',
  'loopback',
  'public',
  'address',
  'addresses',
  'computer',
  'routed',
  'range',
  // Problems and their reasons (lib/verdict.ts, lib/dns).
  'resolver',
  'answered',
  'answer',
  'lookup',
  'looked',
  'exist',
  'does',
  'could',
  'cannot',
  'failed',
  'record',
  'proxy',
  'cache',
  // The page's own furniture and English glue words.
  'the',
  'is',
  'on',
  'of',
  'and',
  'not',
  'this',
  'site',
  'page',
  'host',
  'hosts',
  'report',
  'settings',
  'details',
  'allowlist',
  'research',
  'note',
  'data',
  'routing',
  'published',
  'days',
  'old',
];

/**
 * The DoH answers the test needs beside the defaults: a host on a private address. `cdn.fail.test`
 * answers SERVFAIL (the default SERVFAIL zone) and `missing.test` NXDOMAIN (no record).
 */
export const NO_ENGLISH_RECORDS: readonly DohRecord[] = [
  ...DEFAULT_RECORDS,
  { name: 'lan.test', type: 'A', value: '192.168.1.20' },
];

const THIRD_PARTIES = ['mobile.test', 'unicom.test', 'lan.test', 'cdn.fail.test', 'missing.test'];

/**
 * Words of the list that are also words of a locale (German writes the carriers' names as they
 * do, and uses Host, Proxy, Cache, Resolver, Routing and Details as loanwords).
 */
const ALSO_WORDS_OF: Readonly<Record<string, readonly string[]>> = {
  de: [
    'China Telecom',
    'China Mobile',
    'China Unicom',
    'host',
    'hosts',
    'proxy',
    'cache',
    'resolver',
    'routing',
    'details',
    'private',
    'computer',
  ],
};

/** Every English word of the list in `text` (but the locale's own), whole words, any case. */
export function englishWordsIn(text: string, locale: string): string[] {
  const own = new Set(ALSO_WORDS_OF[locale] ?? []);
  return ENGLISH_WORDS.filter((word) => !own.has(word)).filter((word) =>
    new RegExp(`(^|[^\\p{L}])${word.replace(/ /g, '\\s+')}($|[^\\p{L}])`, 'iu').test(text),
  );
}

/**
 * `text` without data: first each of `dataTexts` (organisation names from the routing data, for
 * the tooltip), then every token holding a digit, or a dot, a slash, an @ or a colon other than the sentence's
 * own punctuation at its end (hosts, addresses, AS numbers, prefixes, versions, dates, URLs).
 */
export function withoutData(text: string, dataTexts: readonly string[]): string {
  let rest = text;
  for (const data of [...dataTexts].sort((a, b) => b.length - a.length)) {
    if (data.trim()) rest = rest.split(data.trim()).join(' ');
  }
  return rest.replace(/\S+/gu, (token) => {
    // A sentence's own punctuation around a word is not data: "geprüft." stays a word.
    const core = token.replace(/^[(（“„"']+|[)）.,;:!?。，；：”“"']+$/gu, '');
    return /\d/.test(core) || /[./@:]/.test(core) ? ' ' : token;
  });
}

/**
 * The popup's whole text: what it shows, and its titles and labels (tooltips, screen readers), with
 * the organisation names blanked; and those names (the tooltip has them too).
 */
async function popupText(popup: UiPage): Promise<{ text: string; data: string[] }> {
  return popup.page.evaluate(() => {
    document.querySelectorAll('details').forEach((d) => (d.open = true));
    document.querySelectorAll<HTMLElement>('[hidden]').forEach((e) => (e.hidden = false));
    const labels = [...document.querySelectorAll('[title], [aria-label]')].flatMap((e) => [
      e.getAttribute('title') ?? '',
      e.getAttribute('aria-label') ?? '',
    ]);
    // Organisation names are the routing data's, as it has them ("China Mobile"): blanked where they
    // stand, not searched for, so a carrier name elsewhere in the page is still caught.
    const data = [...document.querySelectorAll('.org')].map((e) => {
      const org = e.textContent ?? '';
      e.textContent = ' ';
      return org;
    });
    return { text: [document.body.innerText, ...labels].join('\n'), data };
  }, undefined);
}

/** Declares the test for one locale; the calling spec file sets `uiLocale` and NO_ENGLISH_RECORDS. */
export function popupHasNoEnglish(locale: string, test: typeof base): void {
  test(`a flagged site's popup in ${locale} has no English word`, async ({ ext, web }) => {
    const tab = await ext.open(
      web.urlFor('telecom.test', `/page-with?hosts=${THIRD_PARTIES.join(',')}`),
    );
    const badge = await ext.waitForBadge(tab.id, 'CT');
    const popup = await ext.popup(tab.id);
    // Every third party listed and judged: flagged, local and unchecked rows are all there.
    const statuses = await waitUntil(
      async () => {
        const rows = await popup.page.evaluate(
          () =>
            [...document.querySelectorAll('[data-testid="page-host"]')].map(
              (li) => `${li.getAttribute('data-host')}=${li.className}`,
            ),
          undefined,
        );
        const done =
          rows.length === THIRD_PARTIES.length && rows.every((r) => !r.includes('checking'));
        return done ? rows.sort() : undefined;
      },
      { what: `the popup to list and judge ${THIRD_PARTIES.join(', ')}` },
    );
    expect(statuses).toEqual([
      'cdn.fail.test=page-host page-host-unchecked',
      'lan.test=page-host page-host-local',
      'missing.test=page-host page-host-unchecked',
      'mobile.test=page-host page-host-flagged',
      'unicom.test=page-host page-host-flagged',
    ]);
    const { text, data } = await popupText(popup);
    // The scenario holds what it should: a local address's kind and a problem's reason are shown.
    expect(await popup.texts('page-host-status')).toHaveLength(THIRD_PARTIES.length);
    const english = englishWordsIn(withoutData(text, []), locale);
    expect(english, `English in the ${locale} popup:\n${withoutData(text, [])}`).toEqual([]);
    const tooltip = withoutData(badge.title, data);
    expect(englishWordsIn(tooltip, locale), `English in the ${locale} tooltip: ${tooltip}`).toEqual(
      [],
    );

    // A clean site whose third party is flagged: the amber tooltip names the group in the locale too.
    const amberTab = await ext.open(web.urlFor('cloudflare.test', '/page-with?hosts=mobile.test'));
    const amber = await ext.waitForBadge(amberTab.id, '1');
    const amberTitle = withoutData(amber.title, []);
    expect(
      englishWordsIn(amberTitle, locale),
      `English in the ${locale} tooltip: ${amberTitle}`,
    ).toEqual([]);
  });
}

/**
 * The settings page in the locale, every disclosure open, holds no English word either: the
 * built-in group names are the locale's, and the built-in entries' research notes, which are
 * English, are marked so (`lang="en"`, with a label in the locale) and left out here, as are the
 * resolvers' own names.
 */
export function settingsHaveNoEnglish(locale: string, test: typeof base): void {
  test(`the settings page in ${locale} has no English word`, async ({ ext, session }) => {
    const page = new UiPage(await session.openExtensionPage('options.html'));
    await waitUntil(
      () =>
        page.page.evaluate(() => document.querySelectorAll('input, select').length > 10, undefined),
      { what: 'the settings page to show the settings' },
    );
    expect(ext.kind).toBe(session.kind);
    const text = await page.page.evaluate(() => {
      document.querySelectorAll('details').forEach((d) => (d.open = true));
      document.querySelectorAll('[lang="en"]').forEach((e) => (e.textContent = ' '));
      const labels = [...document.querySelectorAll('[title], [aria-label], [placeholder]')].flatMap(
        (e) => [
          e.getAttribute('title') ?? '',
          e.getAttribute('aria-label') ?? '',
          e.getAttribute('placeholder') ?? '',
        ],
      );
      return [document.body.innerText, ...labels].join('\n');
    }, undefined);
    // The resolvers' own names ("Google Public DNS") are names, the same in every language.
    const rest = withoutData(
      text,
      RESOLVER_PRESETS.map((p) => p.name),
    );
    expect(englishWordsIn(rest, locale), `English in the ${locale} settings:\n${rest}`).toEqual([]);
  });
}
