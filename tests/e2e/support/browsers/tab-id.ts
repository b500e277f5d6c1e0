import { waitUntil } from '../wait';
import type { DriverPage } from './types';

/**
 * The id of the one tab showing `url`, read from an extension page with `tabs.query` (which needs no
 * `tabs` permission for pages the extension has host permission for). Throws unless exactly one
 * tab matches.
 */
export async function findTabId(api: DriverPage, url: string): Promise<number> {
  let found: number[] = [];
  return waitUntil(
    async () => {
      found = await api.evaluate(async (target) => {
        const ext =
          (globalThis as { browser?: unknown; chrome?: unknown }).browser ??
          (globalThis as { chrome?: unknown }).chrome;
        const tabs = await (
          ext as { tabs: { query(q: object): Promise<{ id?: number; url?: string }[]> } }
        ).tabs.query({});
        return tabs.flatMap((t) => (t.url === target && t.id !== undefined ? [t.id] : []));
      }, url);
      return found.length === 1 ? found[0] : undefined;
    },
    { what: `exactly one tab showing ${url}`, last: () => `${found.length} tabs` },
  );
}
