/**
 * The popup says what the badge says (issue 20 §2), in Chromium and Firefox: a clean site whose
 * third parties are flagged (amber badge) is headed by how many of its hosts are on which network,
 * those hosts first, in the popup and in the copied and reported text; a match resting only on
 * low-confidence entries looks different from a sure one (badge and headline); an allowlisted
 * site's popup, opened later, takes it off the allowlist again.
 */
import {
  ADDRESSES,
  BADGE_RED,
  DEFAULT_RECORDS,
  expect,
  test,
  type Ext,
  type UiPage,
} from './fixtures';
import type { DohRecord } from './support/doh-server';
import { hostRows } from './support/host-rows';

const AMBER = '#b45f06';
/** lib/verdict.ts BADGE_PROBABLE_COLOR. */
const PURPLE = '#7b1fa2';

// An array value must be wrapped: Playwright reads a bare array as [value, fixture options].
test.use({
  dohRecords: [
    [
      ...DEFAULT_RECORDS,
      ...['clean-a.test', 'clean-b.test'].map((name): DohRecord => ({
        name,
        type: 'A',
        value: ADDRESSES.cloudflareV4,
      })),
    ],
    { scope: 'worker' },
  ],
});

/** Keeps what the popup hands the clipboard; the real writeText still runs. */
async function captureCopies(popup: UiPage): Promise<void> {
  await popup.page.evaluate(() => {
    const clipboard = navigator.clipboard;
    const write = clipboard.writeText.bind(clipboard);
    clipboard.writeText = async (text: string) => {
      (window as { e2eCopied?: string }).e2eCopied = text;
      return write(text);
    };
  }, undefined);
}

async function copiedReport(popup: UiPage): Promise<string> {
  await captureCopies(popup);
  await popup.pressOn('[data-testid="actions"] button[data-action="copy"]', 'Enter');
  await popup.waitForText('action-feedback', 'Copied');
  const copied = await popup.page.evaluate(
    () => (window as { e2eCopied?: string }).e2eCopied ?? null,
    undefined,
  );
  expect(copied).not.toBeNull();
  return copied!;
}

/** The `data-testid`s of the popup's main parts, in document order. */
async function partsInOrder(popup: UiPage): Promise<string[]> {
  return popup.page.evaluate(
    () =>
      [...document.querySelectorAll('[data-testid]')]
        .map((el) => el.getAttribute('data-testid') ?? '')
        .filter((id) => ['verdict', 'page-hosts', 'next-steps', 'actions'].includes(id)),
    undefined,
  );
}

async function allowlist(ext: Ext): Promise<string[]> {
  const reply = (await ext.callApi(
    (api) => api.runtime.sendMessage({ type: 'get-settings' }),
    undefined,
  )) as { settings: { allowlist: string[] } };
  return reply.settings.allowlist;
}

test('an amber page: the headline, the host list and the copied report name the flagged host first', async ({
  ext,
  web,
}) => {
  const tab = await ext.open(
    web.urlFor('cloudflare.test', '/page-with?hosts=telecom.test,clean-a.test,clean-b.test'),
  );
  const badge = await ext.waitForBadge(tab.id, '1');
  expect(badge.color).toBe(AMBER);

  const popup = await ext.popup(tab.id);
  await popup.waitForText(
    'verdict',
    "1 of 3 other hosts this page loads from is on China Telecom's network.",
  );
  expect(await popup.attributesOf('[data-testid="verdict"]', 'data-tone')).toEqual(['third-party']);
  expect(await popup.text('site-verdict')).toBe('cloudflare.test is not on a watched network.');
  // The flagged host, right under the headline: before what to do and the buttons.
  const rows = await hostRows(popup);
  expect([...rows.keys()][0]).toBe('telecom.test');
  expect(await partsInOrder(popup)).toEqual(['verdict', 'page-hosts', 'next-steps', 'actions']);
  expect(await popup.text('next-steps')).toBe(
    'What you can do: read what a match means below, allowlist the site if you trust it, or report a wrong result.',
  );

  const report = await copiedReport(popup);
  expect(report).toContain(
    'Verdict: 1 of 3 other hosts this page loads from is flagged (China Telecom); the site itself: clean\n' +
      'Flagged hosts this page loads from:\n' +
      '- telecom.test: China Telecom\n' +
      `  - ${ADDRESSES.chinaTelecomV4} (from `,
  );
  expect(report.indexOf('telecom.test')).toBeLessThan(report.indexOf('Addresses:'));
  expect(report).not.toContain('Verdict: clean');

  const href = await popup.linkHref('Report a wrong result');
  const body = new URL(href!).searchParams.get('body') ?? '';
  expect(body).toContain('Verdict: 1 of 3 other hosts this page loads from is flagged');
  expect(body).toContain('- telecom.test: China Telecom');
});

