/**
 * The settings page's routing data section, driven the user's way: the sources typed one address
 * a line and saved, "Update now" clicked and its outcome awaited.
 */
import type { UiPage } from './ui-page';

/**
 * An update reads 32 MB of CSV and builds half a million ranges in the worker: a few seconds on an
 * idle machine, a minute or more on a loaded 2-core one. A ceiling, not an expectation.
 */
export const UPDATE_CEILING_MS = 420_000;

/** Opens the settings page and saves `sources` as the routing data sources. */
export async function settingsWithSources(
  ext: { options(): Promise<UiPage> },
  sources: readonly string[],
): Promise<UiPage> {
  const page = await ext.options();
  await page.waitForText('data-source', /.+/);
  await page.fill('Routing data sources', sources.join('\n'));
  await page.click('Save sources');
  await page.waitForVisibleText('Saved.');
  return page;
}

/** Clicks "Update now" and waits for an outcome matching `outcome` (the page shows it when done). */
export async function updateNow(page: UiPage, outcome: RegExp): Promise<string> {
  await page.click('Update now');
  return page.waitForText('update-outcome', outcome, { timeoutMs: UPDATE_CEILING_MS });
}
