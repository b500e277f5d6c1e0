/**
 * The background under the stress a busy browser creates, in Chromium and Firefox: a session store
 * filled to its quota by something else, and navigations that never commit. Every assertion reads
 * what a user sees (badge, popup).
 */
import { expect, test, type Ext } from './fixtures';

/** Bytes left free: less than any tab report or DNS cache entry needs. */
const LEFT_FREE = 100;

/**
 * Fills storage.session (about 10 MB; the background shares the area) from an extension page, to
 * within LEFT_FREE bytes, in 1 MB steps and one exact last write (each write costs about half a
 * second on a busy machine, so no byte-by-byte probing). The browsers count key length plus JSON
 * length, so a string of n characters costs n + 2 plus its key. Returns null where the browser
 * does not report the area's quota and use (then it cannot be filled to a known edge).
 */
async function fillSessionStorage(ext: Ext): Promise<{ used: number; refused: boolean } | null> {
  return ext.callApi(async (api, leftFree) => {
    const session = api.storage.session as unknown as {
      QUOTA_BYTES?: number;
      set(items: object): Promise<void>;
      getBytesInUse?(keys: null): Promise<number>;
    };
    if (typeof session.QUOTA_BYTES !== 'number' || typeof session.getBytesInUse !== 'function') {
      return null;
    }
    for (let n = 0; ; n++) {
      const key = `filler:${n}`;
      const room = session.QUOTA_BYTES - (await session.getBytesInUse(null)) - leftFree;
      const size = Math.min(1_000_000, room - key.length - 2);
      if (size <= 0) break;
      await session.set({ [key]: 'x'.repeat(size) });
    }
    const refused = await session.set({ probe: 'x'.repeat(leftFree) }).then(
      () => false,
      () => true,
    );
    return { used: await session.getBytesInUse(null), refused };
  }, LEFT_FREE);
}

test('a full session store: a flagged site still shows its code, and the popup says the result was not saved', async ({
  ext,
  web,
}) => {
  const filled = await fillSessionStorage(ext);
  test.skip(filled === null, `${ext.kind} does not report storage.session's quota and use`);
  expect(filled!.used).toBeGreaterThan(10_000_000);
  expect(filled!.refused).toBe(true);
  const tab = await ext.open(web.urlFor('telecom.test'));
  // Text, colour and title are three calls: wait for all of them, not the text alone.
  await ext.waitForBadge(tab.id, (b) => b.text === 'CT' && b.title.includes('China Telecom'));

  const popup = await ext.popup(tab.id);
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
  expect(await popup.text('not-saved')).toContain('could not save this result');
});

test('a link answering 204 on another host keeps the shown page’s badge and popup', async ({
  ext,
  web,
  doh,
}) => {
  const start = web.urlFor(
    'telecom.test',
    `/link?to=${encodeURIComponent(web.urlFor('cloudflare.test', '/no-content'))}`,
  );
  const tab = await ext.open(start);
  await ext.waitForBadge(tab.id, 'CT');

  // A link the user clicks: the navigation starts, gets its 204 response and never commits.
  await tab.clickLink('follow');
  // Signals that the background saw the navigation: the 204 was served and its DoH query answered.
  await expect
    .poll(() =>
      web.requests().some((r) => r.host === 'cloudflare.test' && r.path === '/no-content'),
    )
    .toBe(true);
  await expect
    .poll(async () => (await doh.queries()).some((q) => q.name === 'cloudflare.test' && q.rcode))
    .toBe(true);

  expect(await tab.url()).toBe(start);
  expect((await ext.badge(tab.id)).text).toBe('CT');
  const popup = await ext.popup(tab.id);
  // The popup names the page the tab shows (telecom.test), not the 204's host.
  await popup.waitForText('verdict', 'telecom.test is hosted on China Telecom.');
});
