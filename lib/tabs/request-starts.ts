/**
 * When each of a tab's requests started, so a request is dated by its start, not by the event that
 * reports it. A response or an error can reach the worker long after the request began: an old
 * page's slow image, or a request the next navigation aborts, is reported after the next page has
 * begun, yet it is the old page's. Dated by its report it would join the new page's host list
 * (a false amber badge); dated by its start it stays with the page that made it.
 *
 * The map is memory only, a cache: a worker the browser stopped and restarted mid-request has no
 * start for it, and such a request is dated by its report, as before. Entries go when the request
 * fails (its last event); a request that got a response may still fail later (aborted mid-body), so
 * its entry stays until the bound evicts it, oldest first.
 */

/** Request starts kept; a page in flight rarely has more than a few hundred requests open. */
export const MAX_REQUEST_STARTS = 2000;

/** What a webRequest event tells about a request (both browsers have these fields). */
export interface RequestEvent {
  requestId: string;
  /** The browser's time of this event, ms since the epoch. */
  timeStamp: number;
}

/** Creates the map; `max` is for tests. */
export function createRequestStarts(max: number = MAX_REQUEST_STARTS) {
  const starts = new Map<string, number>();
  return {
    /** onBeforeRequest: the request starts now. */
    started(event: RequestEvent): void {
      starts.delete(event.requestId);
      starts.set(event.requestId, event.timeStamp);
      if (starts.size > max) {
        const oldest = starts.keys().next();
        if (!oldest.done) starts.delete(oldest.value);
      }
    },

    /** onResponseStarted: the time to date the request by (its start, when known). */
    responded(event: RequestEvent): number {
      return starts.get(event.requestId) ?? event.timeStamp;
    },

    /** onErrorOccurred: the time to date the request by; the request is over. */
    failed(event: RequestEvent): number {
      const at = starts.get(event.requestId) ?? event.timeStamp;
      starts.delete(event.requestId);
      return at;
    },

    /** Entries held now (for tests: the bound). */
    size(): number {
      return starts.size;
    },
  };
}

export type RequestStarts = ReturnType<typeof createRequestStarts>;
