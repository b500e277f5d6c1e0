/**
 * Which DoH lookups of a page's third-party hosts run, and when (issue 23 §3, the queue flood).
 *
 * - At most `maxInFlight` lookups run at once, over all tabs; one lookup per key (host name) however
 *   many tabs want it.
 * - Tabs take turns (round-robin): each time a slot frees, of the tabs with lookups waiting, the one
 *   served longest ago (or never) starts one lookup. A page loading hundreds of fresh names thus
 *   delays another tab's next lookup until a slot frees and, at worst, one turn of each other tab
 *   with lookups waiting: never by its whole backlog.
 * - Within a tab, the newest page's lookups first, in the order they were asked for.
 * - A tab queues at most `maxQueuedPerTab` lookups; one asked beyond that is refused at once, so a
 *   flooding page can neither grow memory without bound nor keep a backlog that outlives it.
 * - A tab may be held (`hold`, while its page loads): its wants wait, unless another tab that is
 *   not held wants the same key, until `release`; the page's own requests never compete with them.
 * - A closed tab's or a replaced page's wants are forgotten (`forget`): a queued lookup nobody wants
 *   any more never runs. A running one is not cancelled (its answer still fills the DoH cache), but
 *   the forgotten waiters are told at once, so nothing waits on it.
 * Pure TypeScript: the lookup itself is the `work` each caller passes.
 */

/** What a want comes to: the lookup's value, or why it never ran for this tab. */
export type WantOutcome<T> =
  { ran: true; value: T } | { ran: false; why: 'queue-full' | 'forgotten' | 'failed' };

export interface LookupSchedulerOptions {
  maxInFlight: number;
  maxQueuedPerTab: number;
}

interface Job<T> {
  key: string;
  work: () => Promise<T>;
  running: boolean;
  /** tabId → how to tell that tab the outcome. */
  waiters: Map<number, (outcome: WantOutcome<T>) => void>;
}

interface QueuedWant {
  key: string;
  /** The page that asked: a larger number is a newer page (of any tab). */
  page: number;
}

/** Creates a scheduler; `want` never rejects. */
export function createLookupScheduler<T>(options: LookupSchedulerOptions) {
  const jobs = new Map<string, Job<T>>();
  /** Each tab's queued wants. */
  const queues = new Map<number, QueuedWant[]>();
  /**
   * The turn at which each tab last started a lookup; kept while its queue is empty, so a tab whose
   * every want starts at once still counts as just served. Forgotten with the tab.
   */
  const servedAt = new Map<number, number>();
  /** Tabs whose wants wait for now (their page is loading). */
  const held = new Set<number>();
  let active = 0;
  let turns = 0;

  function pump(): void {
    while (active < options.maxInFlight) {
      const job = takeNext();
      if (!job) return;
      start(job);
    }
  }

  /** The tab served longest ago gives up its newest page's oldest want. */
  function takeNext(): Job<T> | undefined {
    for (;;) {
      let next: number | undefined;
      for (const tabId of queues.keys()) {
        if (held.has(tabId)) continue;
        if (next === undefined || (servedAt.get(tabId) ?? 0) < (servedAt.get(next) ?? 0)) {
          next = tabId;
        }
      }
      if (next === undefined) return undefined;
      const tabId = next;
      const wants = queues.get(tabId) ?? [];
      const newest = Math.max(...wants.map((w) => w.page));
      const [taken] = wants.splice(
        wants.findIndex((w) => w.page === newest),
        1,
      );
      turns += 1;
      servedAt.set(tabId, turns);
      if (wants.length === 0) queues.delete(tabId);
      const job = taken && jobs.get(taken.key);
      if (job && !job.running) return job;
    }
  }

  function start(job: Job<T>): void {
    job.running = true;
    active += 1;
    // Other tabs that queued the same name are served by this run: their entries go.
    for (const tabId of job.waiters.keys()) dropQueued(tabId, (key) => key !== job.key);
    const finish = (outcome: WantOutcome<T>) => {
      active -= 1;
      if (jobs.get(job.key) === job) jobs.delete(job.key);
      for (const settle of job.waiters.values()) settle(outcome);
      pump();
    };
    job.work().then(
      (value) => finish({ ran: true, value }),
      () => finish({ ran: false, why: 'failed' }),
    );
  }

  /** Keeps the tab's queued wants whose key `keep` accepts, re-dated to `asPage` when given. */
  function dropQueued(tabId: number, keep: (key: string) => boolean, asPage?: number): void {
    const queue = queues.get(tabId);
    if (!queue) return;
    const kept = queue
      .filter((w) => keep(w.key))
      .map((w) => (asPage === undefined ? w : { ...w, page: asPage }));
    if (kept.length > 0) queues.set(tabId, kept);
    else queues.delete(tabId);
  }

  return {
    /**
     * Tab `tabId`'s page `page` wants `key` looked up by `work` (which must not matter who runs it:
     * a key already queued or running for another tab is shared, and its `work` is the one used).
     */
    want(
      tabId: number,
      page: number,
      key: string,
      work: () => Promise<T>,
    ): Promise<WantOutcome<T>> {
      return new Promise((settle) => {
        const job = jobs.get(key) ?? { key, work, running: false, waiters: new Map() };
        const earlier = job.waiters.get(tabId);
        if (earlier) {
          job.waiters.set(tabId, (outcome) => {
            earlier(outcome);
            settle(outcome);
          });
          return;
        }
        if (!job.running) {
          const queue = queues.get(tabId) ?? [];
          if (queue.length >= options.maxQueuedPerTab) {
            settle({ ran: false, why: 'queue-full' });
            return;
          }
          queue.push({ key, page });
          queues.set(tabId, queue);
        }
        job.waiters.set(tabId, settle);
        jobs.set(key, job);
        pump();
      });
    },

    /**
     * Forgets the tab's wants, or only those whose key `keep` rejects (a replaced page's, when the
     * next page keeps some of its hosts; those kept count as page `asPage` from now on). Queued
     * lookups no tab wants any more are dropped; their waiters, and the tab's waiters on running
     * ones, learn 'forgotten' at once.
     */
    forget(tabId: number, keep?: (key: string) => boolean, asPage?: number): void {
      if (!keep) {
        servedAt.delete(tabId);
        held.delete(tabId);
      }
      dropQueued(tabId, keep ?? (() => false), asPage);
      for (const job of [...jobs.values()]) {
        const settle = job.waiters.get(tabId);
        if (!settle || keep?.(job.key)) continue;
        job.waiters.delete(tabId);
        if (!job.running && job.waiters.size === 0) jobs.delete(job.key);
        settle({ ran: false, why: 'forgotten' });
      }
    },

    /** The tab's wants wait until `release` (its page is loading). */
    hold(tabId: number): void {
      held.add(tabId);
    },

    /** The tab's wants may run again. */
    release(tabId: number): void {
      if (held.delete(tabId)) pump();
    },

    /** Lookups queued for the tab (not running). */
    queued(tabId: number): number {
      return queues.get(tabId)?.length ?? 0;
    },

    /** Lookups running now, over all tabs. */
    running(): number {
      return active;
    },
  };
}

export type LookupScheduler<T> = ReturnType<typeof createLookupScheduler<T>>;
