import { describe, expect, it } from 'vitest';
import {
  createSessionRecords,
  isQuotaError,
  type SessionRecordArea,
  type SessionRecordOptions,
} from '../../lib/storage/session-records';

interface Report {
  url: string;
  hosts: number;
}

const isReport = (data: unknown): data is Report =>
  typeof data === 'object' &&
  data !== null &&
  typeof (data as Report).url === 'string' &&
  typeof (data as Report).hosts === 'number';

/**
 * A storage area in memory that records every call. `hold()` makes the next `set` calls wait until
 * `release()`, as a slow area would; `refuse` makes `set` fail with the given error.
 */
function fakeArea(initial: Record<string, unknown> = {}) {
  const data = new Map(Object.entries(initial));
  const sets: Record<string, unknown>[] = [];
  const removes: string[][] = [];
  const gets: (string[] | null)[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let started: (() => void) | undefined;
  const area = {
    data,
    sets,
    removes,
    gets,
    refuse: undefined as Error | undefined,
    /** Holds every `set` from now on until `release()`; resolves when the next one starts. */
    hold(): Promise<void> {
      gate = new Promise((resolve) => (open = resolve));
      return new Promise((resolve) => (started = resolve));
    },
    release(): void {
      gate = undefined;
      open?.();
    },
    async get(keys: string[] | null) {
      gets.push(keys);
      await Promise.resolve();
      const out: Record<string, unknown> = {};
      for (const [key, value] of data) {
        if (keys === null || keys.includes(key)) out[key] = structuredClone(value);
      }
      return out;
    },
    async set(items: Record<string, unknown>) {
      sets.push(structuredClone(items));
      started?.();
      if (gate) await gate;
      if (area.refuse) throw area.refuse;
      for (const [key, value] of Object.entries(items)) data.set(key, structuredClone(value));
    },
    async remove(keys: string[]) {
      removes.push([...keys]);
      await Promise.resolve();
      for (const key of keys) data.delete(key);
    },
  };
  return area satisfies SessionRecordArea;
}

function storeOf(area: SessionRecordArea, options: Partial<SessionRecordOptions<Report>> = {}) {
  const logged: string[] = [];
  const fullChanges: boolean[] = [];
  const store = createSessionRecords<Report>(area, {
    version: 2,
    isValid: isReport,
    log: (message) => logged.push(message),
    onFull: (full) => fullChanges.push(full),
    ...options,
  });
  return { store, logged, fullChanges };
}

const QUOTA = new Error('Resource::kQuotaBytes quota exceeded');

describe('session records', () => {
  it('serves a set value from memory at once and stores it versioned', async () => {
    const area = fakeArea();
    const { store } = storeOf(area);
    store.set('tab:1', { url: 'https://a.example/', hosts: 1 });
    expect(store.peek('tab:1')).toEqual({ url: 'https://a.example/', hosts: 1 });
    expect(await store.get('tab:1')).toEqual({ url: 'https://a.example/', hosts: 1 });
    expect(area.gets).toEqual([]); // memory answered
    await store.flush();
    expect(area.data.get('tab:1')).toEqual({ v: 2, data: { url: 'https://a.example/', hosts: 1 } });
  });

  it('reads a key from the area once per life, absent ones included', async () => {
    const area = fakeArea({ 'tab:1': { v: 2, data: { url: 'https://a.example/', hosts: 3 } } });
    const { store } = storeOf(area);
    const [first, second] = await Promise.all([store.get('tab:1'), store.get('tab:1')]);
    expect(first).toEqual({ url: 'https://a.example/', hosts: 3 });
    expect(second).toEqual(first);
    expect(await store.get('tab:2')).toBeUndefined();
    expect(await store.get('tab:2')).toBeUndefined();
    expect(await store.get('tab:1')).toEqual(first);
    expect(area.gets).toEqual([['tab:1'], ['tab:2']]);
  });

  it('lets a set made during a read win over what was read', async () => {
    const area = fakeArea({ 'tab:1': { v: 2, data: { url: 'https://old.example/', hosts: 3 } } });
    const { store } = storeOf(area);
    const reading = store.get('tab:1');
    store.set('tab:1', { url: 'https://new.example/', hosts: 0 });
    expect(await reading).toEqual({ url: 'https://new.example/', hosts: 0 });
  });

  it('reloads a record from the area, so an emptied area forgets it; an unwritten change wins', async () => {
    const area = fakeArea();
    const { store } = storeOf(area);
    const report = { url: 'https://a.example/', hosts: 1 };
    store.set('tab:1', report);
    // Not written yet: memory is newer than the area.
    expect(await store.reload('tab:1')).toEqual(report);
    await store.flush();
    expect(await store.reload('tab:1')).toEqual(report);
    area.data.clear();
    expect(store.peek('tab:1')).toEqual(report);
    expect(await store.reload('tab:1')).toBeUndefined();
    expect(area.gets).toEqual([['tab:1'], ['tab:1']]);
    // A refused write leaves memory the only true copy: it is kept.
    area.refuse = QUOTA;
    store.set('tab:1', report);
    await store.flush();
    expect(await store.reload('tab:1')).toEqual(report);
  });

  it('forgets in memory a record someone else removed (the area emptied), never an unwritten one', async () => {
    const listeners: ((changes: Record<string, { newValue?: unknown }>) => void)[] = [];
    const area = {
      ...fakeArea(),
      onChanged: {
        addListener: (listener: (typeof listeners)[number]) => listeners.push(listener),
      },
    };
    const { store } = storeOf(area);
    const report = { url: 'https://a.example/', hosts: 1 };
    store.set('tab:1', report);
    store.set('tab:2', report);
    await store.flush();
    store.set('tab:2', { ...report, hosts: 2 }); // not written yet
    area.data.clear();
    for (const listener of listeners) listener({ 'tab:1': {}, 'tab:2': {} });
    expect(await store.get('tab:1')).toBeUndefined();
    expect(await store.get('tab:2')).toEqual({ ...report, hosts: 2 });
    await store.flush();
    expect(area.data.get('tab:2')).toEqual({ v: 2, data: { ...report, hosts: 2 } });
  });

  it('settles one key without waiting for the writes of others', async () => {
    const area = fakeArea();
    // tab:3's write hangs until released; every other write goes through.
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowStarted!: () => void;
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    const { store } = storeOf({
      ...area,
      async set(items) {
        if ('tab:3' in items) {
          slowStarted();
          await slow;
        }
        await area.set(items);
      },
    });
    const report = { url: 'https://a.example/', hosts: 1 };
    store.set('tab:3', report);
    await started;
    store.set('tab:1', report);
    let flushed = false;
    const flushing = store.flush().then(() => (flushed = true));
    await store.settled('tab:1');
    expect(area.data.get('tab:1')).toEqual({ v: 2, data: report });
    expect(flushed).toBe(false);
    await store.settled('tab:4'); // nothing to write
    releaseSlow();
    await flushing;
    expect(area.data.has('tab:3')).toBe(true);
  });

  it('writes N values set while one write is in flight as exactly one more set: the latest', async () => {
    const area = fakeArea();
    const { store } = storeOf(area);
    const started = area.hold();
    store.set('hosts:1', { url: 'https://a.example/', hosts: 1 });
    await started; // the first write is in flight and held
    for (let hosts = 2; hosts <= 50; hosts++)
      store.set('hosts:1', { url: 'https://a.example/', hosts });
    expect(area.sets).toHaveLength(1);
    expect(await store.get('hosts:1')).toEqual({ url: 'https://a.example/', hosts: 50 });
    area.release();
    await store.flush();
    expect(area.sets).toEqual([
      { 'hosts:1': { v: 2, data: { url: 'https://a.example/', hosts: 1 } } },
      { 'hosts:1': { v: 2, data: { url: 'https://a.example/', hosts: 50 } } },
    ]);
    expect(area.data.get('hosts:1')).toEqual({
      v: 2,
      data: { url: 'https://a.example/', hosts: 50 },
    });
  });

  it('skips a value equal to the one last written, or to the one read', async () => {
    const area = fakeArea({ 'tab:2': { v: 2, data: { url: 'https://b.example/', hosts: 0 } } });
    const { store } = storeOf(area);
    store.set('tab:1', { url: 'https://a.example/', hosts: 1 });
    await store.flush();
    store.set('tab:1', { url: 'https://a.example/', hosts: 1 }); // a copy, equal
    await store.flush();
    await store.get('tab:2');
    store.set('tab:2', { url: 'https://b.example/', hosts: 0 });
    await store.flush();
    expect(area.sets).toHaveLength(1);
    // Changed and changed back while in flight: the area already holds it, nothing more is sent.
    const started = area.hold();
    store.set('tab:1', { url: 'https://a.example/', hosts: 2 });
    await started;
    store.set('tab:1', { url: 'https://a.example/', hosts: 3 });
    store.set('tab:1', { url: 'https://a.example/', hosts: 2 });
    area.release();
    await store.flush();
    expect(area.sets).toHaveLength(2);
  });

  it('batches the keys changed within the delay into one area.set', async () => {
    const area = fakeArea();
    const { store } = storeOf(area, { delayMs: 50 });
    store.set('tab:1', { url: 'https://a.example/', hosts: 1 });
    store.set('hosts:1', { url: 'https://a.example/', hosts: 2 });
    store.set('tab:1', { url: 'https://a.example/', hosts: 3 });
    await store.flush();
    expect(area.sets).toEqual([
      {
        'tab:1': { v: 2, data: { url: 'https://a.example/', hosts: 3 } },
        'hosts:1': { v: 2, data: { url: 'https://a.example/', hosts: 2 } },
      },
    ]);
  });

  it('writes in the background without flush, at the end of the task by default', async () => {
    const area = fakeArea();
    const { store } = storeOf(area);
    const started = area.hold();
    store.set('tab:1', { url: 'https://a.example/', hosts: 1 });
    store.set('tab:2', { url: 'https://b.example/', hosts: 1 });
    expect(area.sets).toHaveLength(0); // not yet: the caller's work comes first
    await started;
    expect(area.sets).toEqual([
      {
        'tab:1': { v: 2, data: { url: 'https://a.example/', hosts: 1 } },
        'tab:2': { v: 2, data: { url: 'https://b.example/', hosts: 1 } },
      },
    ]);
    area.release();
    await store.flush();
  });

  it('reads a record of another version, or malformed, as absent and logs it', async () => {
    const area = fakeArea({
      'tab:1': { v: 1, data: { url: 'https://a.example/', hosts: 1 } },
      'tab:2': { v: 2, data: { url: 'https://b.example/' } },
      'tab:3': { url: 'https://c.example/', hosts: 1 },
      'tab:4': 'text',
    });
    const { store, logged } = storeOf(area);
    for (const key of ['tab:1', 'tab:2', 'tab:3', 'tab:4']) {
      await expect(store.get(key)).resolves.toBeUndefined();
    }
    expect(logged).toEqual([
      'session record tab:1: version 1, not 2; ignored',
      'session record tab:2: malformed; ignored',
      'session record tab:3: not a versioned record; ignored',
      'session record tab:4: not a versioned record; ignored',
    ]);
    // A set replaces an unreadable record.
    store.set('tab:1', { url: 'https://a.example/', hosts: 1 });
    await store.flush();
    expect(area.data.get('tab:1')).toEqual({ v: 2, data: { url: 'https://a.example/', hosts: 1 } });
  });

  it('flags a full area, keeps serving memory, drops the stale copy, and clears the flag on success', async () => {
    const area = fakeArea({ 'tab:1': { v: 2, data: { url: 'https://old.example/', hosts: 1 } } });
    const { store, fullChanges, logged } = storeOf(area);
    area.refuse = QUOTA;
    store.set('tab:1', { url: 'https://new.example/', hosts: 2 });
    await store.flush();
    expect(store.full).toBe(true);
    expect(fullChanges).toEqual([true]);
    expect(store.saved('tab:1')).toBe(false);
    expect(await store.get('tab:1')).toEqual({ url: 'https://new.example/', hosts: 2 });
    expect(logged[0]).toContain('storage full');
    // The older page's record is gone, so a restarted worker finds nothing rather than it.
    expect(area.data.has('tab:1')).toBe(false);

    area.refuse = undefined;
    store.set('tab:5', { url: 'https://e.example/', hosts: 0 });
    await store.flush();
    expect(store.full).toBe(false);
    expect(fullChanges).toEqual([true, false]);
    expect(store.saved('tab:5')).toBe(true);
  });

  it("keeps the older copy when told to ('keep'), and a non-quota failure is no full flag", async () => {
    const old = { v: 2, data: { url: 'https://a.example/', hosts: 1 } };
    const area = fakeArea({ 'hosts:1': old });
    const { store, fullChanges } = storeOf(area, { whenRefused: 'keep' });
    area.refuse = new Error('IO error');
    store.set('hosts:1', { url: 'https://a.example/', hosts: 2 });
    await store.flush();
    expect(store.full).toBe(false);
    expect(fullChanges).toEqual([]);
    expect(store.saved('hosts:1')).toBe(false);
    expect(area.data.get('hosts:1')).toEqual(old);
    // The same value again is tried again: the area does not hold it.
    area.refuse = undefined;
    store.set('hosts:1', { url: 'https://a.example/', hosts: 2 });
    await store.flush();
    expect(area.data.get('hosts:1')).toEqual({
      v: 2,
      data: { url: 'https://a.example/', hosts: 2 },
    });
    expect(store.saved('hosts:1')).toBe(true);
  });

  it('deletes from memory at once and from the area, then holds nothing for the key', async () => {
    const area = fakeArea({ 'tab:1': { v: 2, data: { url: 'https://a.example/', hosts: 1 } } });
    const { store } = storeOf(area);
    store.delete('tab:1');
    expect(await store.get('tab:1')).toBeUndefined();
    await store.flush();
    expect(area.removes).toEqual([['tab:1']]);
    expect(area.data.has('tab:1')).toBe(false);
    // Set then deleted before any write: one remove, no set.
    store.set('tab:2', { url: 'https://b.example/', hosts: 1 });
    store.delete('tab:2');
    await store.flush();
    expect(area.sets).toEqual([]);
    expect(await store.keys('tab:')).toEqual([]);
  });

  it('lists the keys of a prefix, in memory and in the area', async () => {
    const area = fakeArea({
      'tab:1': { v: 2, data: { url: 'https://a.example/', hosts: 1 } },
      'tab:2': { v: 2, data: { url: 'https://b.example/', hosts: 1 } },
      'hosts:1': { v: 2, data: { url: 'https://a.example/', hosts: 1 } },
    });
    const { store } = storeOf(area);
    store.set('tab:3', { url: 'https://c.example/', hosts: 1 });
    store.delete('tab:2');
    expect((await store.keys('tab:')).sort()).toEqual(['tab:1', 'tab:3']);
    await store.flush();
  });

  it('keeps at most maxInMemory written records in memory, never an unwritten one', async () => {
    const area = fakeArea();
    const { store } = storeOf(area, { maxInMemory: 2 });
    store.set('tab:1', { url: 'https://a.example/', hosts: 1 });
    store.set('tab:2', { url: 'https://b.example/', hosts: 1 });
    store.set('tab:3', { url: 'https://c.example/', hosts: 1 });
    expect(store.peek('tab:1')).toBeDefined(); // not written yet: memory is its only copy
    await store.flush();
    store.set('tab:4', { url: 'https://d.example/', hosts: 1 });
    expect(store.peek('tab:1')).toBeUndefined();
    expect(store.peek('tab:2')).toBeUndefined();
    expect(await store.get('tab:1')).toEqual({ url: 'https://a.example/', hosts: 1 });
    expect(area.gets).toEqual([['tab:1']]);
    await store.flush();
  });

  it('recognises quota errors of both browsers, loosely', () => {
    expect(isQuotaError(new Error('QUOTA_BYTES quota exceeded'))).toBe(true);
    expect(isQuotaError(new Error('Resource::kQuotaBytes quota exceeded'))).toBe(true);
    const firefox = new Error('The current transaction exceeded its quota limitations.');
    firefox.name = 'QuotaExceededError';
    expect(isQuotaError(firefox)).toBe(true);
    expect(isQuotaError(new Error('Network error'))).toBe(false);
  });
});
