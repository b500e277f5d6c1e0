import { waitUntil } from '../wait';

/** The first-run page's path in the built extension (entrypoints/welcome). */
export const FIRST_RUN_PAGE = 'welcome.html';
/** How long a launch waits for the first-run page before it records none. */
export const FIRST_RUN_WAIT_MS = 30_000;

/**
 * Waits until one of the browser's tabs shows the extension's first-run page (`tabUrls` lists what
 * each tab shows now); resolves to its URL and when it showed (ms since `launchStarted`), or null
 * if none did within FIRST_RUN_WAIT_MS. Null rather than a failed launch: the first-run spec says
 * what is missing, and every other spec still runs.
 */
export async function waitForFirstRunPage(
  tabUrls: () => Promise<string[]>,
  extensionBase: string,
  launchStarted: number,
): Promise<{ url: string; afterMs: number } | null> {
  const expected = `${extensionBase}${FIRST_RUN_PAGE}`;
  try {
    const url = await waitUntil(
      async () => (await tabUrls()).find((u) => u === expected || u.startsWith(`${expected}?`)),
      { what: `a tab to show ${expected}`, timeoutMs: FIRST_RUN_WAIT_MS },
    );
    return { url, afterMs: Date.now() - launchStarted };
  } catch {
    return null;
  }
}
