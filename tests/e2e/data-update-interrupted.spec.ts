/**
 * An update interrupted at any moment leaves a whole table (issue 9): the background is stopped
 * at random points of ten updates, in Chromium (CDP) and Firefox (about:debugging's terminate
 * call), and each time the restarted background must serve either the table it had before or
 * the new one, whole: no problem reported, a publication date that is one of the two, and the
 * moved address judged as that version's data says.
 *
 * The routing data server publishes a newer version before each round, with 1.1.1.1 alternately
 * China Telecom's and back to Cloudflare's, so the date and the verdict tell the versions apart.
 * Half the stops fall anywhere in the update (download, build, checks, the switch), half while the
 * new table is being saved: the only step where a mix could arise. The moments come from a seeded
 * generator; the seed is in the test's annotations, and E2E_UPDATE_STOP_SEED repeats a run.
 */
import type { EngineStatus } from '../../lib/messages';
import { seededRandom } from '../unit/watchlist/fixtures';
import { DEFAULT_RECORDS, expect, test, type Ext } from './fixtures';
import {
  MOVED_ADDRESS,
  startRoutingDataServer,
  type RoutingDataServer,
} from './support/routing-data-server';
import { waitUntil } from './support/wait';

// Its own browser (a worker option no other file uses): every round changes the stored table.
test.use({
  dohRecords: [
    [...DEFAULT_RECORDS, { name: 'switching.test', type: 'A', value: MOVED_ADDRESS }],
    { scope: 'worker' },
  ],
});

const ROUNDS = 10;
/** An update on a loaded 2-core machine can take minutes (see data-update.spec.ts): a ceiling. */
const UPDATE_CEILING_MS = 420_000;
test.describe.configure({ timeout: (ROUNDS + 1) * (UPDATE_CEILING_MS / 4) + 120_000 });

let routing: RoutingDataServer;
test.beforeAll(async () => {
  routing = await startRoutingDataServer();
});
test.afterAll(async () => {
  await routing?.close();
});

const status = (ext: Ext) =>
  ext.callApi(
    (api) => api.runtime.sendMessage({ type: 'get-status' }) as Promise<EngineStatus>,
    undefined,
  );

/**
 * Starts an update and resolves once the background reports it running (or already ended), not
 * when it ends: the background may be stopped before it answers.
 */
async function startUpdate(ext: Ext): Promise<void> {
  const before = (await status(ext)).dataUpdate?.last?.at ?? null;
  await ext.callApi((api) => {
    void api.runtime.sendMessage({ type: 'update-data-now' }).catch(() => undefined);
    return true;
  }, undefined);
  await waitUntil(
    async () => {
      const { dataUpdate } = await status(ext);
      return dataUpdate?.running === true || (dataUpdate?.last?.at ?? null) !== before;
    },
    { what: 'the update to start' },
  );
}

/** Waits until the running update reports `storing`, or has ended; true if it was seen storing. */
async function untilStoringOrDone(ext: Ext): Promise<boolean> {
  return waitUntil(
    async () => {
      const { dataUpdate } = await status(ext);
      if (dataUpdate?.progress?.phase === 'storing') return 'storing';
      return dataUpdate?.running === false ? 'done' : undefined;
    },
    { what: 'the update to start saving or end', timeoutMs: UPDATE_CEILING_MS },
  ).then((seen) => seen === 'storing');
}

/**
 * The table the restarted background serves. A message wakes Chromium's worker; Firefox's event
 * page is woken through runtime.getBackgroundPage first.
 */
async function tableInUse(ext: Ext): Promise<{ publishedAt: number | null; status: EngineStatus }> {
  if (ext.kind === 'firefox') {
    await ext.evaluateInBackground(async (scope) => {
      await scope.carrierflagReady;
    }, undefined);
  }
  const current = await waitUntil(() => status(ext), { what: 'the background to answer' });
  return { publishedAt: current.dataUpdate?.table?.publishedAt ?? null, status: current };
}

