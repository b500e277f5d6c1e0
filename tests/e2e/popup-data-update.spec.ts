/**
 * Old routing data in the popup (issue 20 §2), in Chromium and Firefox: the popup offers "Update
 * now" beside the stale note instead of sending the user to the settings page, says "Checking for
 * newer routing data…" while the update runs, and the outcome once it ends. The test set-up's
 * bundled data is older than 30 days and automatic updates are off.
 *
 * A browser of this file's own (the `dohRecords` option): an update may change the stored table.
 */
import { DEFAULT_RECORDS, expect, test } from './fixtures';
import { settingsWithSources } from './support/data-update-page';
import { startRoutingDataServer, type RoutingDataServer } from './support/routing-data-server';

test.use({
  dohRecords: [
    [...DEFAULT_RECORDS, { name: 'popup-update.test', type: 'A', value: '1.1.1.1' }],
    { scope: 'worker' },
  ],
});

/** The download gives up after 20 s of silence; a loaded two-core machine adds to that. */
const HANG_CEILING_MS = 120_000;
test.describe.configure({ timeout: HANG_CEILING_MS + 60_000 });

let routing: RoutingDataServer;
test.beforeAll(async () => {
  routing = await startRoutingDataServer();
});
test.afterAll(async () => {
  await routing?.close();
});

test('stale data: the popup offers "Update now", says it is checking while it runs, then the outcome', async ({
  ext,
  web,
}) => {
  // A server that never answers: the update runs long enough to be seen, then fails with a reason.
  routing.mode = 'hang';
  const settings = await settingsWithSources(ext, [routing.url]);
  await settings.close();
  const tab = await ext.open(web.urlFor('popup-update.test'));
  const popup = await ext.popup(tab.id);
  await popup.waitForText('about-stale', /older than 30 days and automatic updates are off/);
  // Not an error: old data still works, and nothing failed.
  expect(await popup.attributesOf('[data-testid="about-stale"]', 'class')).toEqual([null]);
  expect(await popup.textsOf('[data-testid="update-now"]')).toEqual(['Update now']);

  await popup.pressOn('[data-testid="update-now"]', 'Enter');
  await popup.waitForText('about-checking', 'Checking for newer routing data…');
  expect(await popup.text('about-stale')).toBeNull();

  await popup.waitForText('about-update-failed', /the server sent nothing for 20 seconds/, {
    timeoutMs: HANG_CEILING_MS,
  });
  await popup.waitForText('about-stale', /because the last update failed/);
  expect(await popup.textsOf('[data-testid="update-now"]')).toEqual(['Update now']);
  expect(await popup.text('about-checking')).toBeNull();
});
