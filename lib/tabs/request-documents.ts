/**
 * Which tab a request belongs to, by the document that made it (`documentId`, which Chromium and
 * Firefox 153 both name), when the request's own `tabId` cannot be trusted, and which top-level
 * document of its tab made it.
 *
 * Chromium 156 can report a new page's first requests before the browser has recorded the page's
 * frame: those come with `documentLifecycle: ''` and a `tabId` and `frameId` that are no tab's and
 * no frame's (seen: tab 2007674970, frame 4, for the first script of a page in tab 2, about one
 * page load in 60 on a busy machine). Taken as they come, the page's first hosts are never listed.
 * Their `documentId` is right, and the commit of that document (webNavigation.onCommitted) names
 * its tab and frame: such a request waits here until that commit, then joins its tab.
 *
 * The top-level document matters too: an old page's requests can start after the next page's
 * response, and be reported after its commit (Chromium fetches the old page's favicon then, from
 * the old document; both browsers run the old page's timers until the commit), and only the
 * document tells them apart (lib/tabs/page-hosts.ts drops requests of a tab's earlier documents).
 *
 * Memory only, a cache: a worker stopped and restarted knows no documents, and requests are then
 * taken by their own tabId and frameId and dated by time, as before; the same where a browser
 * names no documentId.
 */

/** Documents remembered (their tab and whether they are a top-level page), newest kept. */
export const MAX_DOCUMENTS = 1000;
/** Requests waiting for their document's commit, at most. */
export const MAX_HELD = 500;
/** A waiting request whose document has not committed after this long is given up (and logged). */
export const HOLD_MS = 30_000;

/** What a webRequest event says about where a request comes from. */
export interface RequestOrigin {
  tabId: number;
  frameId: number;
  /** Chromium, Firefox 153. */
  documentId?: string;
  /** Chromium only: 'active', 'prerender', 'cached', 'pending_deletion', or '' when unknown. */
  documentLifecycle?: string;
}

/** Where a request goes. `topDocument`: the top-level document that made it, when known. */
export type Placement =
  | { kind: 'tab'; tabId: number; topDocument?: string }
  | { kind: 'held' }
  | { kind: 'ignored'; why: 'not a tab' | 'not the shown page' };

export interface Placed<T> {
  item: T;
  tabId: number;
  topDocument?: string;
}

export interface RequestDocumentsOptions<T> {
  now(): number;
  /** A waiting request given up: its document never committed (or the wait list was full). */
  onGivenUp(item: T, why: 'timed out' | 'too many waiting'): void;
  /** For tests. */
  maxDocuments?: number;
  maxHeld?: number;
  holdMs?: number;
}

export function createRequestDocuments<T>(options: RequestDocumentsOptions<T>) {
  const maxDocuments = options.maxDocuments ?? MAX_DOCUMENTS;
  const maxHeld = options.maxHeld ?? MAX_HELD;
  const holdMs = options.holdMs ?? HOLD_MS;
  const documents = new Map<string, { tabId: number; top: boolean }>();
  /** In arrival order, so the oldest is first to go. */
  let held: { documentId: string; item: T; since: number }[] = [];

  function expire(): void {
    const cutoff = options.now() - holdMs;
    while (held.length > 0 && held[0]!.since <= cutoff) {
      options.onGivenUp(held.shift()!.item, 'timed out');
    }
  }

  return {
    /** webNavigation.onCommitted (any frame): the document's tab is known; its waiting requests join it. */
    committed(tabId: number, frameId: number, documentId: string | undefined): Placed<T>[] {
      expire();
      if (documentId === undefined || tabId < 0) return [];
      documents.delete(documentId);
      documents.set(documentId, { tabId, top: frameId === 0 });
      if (documents.size > maxDocuments) {
        const oldest = documents.keys().next();
        if (!oldest.done) documents.delete(oldest.value);
      }
      const topDocument = frameId === 0 ? documentId : undefined;
      const released: Placed<T>[] = [];
      held = held.filter((h) => {
        if (h.documentId !== documentId) return true;
        released.push({ item: h.item, tabId, ...(topDocument ? { topDocument } : {}) });
        return false;
      });
      return released;
    },

    /** Where the request `origin` goes; when 'held', `item` is returned by its document's commit. */
    place(origin: RequestOrigin, item: T): Placement {
      expire();
      const { documentId, documentLifecycle: lifecycle } = origin;
      // A prerendered page, one in the back-forward cache or one being unloaded: not what the tab shows.
      if (lifecycle !== undefined && lifecycle !== '' && lifecycle !== 'active') {
        return { kind: 'ignored', why: 'not the shown page' };
      }
      const known = documentId === undefined ? undefined : documents.get(documentId);
      if (known) {
        return {
          kind: 'tab',
          tabId: known.tabId,
          ...(known.top ? { topDocument: documentId } : {}),
        };
      }
      if (lifecycle === '' && documentId !== undefined) {
        // The browser could not say whose request this is (see the top of this file).
        held.push({ documentId, item, since: options.now() });
        if (held.length > maxHeld) options.onGivenUp(held.shift()!.item, 'too many waiting');
        return { kind: 'held' };
      }
      if (origin.tabId < 0) return { kind: 'ignored', why: 'not a tab' };
      const topDocument = origin.frameId === 0 ? documentId : undefined;
      return { kind: 'tab', tabId: origin.tabId, ...(topDocument ? { topDocument } : {}) };
    },

    /** Requests waiting now (for tests: the bound). */
    heldCount(): number {
      return held.length;
    },
  };
}
