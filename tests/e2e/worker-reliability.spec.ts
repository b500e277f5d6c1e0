/**
 * The worker under stress a busy browser creates: a session store filled to its quota by something
 * else, and navigations that never commit. Every assertion reads what a user sees (badge, popup).
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** Bytes left free: less than any tab report or DNS cache entry needs. */
const LEFT_FREE = 100;

/**
 * Fills chrome.storage.session (about 10 MB in Chromium; it shares the area with the worker) from
 * an extension page, to within LEFT_FREE bytes, in 1 MB steps and one exact last write (each write
 * costs about half a second on a busy machine, so no byte-by-byte probing). Chromium counts key
 * length plus JSON length, so a string of n characters costs n + 2 plus its key.
 * Returns the bytes in use afterwards and whether a write of LEFT_FREE bytes is now refused.
 */
async function fillSessionStorage(apiPage: Page): Promise<{ used: number; refused: boolean }> {
  return apiPage.evaluate(async (leftFree) => {
    const { chrome } = globalThis as unknown as {
      chrome: {
        storage: {
          session: {
            QUOTA_BYTES: number;
            set(items: object): Promise<void>;
            getBytesInUse(keys: null): Promise<number>;
          };
        };
      };
    };
    const session = chrome.storage.session;
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

test.beforeEach(async ({ useResolver, doh }) => {
  await useResolver(doh.url);
});

test('a full session store: a flagged site still shows its code, and the popup says the result was not saved', async ({
  page,
  web,
  apiPage,
  tabIdOf,
  waitForBadge,
  openPopupFor,
}) => {
  test.slow(); // ten 1 MB writes: about 5 s on an idle machine, far more on a busy one
  const filled = await fillSessionStorage(apiPage);
  expect(filled.used).toBeGreaterThan(10_000_000);
  expect(filled.refused).toBe(true);
  await page.goto(web.urlFor('telecom.test'));
  const tabId = await tabIdOf(page);
  // Text, colour and title are three calls: wait for all of them, not the text alone.
  await waitForBadge(tabId, (b) => b.text === 'CT' && b.title.includes('China Telecom'));

  const popup = await openPopupFor(tabId);
  await expect(popup.getByTestId('verdict')).toHaveText('Flagged: hosted on China Telecom');
  await expect(popup.getByTestId('not-saved')).toContainText('could not save this result');
});

test('a link answering 204 on another host keeps the shown page’s badge and popup', async ({
  page,
  web,
  doh,
  tabIdOf,
  waitForBadge,
  badgeText,
  openPopupFor,
}) => {
  await page.goto(web.urlFor('telecom.test'));
  const tabId = await tabIdOf(page);
  await waitForBadge(tabId, 'CT');

  // A link the user clicks: the navigation starts, gets its 204 response and never commits.
  const target = web.urlFor('cloudflare.test', '/no-content');
  await page.evaluate((href) => {
    const link = document.createElement('a');
    link.href = href;
    link.textContent = 'nothing here';
    document.body.append(link);
    link.click();
  }, target);
  // Signals that the worker saw the navigation: the 204 was served and its DoH query answered.
  await expect
    .poll(() =>
      web.requests().some((r) => r.host === 'cloudflare.test' && r.path === '/no-content'),
    )
    .toBe(true);
  await expect
    .poll(async () => (await doh.queries()).some((q) => q.name === 'cloudflare.test' && q.rcode))
    .toBe(true);

  expect(page.url()).toBe(web.urlFor('telecom.test'));
  expect(await badgeText(tabId)).toBe('CT');
  const popup = await openPopupFor(tabId);
  await expect(popup.getByTestId('hostname')).toHaveText('telecom.test');
  await expect(popup.getByTestId('verdict')).toHaveText('Flagged: hosted on China Telecom');
});
