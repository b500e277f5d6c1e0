/**
 * The popup as a person reads and uses it, in Chromium and Firefox: the plain sentence per flagged
 * address (carrier, network, confidence), the `?` explained with what to do, and the actions
 * (allowlist with undo, copy report, report a wrong result). English UI (the browsers' default).
 */
import { ISSUE_TRACKER_URL } from '../../lib/project';
import { ADDRESSES, DEFAULT_RECORDS, expect, test, type Ext, type UiPage } from './fixtures';
import type { DohRecord } from './support/doh-server';
import { hostRows } from './support/host-rows';
import { pageLayout } from './support/layout';
import { openDetails } from './support/popup-details';

/** The popup's fixed width (`.popup` in assets/styles.css): compact, within the 360–420 px asked. */
const POPUP_WIDTH_PX = { min: 360, max: 420 };
/** Body text no smaller than this (Chromium once shrank it to 10.5 px). */
const MIN_TEXT_PX = 13;

/** AS4847 China Networks Inter-Exchange: a China Telecom entry of low confidence. */
const LOW_CONFIDENCE_V4 = '1.119.128.1';

// An array value must be wrapped: Playwright reads a bare array as [value, fixture options].
test.use({
  dohRecords: [
    [
      ...DEFAULT_RECORDS,
      { name: 'lowconf.test', type: 'A', value: LOW_CONFIDENCE_V4 } satisfies DohRecord,
    ],
    { scope: 'worker' },
  ],
});

/** Presses Enter on a popup button: a real key press, so the page gets a user activation. */
async function press(popup: UiPage, buttonText: string): Promise<void> {
  await popup.pressOn(`[data-testid="actions"] button[data-action="${buttonText}"]`, 'Enter');
}

test('a flagged site: one sentence with carrier, network and confidence; details one click away', async ({
  ext,
  web,
}) => {
  const tab = await ext.open(web.urlFor('telecom.test'));
  const badge = await ext.waitForBadge(tab.id, 'CT');
  expect(badge.title).toContain('high confidence');

  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  const sentences = await popup.texts('sentence');
  expect(sentences).toHaveLength(1);
  expect(sentences[0]).toMatch(
    new RegExp(
      `^${ADDRESSES.chinaTelecomV4.replace(/\./g, '\\.')} is on Chinanet \\(AS4134\\), .*China Telecom's .* — China Telecom, high confidence\\.$`,
    ),
  );
  expect(await popup.texts('low-confidence')).toEqual([]);
  expect(await popup.text('caveat')).toMatch(
    /who routes an address, not always who runs the server/,
  );

  // The experts' details start folded; opened, they give the range as CIDR and the entry.
  expect(await popup.attributesOf('[data-testid="details"]', 'open')).toEqual([null]);
  await openDetails(popup);
  await popup.waitForVisibleText(/range 1\.48\.\d+\.\d+\/\d+/);
  const row = (await popup.texts('address-row')).find((r) => r.includes(ADDRESSES.chinaTelecomV4));
  expect(row).toContain('DNS-over-HTTPS query');
  expect(row).toContain('China Telecom (AS4134 is on the list, high confidence)');
  expect(await popup.text('dataset')).toMatch(
    /^Routing data: @ip-location-db\/asn .*, published 20/,
  );
});

test('readable and compact: 14 px text, a fixed narrow width, hosts past three folded behind "Show all"', async ({
  ext,
  web,
}) => {
  // Four flagged third parties and two clean ones: a page a dozen hosts long, in small.
  const hosts = 'mobile.test,unicom.test,mixed.test,v6only.test,cloudflare.test,site.test';
  const tab = await ext.open(web.urlFor('telecom.test', `/page-with?hosts=${hosts}`));
  await ext.waitForBadge(tab.id, 'CT');
  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  const rows = await hostRows(popup);
  expect(rows.size).toBe(6);

  const folded = await pageLayout(popup, '[data-testid="verdict"]');
  expect(folded.bodyFontPx).toBeGreaterThanOrEqual(MIN_TEXT_PX);
  expect(folded.textFontPx).toBeGreaterThanOrEqual(MIN_TEXT_PX);
  expect(folded.mainWidth).toBeGreaterThanOrEqual(POPUP_WIDTH_PX.min);
  expect(folded.mainWidth).toBeLessThanOrEqual(POPUP_WIDTH_PX.max);
  expect(folded.mainScrollWidth).toBeLessThanOrEqual(Math.ceil(folded.mainWidth));

  // Flagged hosts first; three rows, then the toggle.
  const toggle = '[data-testid="page-hosts-toggle"]';
  expect(await popup.textsOf('[data-testid="page-host"] .host-name')).toHaveLength(3);
  expect(await popup.textsOf(toggle)).toEqual(['Show all 6 hosts']);
  await popup.pressOn(toggle, 'Enter');
  await popup.waitForVisibleText('cloudflare.test');
  const shown = await popup.textsOf('[data-testid="page-host"] .host-name');
  expect(shown).toHaveLength(6);
  expect(shown.slice(4).sort()).toEqual(['cloudflare.test', 'site.test']);
  expect(await popup.attributesOf(toggle, 'aria-expanded')).toEqual(['true']);

  // Opened, with the experts' table too, it still fits its width: it grows down, not sideways.
  await openDetails(popup);
  const open = await pageLayout(popup, '[data-testid="page-host"]');
  expect(open.textFontPx).toBeGreaterThanOrEqual(MIN_TEXT_PX);
  expect(open.mainWidth).toBeLessThanOrEqual(POPUP_WIDTH_PX.max);
  expect(open.mainScrollWidth).toBeLessThanOrEqual(Math.ceil(open.mainWidth));
});

