/**
 * Behind a proxy (issue 11), in Chromium and Firefox: the browser sends every page through a local
 * forward proxy on 127.0.0.2, so every page's connected address (details.ip) is the proxy's. The
 * popup must name the proxy apart from the site's addresses, judge the site by DoH alone, and in
 * privacy mode say the site could not be checked. Firefox names the proxy (details.proxyInfo);
 * Chromium does not, so there the extension recognises it by the repeated-address pattern: three
 * unrelated sites reached at one address that none of their DoH answers contains. Only sites whose
 * DoH answers are clean count (issue 23: a carrier site never explains a carrier address away).
 */
import { ADDRESSES, DEFAULT_RECORDS, expect, test } from './fixtures';
import { openDetails } from './support/popup-details';

const PROXY_HOST = '127.0.0.2';

// Worker options: this file gets a browser of its own, launched behind the forward proxy.
test.use({
  behindProxy: true,
  // An array value must be wrapped as [value, options], or Playwright takes it for a fixture.
  dohRecords: [
    [
      ...DEFAULT_RECORDS,
      { name: 'one.test', type: 'A', value: ADDRESSES.cloudflareV4 },
      { name: 'two.test', type: 'A', value: ADDRESSES.cloudflareV4 },
      { name: 'three.test', type: 'A', value: ADDRESSES.cloudflareV4 },
      { name: 'four.test', type: 'A', value: ADDRESSES.cloudflareV4 },
    ],
    { scope: 'worker' },
  ],
});

test('behind a proxy: the proxy is named apart, verdicts come from DoH, privacy mode cannot check', async ({
  ext,
  web,
  doh,
  forwardProxy,
}) => {
  // Three unrelated sites with clean DoH answers reached at the proxy's address, which none of
  // their answers has; then a carrier site.
  const first = await ext.open(web.urlFor('one.test'));
  await ext.open(web.urlFor('two.test'));
  await ext.open(web.urlFor('four.test'));
  const telecom = await ext.open(web.urlFor('telecom.test'));
  expect(forwardProxy!.requests().map((r) => r.target)).toEqual(
    expect.arrayContaining([`telecom.test:${web.port}`, `one.test:${web.port}`]),
  );

  // The carrier site is flagged from its DoH answer; the proxy is a separate fact.
  await ext.waitForBadge(telecom.id, 'CT');
  const telecomPopup = await ext.popup(telecom.id);
  await telecomPopup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  await telecomPopup.waitForText(
    'proxy',
    // Firefox names the proxy's port too (proxyInfo); Chromium's pattern knows only the address.
    new RegExp(
      `^Through a proxy: ${PROXY_HOST.replace(/\./g, '\\.')}( port \\d+)? \\(local address`,
    ),
  );
  await openDetails(telecomPopup);
  const telecomRows = await telecomPopup.texts('address-row');
  expect(telecomRows).toHaveLength(1);
  expect(telecomRows[0]).toContain(ADDRESSES.chinaTelecomV4);
  expect(telecomRows[0]).toContain('DNS-over-HTTPS');
  expect(telecomRows.join(' ')).not.toContain(PROXY_HOST);

  // A clean site is clean, with the proxy named apart again.
  const clean = await ext.open(web.urlFor('cloudflare.test'));
  const cleanPopup = await ext.popup(clean.id);
  await cleanPopup.waitForText('verdict', 'cloudflare.test is not on a watched network.');
  await cleanPopup.waitForText('proxy', new RegExp(`^Through a proxy: ${PROXY_HOST}`));
  expect((await cleanPopup.texts('address-row')).join(' ')).not.toContain(PROXY_HOST);
  expect((await ext.badge(clean.id)).text).toBe('');

  // The first tab (in Chromium judged before the proxy was recognised) is judged again.
  const firstPopup = await ext.popup(first.id);
  await firstPopup.waitForText('proxy', new RegExp(`^Through a proxy: ${PROXY_HOST}`));
  expect((await firstPopup.texts('address-row')).join(' ')).not.toContain(PROXY_HOST);

  // Privacy mode: no DoH, and the only address seen is the proxy's: the site cannot be checked.
  const options = await ext.options();
  await options.setChecked(/Privacy mode/, true);
  await options.waitForText('privacy-status', 'Privacy mode on: no DNS queries.');
  await options.close();
  const privately = await ext.open(web.urlFor('three.test'));
  await ext.waitForBadge(privately.id, '?');
  const privatePopup = await ext.popup(privately.id);
  await privatePopup.waitForText('verdict', 'three.test could not be checked.');
  expect(await privatePopup.text('problem-hint')).toMatch(/^The connection went through a proxy/);
  await openDetails(privatePopup);
  expect(await privatePopup.text('problem-detail')).toBe(
    `What went wrong: the connection went through a proxy (${PROXY_HOST}), so the site's own address was not seen`,
  );
  await privatePopup.waitForText('proxy', new RegExp(`^Through a proxy: ${PROXY_HOST}`));

  // The DoH resolver (https on 127.0.0.1) is loopback, which neither browser sends through a
  // proxy unless told to: the background's queries went straight to unbound.
  expect(forwardProxy!.requests().some((r) => r.target === `127.0.0.1:${doh.port}`)).toBe(false);
  expect((await doh.queries()).map((q) => q.name)).toContain('telecom.test');
});
