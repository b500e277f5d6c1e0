/**
 * The background stops when the browser wants it to, and CarrierFlag loses nothing. Chromium's MV3
 * service worker is stopped for real through CDP; Firefox's event page is left to the browser's own
 * idle timeout (lowered here so the file does not wait 30 s), and woken by the next navigation.
 */
import { expect, test } from './fixtures';
import { hostRows } from './support/host-rows';

// A worker option: this file gets a browser of its own, launched with this idle timeout (Firefox).
test.use({ backgroundIdleTimeoutMs: 2000 });

test('a stopped background is really gone, and a navigation starts a fresh one', async ({
  ext,
  web,
}) => {
  await ext.evaluateInBackground((scope) => {
    scope.e2eMarker = 42;
  }, undefined);
  expect(await ext.isBackgroundRunning()).toBe(true);
  await ext.stopBackground();
  expect(await ext.isBackgroundRunning()).toBe(false);

  const tab = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBackgroundRunning();
  await ext.waitForBadge(tab.id, 'CT');
  const marker = await ext.evaluateInBackground(async (scope) => {
    await scope.carrierflagReady;
    return scope.e2eMarker ?? null;
  }, undefined);
  // A fresh background: module state from before the stop is gone.
  expect(marker).toBeNull();
});

test('keeps every verdict when the background stops mid-session', async ({ ext, web }) => {
  const first = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(first.id, 'CT');

  await ext.stopBackground();
  expect(await ext.isBackgroundRunning()).toBe(false);

  const second = await ext.open(web.urlFor('unicom.test'));
  await ext.waitForBadge(second.id, 'CU');
  // The first tab's verdict survived in storage.session: the popup still explains it.
  const popup = await ext.popup(first.id);
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  await popup.close();
  // And the restarted background still evaluates the first tab's next page.
  await first.goto(web.urlFor('mobile.test'));
  await ext.waitForBadge(first.id, 'CM');
});

test("a page's judged hosts survive a stopped background, without a new query", async ({
  ext,
  web,
  doh,
}) => {
  const tab = await ext.open(
    web.urlFor('cloudflare.test', '/page-with?hosts=telecom.test,site.test'),
  );
  await ext.waitForBadge(tab.id, '1');
  const firstPopup = await ext.popup(tab.id);
  const before = (await hostRows(firstPopup)).get('telecom.test');
  expect(before).toMatch(/on China Telecom/);
  await firstPopup.close();
  await doh.clearQueries();
  await ext.stopBackground();
  // The popup's message wakes a new background, which has only the session store to go on.
  const popup = await ext.popup(tab.id);
  await ext.waitForBackgroundRunning();
  const rows = await hostRows(popup);
  expect([...rows.keys()].sort()).toEqual(['site.test', 'telecom.test']);
  expect(rows.get('telecom.test')).toBe(before);
  expect((await doh.queries()).map((q) => q.name)).not.toContain('telecom.test');
  expect((await ext.waitForBadge(tab.id, '1')).color).toBe('#b45f06');
});
