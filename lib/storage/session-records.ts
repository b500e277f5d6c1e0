/**
 * One way to keep records in `storage.session` (issue 22 §2): every module that keeps per-tab or
 * per-worker state there (the site report, the page's hosts, the DNS cache, the proxy pattern, the
 * remembered connections) uses this store instead of inventing its own write policy.
 *
 * - Write-through memory: `set` changes the memory copy at once, so a `get` right after sees it and
 *   the badge can be set before anything is stored; the store writes in the background.
 * - Coalesced writes: at most one `area.set` in flight per key. Values set while one is in flight
 *   replace each other and only the latest is written after it; a value whose serialisation equals
 *   the last one written (or read) is not written at all. With `delayMs`, the keys changed within
 *   that window go to the area in one `set` call.
 * - Versioned: each record is stored as `{ v, data }`. A record of another version, or one the
 *   caller's `isValid` refuses (an older build's shape, damage), reads as absent and is logged.
 * - A full area is flagged: when `area.set` fails for lack of quota (Chromium: "QUOTA_BYTES quota
 *   exceeded"), `full` turns true and `onFull(true)` is called; memory stays right and is still
 *   served. The next successful `set` clears the flag (`onFull(false)`).
 * - Bounded: memory holds the records callers set or read (a deleted one goes once removed; with
 *   `maxInMemory`, the least recently used written ones go too); the queue of writes holds at most
 *   one pending value per key.
 * - Storage as the truth where a caller needs it: `reload` reads a record again (an emptied area
 *   forgets it); with the area's `onChanged`, a record someone else removed is dropped from memory.
 * Nothing here throws into a caller: storage failures are logged.
 */

/** The subset of `storage.session` the store needs (the browser's area has all of it). */
export interface SessionRecordArea {
  /** `null` reads the whole area (only `keys()` does). */
  get(keys: string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
  /** The area's change event (the browser's areas have it): see `AreaChanges`. */
  onChanged?: AreaChanges;
}

/**
 * The browser's `storage.<area>.onChanged`. When given, a record removed from the area by anyone
 * else (`storage.session.clear()`, as the e2e set-up does between tests) is dropped from memory
 * too, so the next `get` reads the area again instead of a memory copy living on. Other writers'
 * values are not watched: each key has one writer, its store.
 */
export interface AreaChanges {
  addListener(listener: (changes: Record<string, { newValue?: unknown }>) => void): void;
}

/**
 * An area read and removed one key at a time, as modules that keep a single record describe the
 * `storage.session` they are handed (the browser's area is also one). Without `remove`, a stale
 * copy the store would delete stays, and the store logs it.
 */
export interface OneKeyArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove?(key: string): Promise<void>;
  onChanged?: AreaChanges;
}

/** `area` as the store needs it; it cannot be listed, so `keys()` of such a store logs and finds only memory. */
export function recordAreaOf(area: OneKeyArea): SessionRecordArea {
  return {
    async get(keys) {
      if (keys === null) throw new Error('this storage area cannot be listed');
      const found = await Promise.all(keys.map((key) => area.get(key)));
      return Object.assign({}, ...found) as Record<string, unknown>;
    },
    set: (items) => area.set(items),
    async remove(keys) {
      if (!area.remove) throw new Error('this storage area cannot remove');
      for (const key of keys) await area.remove(key);
    },
    ...(area.onChanged ? { onChanged: area.onChanged } : {}),
  };
}

/** How a record is stored: its format version beside the caller's data. */
export interface StoredRecord<T> {
  v: number;
  data: T;
}

export interface SessionRecordOptions<T> {
  /** The records' format version; bump it when `T` changes shape, so old records read as absent. */
  version: number;
  /** Whether stored data (of the right version) is a `T`; refused data reads as absent. */
  isValid(data: unknown): data is T;
  /**
   * How long changes wait before they are written, so several keys share one `area.set` (and a
   * burst of changes to one key is written once); default 0: at the end of the current task's
   * microtasks.
   */
  delayMs?: number;
  /**
   * What stays in the area when it refuses a write: 'remove' (the default) deletes the older
   * stored copy, so a restarted worker finds nothing rather than a stale record; 'keep' leaves it
   * (an older host list is still a true, shorter one).
   */
  whenRefused?: 'remove' | 'keep';
  /**
   * Records kept in memory at most (default: no limit). Beyond it the least recently used record
   * that the area holds as it is in memory is dropped from memory (read again when asked for); one
   * not yet written, or refused, is never dropped, as memory is then its only true copy.
   */
  maxInMemory?: number;
  log(message: string, error?: unknown): void;
  /** Called when the full flag changes: true when the area refused a write for lack of quota. */
  onFull?(full: boolean): void;
}

