/**
 * The background stops when the browser wants it to, and CarrierFlag loses nothing. Chromium's MV3
 * service worker is stopped for real through CDP; Firefox's event page is left to the browser's own
 * idle timeout (lowered here so the file does not wait 30 s), and woken by the next navigation.
 */
import { expect, test } from './fixtures';

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
  await popup.waitForText('verdict', 'Flagged: hosted on China Telecom');
  await popup.close();
  // And the restarted background still evaluates the first tab's next page.
  await first.goto(web.urlFor('mobile.test'));
  await ext.waitForBadge(first.id, 'CM');
});
