import { waitUntil } from '../wait';
import type { DriverPage } from './types';

interface TabInfo {
  id?: number;
  url?: string;
}

async function listTabs(api: DriverPage): Promise<TabInfo[]> {
  return api.evaluate(async () => {
    const ext =
      (globalThis as { browser?: unknown; chrome?: unknown }).browser ??
      (globalThis as { chrome?: unknown }).chrome;
    const tabs = await (ext as { tabs: { query(q: object): Promise<TabInfo[]> } }).tabs.query({});
    return tabs.map((t) => ({ id: t.id, url: t.url }));
  }, undefined);
}

/** The URL the browser says tab `id` shows ('' when hidden or closed). */
export async function tabUrl(api: DriverPage, id: number): Promise<string> {
  return (await listTabs(api)).find((t) => t.id === id)?.url ?? '';
}

/** The ids of every tab open now (for findTabId's `before`). */
export async function tabIds(api: DriverPage): Promise<number[]> {
  return (await listTabs(api)).flatMap((t) => (t.id !== undefined ? [t.id] : []));
}

/**
 * The id of the one tab showing `url`, read from an extension page with `tabs.query` (which needs no
 * `tabs` permission for pages the extension has host permission for). Throws unless exactly one
 * tab matches. Without host permission (Firefox lets the user withhold it) the browser hides every
 * web page's URL: given the tab ids open `before` the tab was opened, the one new tab whose URL is
 * hidden is taken instead.
 */
export async function findTabId(
  api: DriverPage,
  url: string,
  before?: readonly number[],
): Promise<number> {
  let found: number[] = [];
  return waitUntil(
    async () => {
      const tabs = await listTabs(api);
      found = tabs.flatMap((t) => (t.url === url && t.id !== undefined ? [t.id] : []));
      if (found.length === 1) return found[0];
      if (!before || found.length > 0) return undefined;
      const hidden = tabs.filter(
        (t) => t.id !== undefined && t.url === undefined && !before.includes(t.id),
      );
      return hidden.length === 1 ? hidden[0]!.id : undefined;
    },
    { what: `exactly one tab showing ${url}`, last: () => `${found.length} tabs` },
  );
}
