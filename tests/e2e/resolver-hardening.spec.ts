/**
 * Issue 6 §2, in the real browser: a resolver that redirects is refused (and the redirect target
 * never asked), an endless answer is cut off early, and a lost first query is asked again, the
 * popup saying so. The stubs (support/redirect-doh.ts) start once per file, in Chromium and Firefox.
 */
import { ADDRESSES, expect, test } from './fixtures';
import {
  ENDLESS_LIMIT,
  startTransportFaultDoh,
  type TransportFaultDoh,
} from './support/redirect-doh';
import { openDetails } from './support/popup-details';

const ADDRESSES_SERVED = { 'telecom.test': ADDRESSES.chinaTelecomV4 };
const RETRIED_NOTE = 'The resolver answered on the second try.';

let redirecting: TransportFaultDoh;
let endless: TransportFaultDoh;
let hangFirst: TransportFaultDoh;
let breakFirst: TransportFaultDoh;

test.beforeAll(async ({ doh }) => {
  redirecting = await startTransportFaultDoh({ mode: 'redirect', redirectTo: doh.url });
  endless = await startTransportFaultDoh({ mode: 'endless-body' });
  hangFirst = await startTransportFaultDoh({ mode: 'hang-first', addresses: ADDRESSES_SERVED });
  breakFirst = await startTransportFaultDoh({ mode: 'break-first', addresses: ADDRESSES_SERVED });
});

test.afterAll(async () => {
  await Promise.all([redirecting, endless, hangFirst, breakFirst].map((s) => s?.stop()));
});

test.beforeEach(() => {
  for (const stub of [redirecting, endless, hangFirst, breakFirst]) stub.clear();
});

test('a resolver that redirects is refused, in words, and the target is never asked', async ({
  ext,
  web,
  doh,
}) => {
  await ext.useResolver(redirecting.url);
  await doh.clearQueries();
  const tab = await ext.open(web.urlFor('telecom.test'));
  const badge = await ext.waitForBadge(tab.id, '?');
  expect(badge.title).toMatch(/answered with a redirect.*Redirects are refused/);
  expect(redirecting.questions()).toContain('telecom.test A');
  expect((await doh.queries()).filter((q) => q.name === 'telecom.test')).toEqual([]);
});

test('an endless answer is refused and its download cut off early', async ({ ext, web }) => {
  await ext.useResolver(endless.url);
  const tab = await ext.open(web.urlFor('telecom.test'));
  const badge = await ext.waitForBadge(tab.id, '?', { timeoutMs: 30_000 });
  expect(badge.title).toMatch(/longer than a DNS message can be/);
  await endless.closedBodies(2); // A and AAAA
  // The browser cancelled the download instead of taking the whole body. How much the network
  // service read ahead from the loopback socket before the cancel reached it depends on load
  // (a few MB when idle, 64 MB seen with both cores busy), so that is not bounded here; the
  // client's own memory bound is the unit test's ("cancels a 100 MB streamed body …").
  for (const sent of endless.bodyBytesAtClose()) expect(sent).toBeLessThan(ENDLESS_LIMIT);
});

for (const [label, stub] of [
  ['never answered (a dropped packet)', () => hangFirst],
  ['broken off mid-answer', () => breakFirst],
] as const) {
  test(`a first query ${label} is asked again, and the popup says so`, async ({ ext, web }) => {
    await ext.useResolver(stub().url);
    const tab = await ext.open(web.urlFor('telecom.test'));
    await ext.waitForBadge(tab.id, 'CT', { timeoutMs: 30_000 });
    expect(
      stub()
        .questions()
        .filter((q) => q === 'telecom.test A'),
    ).toHaveLength(2);
    const popup = await ext.popup(tab.id);
    await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
    // The retry note is expert detail: it lives in "Details for experts".
    await openDetails(popup);
    expect(await popup.text('dns-retried')).toBe(RETRIED_NOTE);
  });
}

test('a first-try answer shows no retry line', async ({ ext, web }) => {
  const tab = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(tab.id, 'CT');
  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  await openDetails(popup);
  expect(await popup.texts('dns-retried')).toEqual([]);
});
