/**
 * Old data is brought up to date without waiting for the weekly check (issue 19): with automatic
 * updates on and data older than 30 days, the worker checks a minute after it starts or after the
 * sources change (an alarm, so it survives the worker), and meanwhile the popup says it is checking
 * rather than calling the data stale. Chromium and Firefox, against the GitHub-like loopback release.
 *
 * A browser of this file's own (the `dohRecords` option): the update changes the stored table.
 */
import type { DataUpdateStatus } from '../../lib/data-update/service';
import { DEFAULT_RECORDS, expect, test } from './fixtures';
import { settingsWithSources } from './support/data-update-page';
import { waitUntil } from './support/wait';
import {
  MOVED_ADDRESS,
  startRoutingDataServer,
  type RoutingDataServer,
} from './support/routing-data-server';

test.use({
  dohRecords: [
    [...DEFAULT_RECORDS, { name: 'first-check.test', type: 'A', value: MOVED_ADDRESS }],
    { scope: 'worker' },
  ],
});

/** The alarm fires after a minute (browsers delay alarms, never advance them); then the update. */
const CHECK_CEILING_MS = 420_000;
test.describe.configure({ timeout: CHECK_CEILING_MS + 60_000 });

let routing: RoutingDataServer;
test.beforeAll(async () => {
  routing = await startRoutingDataServer();
});
test.afterAll(async () => {
  await routing?.close();
});

test('with automatic updates on, old data is checked within minutes, and the popup says so meanwhile', async ({
  ext,
  web,
}) => {
  routing.mode = 'good';
  routing.log.length = 0;
  const page = await settingsWithSources(ext, [routing.releaseUrl]);
  expect(await page.text('data-source')).toMatch(/bundled with the extension/);
  // Nothing is fetched while automatic updates are off (the test set-up's state).
  expect(routing.log).toEqual([]);
  await page.setChecked('Check for new routing data every week', true);

  const tab = await ext.open(web.urlFor('first-check.test'));
  const popup = await ext.popup(tab.id);
  await popup.waitForText('about-checking', 'Checking for newer routing data…');
  expect(await popup.text('about-stale')).toBeNull();

  // The signal: the worker's own status says the downloaded table is in use.
  let seen: DataUpdateStatus | undefined;
  const status = await waitUntil(
    async () => {
      seen = (await ext.callApi(
        (api) => api.runtime.sendMessage({ type: 'get-data-update-status' }),
        undefined,
      )) as DataUpdateStatus;
      return seen.table?.downloaded ? seen : undefined;
    },
    {
      what: 'the scheduled check to switch to the downloaded table',
      timeoutMs: CHECK_CEILING_MS,
      last: () => JSON.stringify({ running: seen?.running, last: seen?.last, log: routing.log }),
    },
  );
  expect(status.table?.source).toBe(routing.releaseUrl);
  expect(status.last?.message).toMatch(/^Updated to the data published on /);
  const newDate = new Date(routing.publishedAt).toISOString().slice(0, 10);
  const after = await ext.open(web.urlFor('first-check.test', '/after'));
  await ext.waitForBadge(after.id, 'CT');
  const fresh = await ext.popup(after.id);
  await fresh.waitForText('about-data', new RegExp(`published ${newDate}`));
  expect(await fresh.text('about-checking')).toBeNull();
  expect(await fresh.text('about-stale')).toBeNull();
});