test('a background stopped at random points of an update always keeps a whole table, old or new', async ({
  ext,
  web,
}) => {
  const seed = Number(process.env.E2E_UPDATE_STOP_SEED ?? Date.now() % 1_000_000);
  test.info().annotations.push({ type: 'seed', description: String(seed) });
  const random = seededRandom(seed);

  await ext.callApi(
    (api, sourceUrl) =>
      api.runtime.sendMessage({
        type: 'save-data-update-settings',
        dataUpdate: { automatic: false, sources: [sourceUrl] },
      }),
    routing.url,
  );
  /** Which versions moved the address: by publication time (null: the bundled data, unmoved). */
  const movedIn = new Map<number | null, boolean>([[null, false]]);
  const bundled = await tableInUse(ext);
  movedIn.set(bundled.publishedAt, false);

  // Round 0 runs to the end: it measures how long an update and its switch take here.
  const firstPublishedAt = routing.publishNewer({ moved: true });
  movedIn.set(firstPublishedAt, true);
  const started = Date.now();
  await startUpdate(ext);
  const seenStoring = await untilStoringOrDone(ext);
  const storingFrom = Date.now();
  await waitUntil(async () => (await status(ext)).dataUpdate?.running === false, {
    what: 'the first update to end',
    timeoutMs: UPDATE_CEILING_MS,
  });
  const updateMs = Date.now() - started;
  const firstOutcome = (await status(ext)).dataUpdate?.last;
  expect(firstOutcome?.result, firstOutcome?.message).toBe('updated');
  // The save is short: on a busy machine a status poll (a message round trip) can miss it all.
  // Then its length is not known; a quarter of the update is a generous stand-in (a stop that
  // falls after the save is still a valid round: the new table must then be whole).
  const storeMs = seenStoring
    ? Math.max(50, Date.now() - storingFrom)
    : Math.max(50, Math.round(updateMs / 4));
  test.info().annotations.push({
    type: 'save length',
    description: seenStoring ? `${storeMs} ms, seen` : `not seen by a poll; ${storeMs} ms assumed`,
  });
  expect((await tableInUse(ext)).publishedAt).toBe(firstPublishedAt);

  const outcomes: string[] = [];
  let previous = firstPublishedAt;
  for (let round = 1; round <= ROUNDS; round++) {
    const moved = round % 2 === 0;
    const next = routing.publishNewer({ moved });
    movedIn.set(next, moved);
    const whileStoring = round % 2 === 1;
    await startUpdate(ext);
    let stopAfterMs: number;
    if (whileStoring) {
      await untilStoringOrDone(ext);
      stopAfterMs = Math.round(random() * 1.5 * storeMs);
    } else {
      stopAfterMs = Math.round(random() * 1.1 * updateMs);
    }
    // The stop moment itself is the random input under test, not a wait for something to happen.
    await new Promise((done) => setTimeout(done, stopAfterMs));
    await ext.terminateBackground();

    const after = await tableInUse(ext);
    const where = `round ${round} (seed ${seed}, stopped ${stopAfterMs} ms ${whileStoring ? 'into saving' : 'after the start'})`;
    expect(after.status.problems, where).toEqual([]);
    expect(after.status.tableOrigin, where).toBe('indexeddb');
    expect([previous, next], where).toContain(after.publishedAt);
    // The data is that version's, whole: the moved address is judged as its version says.
    const tab = await ext.open(web.urlFor('switching.test', `/round-${round}`));
    // Any settled verdict (flagged, clean, or could not be checked), so a wrong one shows as such.
    const badge = await ext.waitForBadge(tab.id, (b) =>
      /switching\.test (is on |is not on a watched network|could not be checked)/.test(b.title),
    );
    expect(badge.text, where).toBe(movedIn.get(after.publishedAt) ? 'CT' : '');
    await tab.close();
    outcomes.push(after.publishedAt === next ? 'new' : 'old');
    previous = after.publishedAt!;
  }
  test.info().annotations.push({
    type: 'outcomes',
    description: `${outcomes.join(', ')} (update ${updateMs} ms, saving ${storeMs} ms)`,
  });
  // The stops really interrupted updates: some rounds kept the old table.
  expect(outcomes).toContain('old');
});