test('an address matched only by a low-confidence entry: "probably", and why, in the headline', async ({
  ext,
  web,
}) => {
  const tab = await ext.open(web.urlFor('lowconf.test'));
  const badge = await ext.waitForBadge(tab.id, 'CT?');
  expect(badge.title).toMatch(/^CarrierFlag: lowconf\.test is probably on China Telecom/);
  const popup = await ext.popup(tab.id);
  await popup.waitForText(
    'verdict',
    'lowconf.test is probably hosted on China Telecom, but only low-confidence entries say so. ' +
      'Why: AS4847, China Networks Inter-Exchange, a network on address space registered to China Telecom.',
  );
  const [sentence] = await popup.texts('sentence');
  expect(sentence).toContain(`${LOW_CONFIDENCE_V4} is on China Networks Inter-Exchange (AS4847)`);
  expect(sentence).toContain('— China Telecom, low confidence.');
  // The headline says it already: the sentence does not repeat "Low confidence: …".
  expect(await popup.texts('low-confidence')).toEqual([]);
});

test('"Allowlist this site" clears the badge; Undo brings the previous allowlist and the badge back', async ({
  ext,
  web,
}) => {
  await ext.updateSettings((s) => ({ ...s, allowlist: ['example.org'] }));
  const tab = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(tab.id, 'CT');
  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');

  await popup.click('Allowlist this site');
  await popup.waitForText('verdict', 'telecom.test is on your allowlist, so it was not checked.');
  await popup.waitForText('action-feedback', 'telecom.test is now on your allowlist.');
  const cleared = await ext.waitForBadge(tab.id, (b) => b.text === '' && /allowlist/.test(b.title));
  expect(cleared.title).toBe('CarrierFlag: telecom.test is on your allowlist (not checked)');
  expect(await allowlist(ext)).toEqual(['example.org', 'telecom.test']);

  await popup.click('Undo');
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  await popup.waitForText('action-feedback', 'telecom.test is off your allowlist again.');
  await ext.waitForBadge(tab.id, 'CT');
  expect(await allowlist(ext)).toEqual(['example.org']);
});

async function allowlist(ext: Ext): Promise<string[]> {
  const reply = (await ext.callApi(
    (api) => api.runtime.sendMessage({ type: 'get-settings' }),
    undefined,
  )) as { settings: { allowlist: string[] } };
  return reply.settings.allowlist;
}

test('"Copy report" puts the plain-text report on the clipboard and says "Copied"', async ({
  ext,
  web,
}) => {
  const tab = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(tab.id, 'CT');
  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  // Keep what the page hands the clipboard (reading the clipboard back needs a permission the
  // extension does not ask for); the real writeText still runs and must succeed.
  await popup.page.evaluate(() => {
    const clipboard = navigator.clipboard;
    const write = clipboard.writeText.bind(clipboard);
    clipboard.writeText = async (text: string) => {
      (window as { e2eCopied?: string }).e2eCopied = text;
      return write(text);
    };
  }, undefined);
  await press(popup, 'copy');
  await popup.waitForText('action-feedback', 'Copied');
  const copied = await popup.page.evaluate(
    () => (window as { e2eCopied?: string }).e2eCopied ?? null,
    undefined,
  );
  expect(copied).toContain('Site: telecom.test');
  expect(copied).toContain('Verdict: flagged (China Telecom)');
  expect(copied).toMatch(/- 1\.48\.0\.1 \(from DNS-over-HTTPS.*\): AS4134 Chinanet, range 1\.48\./);
  expect(copied).toContain('China Telecom (AS4134, high confidence)');
});

test('"Report a wrong result" links to the issue tracker with the report prefilled', async ({
  ext,
  web,
}) => {
  const tab = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(tab.id, 'CT');
  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  const href = await popup.linkHref('Report a wrong result');
  expect(href).not.toBeNull();
  const url = new URL(href!);
  expect(`${url.origin}${url.pathname}`).toBe(ISSUE_TRACKER_URL);
  expect(url.searchParams.get('title')).toBe('Wrong result for telecom.test');
  expect(url.searchParams.get('body')).toContain('Site: telecom.test');
  expect(href!.length).toBeLessThan(8000);
  expect(await popup.attributesOf('[data-testid="report-link"]', 'target')).toEqual(['_blank']);
});

test('a resolver that does not answer: the ? popup says what happened and what to do', async ({
  ext,
  web,
  stubs,
}) => {
  await ext.updateSettings((s) => ({ ...s, resolver: { kind: 'custom', url: stubs.hang.url } }));
  const tab = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(tab.id, '?', { timeoutMs: 60_000 });
  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test could not be checked.');
  expect(await popup.text('problem-hint')).toBe(
    'The resolver did not answer. Check it in Settings → Resolver.',
  );
  await openDetails(popup);
  expect(await popup.text('problem-detail')).toMatch(/^What went wrong: .*within 5000 ms/);
});