export interface SessionRecords<T> {
  /** The record: memory first, else the area (read once per key while this worker lives). */
  get(key: string): Promise<T | undefined>;
  /** The memory copy only, without waiting: undefined when absent or not read yet. */
  peek(key: string): T | undefined;
  /**
   * The record as the area holds it now (read again), for a record that storage, not memory, must
   * be the truth of (an emptied area forgets it); memory still wins while a change of it is not
   * yet written, or was refused (memory is then its only true copy).
   */
  reload(key: string): Promise<T | undefined>;
  /** Replaces the record in memory now and in the area soon (see the module comment). */
  set(key: string, value: T): void;
  /** Deletes the record from memory now and from the area soon. */
  delete(key: string): void;
  /**
   * Every key starting with `prefix` that holds a record: those in memory, and those in the area
   * this worker has not read yet (one read of the whole area; their values are not kept).
   */
  keys(prefix: string): Promise<string[]>;
  /** Resolves when every change made so far has been written or refused. Never rejects. */
  flush(): Promise<void>;
  /**
   * Resolves when `key` has no change left to write (its last one written or refused), without
   * waiting for other keys' writes as `flush` does. Never rejects.
   */
  settled(key: string): Promise<void>;
  /** Whether the last write of `key` reached the area (true when none was needed). */
  saved(key: string): boolean;
  /** Whether the area refused the last write for lack of quota, and no write has succeeded since. */
  readonly full: boolean;
}

/** Stands for "no record in the area" among the serialisations. */
const ABSENT = '';

interface Slot<T> {
  /** The memory copy; undefined: no record. Meaningful once `known`. */
  value: T | undefined;
  /** The memory copy is the truth (it was read, set or deleted). */
  known: boolean;
  /** The read of this key from the area, while it runs. */
  reading?: Promise<void>;
  /** Serialisation of what the area holds, as far as this store knows; undefined: unknown. */
  stored?: string;
  /** A write of this key is in flight. */
  writing: boolean;
  /** The last write of this key was refused. */
  refused: boolean;
}

/** Whether an error from `storage.set` says the area is out of space (wording differs by browser). */
export function isQuotaError(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  return /quota/i.test(name) || /quota/i.test(message);
}

/**
 * Creates a store of records of one shape (`T`) in `area`. Keys are the caller's (use the
 * constants of lib/storage/session-keys.ts); two stores must not share a key.
 */