test('a match on low-confidence entries only looks different from a sure one: badge and headline', async ({
  ext,
  web,
}) => {
  // A test entry of low confidence: Cloudflare's AS13335 in a group of its own.
  await ext.updateSettings((s) => ({
    ...s,
    watchlist: {
      groups: [
        ...s.watchlist.groups,
        {
          id: 'test-low',
          name: 'Test Low',
          code: 'TL',
          enabled: true,
          builtin: false,
          asns: [{ asn: 13335, note: 'a test entry of low confidence', confidence: 'low' }],
          prefixes: [],
        },
      ],
    },
  }));
  const probable = await ext.open(web.urlFor('cloudflare.test'));
  const probableBadge = await ext.waitForBadge(probable.id, 'TL?');
  expect(probableBadge.color).toBe(PURPLE);
  expect(probableBadge.title).toMatch(/cloudflare\.test is probably on Test Low/);

  const sure = await ext.open(web.urlFor('telecom.test'));
  const sureBadge = await ext.waitForBadge(sure.id, 'CT');
  expect(sureBadge.color).toBe(BADGE_RED);

  const probablePopup = await ext.popup(probable.id);
  await probablePopup.waitForText(
    'verdict',
    'cloudflare.test is probably hosted on Test Low, but only low-confidence entries say so. Why: AS13335, a test entry of low confidence.',
  );
  // Copied while this popup is the focused page: Firefox lets only that one write the clipboard.
  const report = await copiedReport(probablePopup);
  expect(report).toContain('Verdict: flagged, probably: low-confidence entries only (Test Low)');
  const surePopup = await ext.popup(sure.id);
  await surePopup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');

  const look = (popup: UiPage) =>
    popup.page.evaluate(() => {
      const el = document.querySelector('[data-testid="verdict"]')!;
      const style = getComputedStyle(el);
      return {
        tone: el.getAttribute('data-tone'),
        background: style.backgroundColor,
        border: style.borderTopStyle,
      };
    }, undefined);
  const [probableLook, sureLook] = [await look(probablePopup), await look(surePopup)];
  expect(probableLook.tone).toBe('probable');
  expect(sureLook.tone).toBe('flagged');
  expect(probableLook.background).not.toBe(sureLook.background);
  // Not colour alone: the probable headline has a dashed edge.
  expect(probableLook.border).toBe('dashed');
  expect(sureLook.border).not.toBe('dashed');
});

test("an allowlisted site's popup, opened later, offers Remove; the site is checked again", async ({
  ext,
  web,
}) => {
  await ext.updateSettings((s) => ({ ...s, allowlist: ['example.org', 'telecom.test'] }));
  const tab = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(tab.id, (b) => b.text === '' && /allowlist/.test(b.title));

  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test is on your allowlist, so it was not checked.');
  await popup.pressOn('[data-testid="actions"] button[data-action="remove-allowlist"]', 'Enter');
  await popup.waitForText(
    'action-feedback',
    'telecom.test is off your allowlist: telecom.test is checked again.',
  );
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  expect((await ext.waitForBadge(tab.id, 'CT')).color).toBe(BADGE_RED);
  expect(await allowlist(ext)).toEqual(['example.org']);
});