export function createSessionRecords<T>(
  area: SessionRecordArea,
  options: SessionRecordOptions<T>,
): SessionRecords<T> {
  const { version, isValid, log } = options;
  const delayMs = options.delayMs ?? 0;
  const whenRefused = options.whenRefused ?? 'remove';
  const slots = new Map<string, Slot<T>>();
  // Keys whose memory copy may differ from the area; written at the next flush.
  const dirty = new Set<string>();
  // Writes in flight (one batch each), so `flush` can wait for them.
  const inFlight = new Set<Promise<void>>();
  let scheduled: { cancel(): void } | undefined;
  // Callers of `settled`, by key: woken once the key is neither dirty nor in flight.
  const settling = new Map<string, (() => void)[]>();
  let full = false;

  const maxInMemory = options.maxInMemory ?? Infinity;

  /** The key's slot, made the most recently used (a Map iterates in insertion order). */
  const slotOf = (key: string): Slot<T> => {
    const slot = slots.get(key) ?? {
      value: undefined,
      known: false,
      writing: false,
      refused: false,
    };
    slots.delete(key);
    slots.set(key, slot);
    if (slots.size > maxInMemory) dropLeastRecentlyUsed();
    return slot;
  };

  /** Drops the oldest slots whose record the area holds as memory does, until within the limit. */
  function dropLeastRecentlyUsed(): void {
    for (const [key, slot] of slots) {
      if (slots.size <= maxInMemory) return;
      // Not dirty, not in flight, not refused: the area holds what memory holds.
      const clean = slot.known && !slot.reading && !slot.writing && !slot.refused;
      if (clean && !dirty.has(key)) slots.delete(key);
    }
  }

  const serialise = (value: T | undefined): string =>
    value === undefined ? ABSENT : JSON.stringify({ v: version, data: value });

  /** The data of a stored record, or undefined (logged) when it is absent, old or malformed. */
  const unwrap = (key: string, stored: unknown): T | undefined => {
    if (stored === undefined) return undefined;
    if (typeof stored !== 'object' || stored === null || !('v' in stored)) {
      log(`session record ${key}: not a versioned record; ignored`);
      return undefined;
    }
    const { v, data } = stored as StoredRecord<unknown>;
    if (v !== version) {
      log(`session record ${key}: version ${String(v)}, not ${version}; ignored`);
      return undefined;
    }
    if (!isValid(data)) {
      log(`session record ${key}: malformed; ignored`);
      return undefined;
    }
    return data;
  };

  const setFull = (value: boolean): void => {
    if (full === value) return;
    full = value;
    options.onFull?.(value);
  };

  function schedule(): void {
    if (scheduled) return;
    if (delayMs > 0) {
      const timer = setTimeout(run, delayMs);
      scheduled = { cancel: () => clearTimeout(timer) };
    } else {
      let cancelled = false;
      queueMicrotask(() => {
        if (!cancelled) run();
      });
      scheduled = { cancel: () => (cancelled = true) };
    }
    function run(): void {
      scheduled = undefined;
      writeDirty();
    }
  }

  /** Wakes `settled` callers of a key that has no change left to write. */
  function wake(key: string): void {
    const waiting = settling.get(key);
    if (!waiting || dirty.has(key) || slots.get(key)?.writing) return;
    settling.delete(key);
    for (const resolve of waiting) resolve();
  }

  /** Sends every dirty key not already in flight: one `set` and one `remove` at most. */
  function writeDirty(): void {
    const items: Record<string, unknown> = {};
    const setting: [string, string][] = [];
    const removing: string[] = [];
    for (const key of dirty) {
      const slot = slots.get(key);
      if (!slot) {
        dirty.delete(key);
        wake(key);
        continue;
      }
      if (slot.writing) continue; // written again when the one in flight ends
      dirty.delete(key);
      const serial = serialise(slot.value);
      if (serial === slot.stored) {
        slot.refused = false;
        forgetIfGone(key, slot);
        wake(key);
        continue;
      }
      slot.writing = true;
      if (slot.value === undefined) removing.push(key);
      else {
        items[key] = { v: version, data: slot.value } satisfies StoredRecord<T>;
        setting.push([key, serial]);
      }
    }
    if (setting.length > 0) track(writeSet(items, setting));
    if (removing.length > 0) track(writeRemove(removing));
  }

  function track(write: Promise<void>): void {
    inFlight.add(write);
    void write.then(() => inFlight.delete(write));
  }

  async function writeSet(items: Record<string, unknown>, keys: [string, string][]) {
    try {
      await area.set(items);
      setFull(false);
      for (const [key, serial] of keys) done(key, serial, false);
      return;
    } catch (error) {
      const quota = isQuotaError(error);
      log(
        `session records ${keys.map(([key]) => key).join(', ')}: not stored${quota ? ' (storage full)' : ''}`,
        error,
      );
      if (quota) setFull(true);
    }
    if (whenRefused === 'remove') {
      const stale = keys.map(([key]) => key);
      try {
        await area.remove(stale);
        for (const key of stale) done(key, ABSENT, true);
        return;
      } catch (error) {
        log(`session records ${stale.join(', ')}: stale copies not removed`, error);
      }
    }
    for (const [key] of keys) done(key, undefined, true);
  }

  async function writeRemove(keys: string[]) {
    try {
      await area.remove(keys);
      for (const key of keys) done(key, ABSENT, false);
    } catch (error) {
      log(`session records ${keys.join(', ')}: not removed`, error);
      for (const key of keys) done(key, undefined, true);
    }
  }

  /** A write of `key` ended; `stored` is what the area now holds (undefined: unknown). */
  function done(key: string, stored: string | undefined, refused: boolean): void {
    const slot = slots.get(key);
    if (!slot) return wake(key);
    slot.writing = false;
    slot.refused = refused;
    // A refused 'keep' write leaves the older copy, whose serialisation is still the one known.
    if (stored !== undefined || !refused) slot.stored = stored;
    if (dirty.has(key)) schedule();
    else {
      forgetIfGone(key, slot);
      wake(key);
    }
  }

  /** Drops a deleted record's slot once the area holds nothing either: memory stays bounded. */
  function forgetIfGone(key: string, slot: Slot<T>): void {
    if (slot.known && slot.value === undefined && slot.stored === ABSENT && !slot.writing) {
      if (!dirty.has(key) && !slot.reading) slots.delete(key);
    }
  }

  function change(key: string, value: T | undefined): void {
    const slot = slotOf(key);
    slot.value = value;
    slot.known = true;
    dirty.add(key);
    schedule();
  }

  // A record removed by someone else: memory forgets it too, unless it holds a change of its own
  // not yet written (that write follows) or refused (memory is then its only true copy).
  area.onChanged?.addListener((changes) => {
    for (const [key, change] of Object.entries(changes)) {
      const slot = slots.get(key);
      if (!slot || change.newValue !== undefined || slot.stored === ABSENT) continue;
      if (dirty.has(key) || slot.writing || slot.reading || slot.refused) continue;
      slots.delete(key);
    }
  });

  const store: SessionRecords<T> = {
    async get(key) {
      const slot = slotOf(key);
      if (slot.known) return slot.value;
      slot.reading ??= (async () => {
        let stored: unknown;
        let readable = true;
        try {
          stored = (await area.get([key]))[key];
        } catch (error) {
          readable = false;
          log(`session record ${key}: unreadable`, error);
        }
        slot.reading = undefined;
        // A `set` or `delete` during the read is newer than what was read.
        if (slot.known) return;
        if (!readable) {
          if (!dirty.has(key) && !slot.writing) slots.delete(key); // the next get tries again
          return;
        }
        slot.value = unwrap(key, stored);
        slot.known = true;
        slot.stored = stored === undefined ? ABSENT : JSON.stringify(stored);
      })();
      await slot.reading;
      return slot.known ? slot.value : undefined;
    },

    peek: (key) => slots.get(key)?.value,

    async reload(key) {
      const slot = slots.get(key);
      const memoryNewer = slot && (dirty.has(key) || slot.writing || slot.refused);
      if (slot && !memoryNewer && !slot.reading) {
        slot.known = false;
        slot.value = undefined;
      }
      return store.get(key);
    },

    set: (key, value) => change(key, value),

    delete: (key) => change(key, undefined),

    async keys(prefix) {
      let storedKeys: string[] = [];
      try {
        storedKeys = Object.keys(await area.get(null));
      } catch (error) {
        log('session records could not be listed', error);
      }
      const found = new Set<string>();
      for (const key of storedKeys) {
        const slot = slots.get(key);
        if (key.startsWith(prefix) && !slot?.known) found.add(key);
      }
      for (const [key, slot] of slots) {
        if (key.startsWith(prefix) && slot.known && slot.value !== undefined) found.add(key);
      }
      return [...found];
    },

    async flush() {
      for (;;) {
        if (scheduled) {
          scheduled.cancel();
          scheduled = undefined;
          writeDirty();
        }
        if (inFlight.size === 0) {
          if (dirty.size === 0) return;
          writeDirty(); // keys that were in flight when the last batch went out
          if (inFlight.size === 0) return;
        }
        await Promise.all(inFlight);
      }
    },

    settled(key) {
      if (!dirty.has(key) && !slots.get(key)?.writing) return Promise.resolve();
      return new Promise((resolve) => {
        const waiting = settling.get(key) ?? [];
        waiting.push(resolve);
        settling.set(key, waiting);
      });
    },

    saved: (key) => !(slots.get(key)?.refused ?? false),

    get full() {
      return full;
    },
  };
  return store;
}
