import { describe, expect, it } from 'vitest';
import { createLookupScheduler } from '../../../lib/tabs/lookup-scheduler';

/** Work the test finishes by hand, recording the order in which it started. */
function manualWork() {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const work = (key: string) => () =>
    new Promise<string>((done) => {
      started.push(key);
      finishers.set(key, () => done(`answer for ${key}`));
    });
  const finish = async (key: string) => {
    finishers.get(key)?.();
    finishers.delete(key);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { started, work, finish };
}

describe('lookup scheduler', () => {
  it('runs at most maxInFlight, the tab served longest ago first, and shares a key between tabs', async () => {
    const m = manualWork();
    const s = createLookupScheduler<string>({ maxInFlight: 2, maxQueuedPerTab: 10 });
    const a = ['a1', 'a2', 'a3', 'a4', 'shared'].map((k) => s.want(1, 1, k, m.work(k)));
    const b = ['b1', 'shared'].map((k) => s.want(2, 2, k, m.work(k)));
    expect(m.started).toEqual(['a1', 'a2']);
    await m.finish('a1');
    await m.finish('a2');
    // Tab 2 had not been served: it goes first, then the tabs alternate.
    expect(m.started).toEqual(['a1', 'a2', 'b1', 'a3']);
    await m.finish('b1');
    expect(m.started.at(-1)).toBe('shared');
    await m.finish('shared');
    await m.finish('a3');
    await m.finish('a4');
    expect(m.started).toEqual(['a1', 'a2', 'b1', 'a3', 'shared', 'a4']);
    expect(await a[4]).toEqual({ ran: true, value: 'answer for shared' });
    expect(await b[1]).toEqual({ ran: true, value: 'answer for shared' });
    expect(s.running()).toBe(0);
  });

  it('within a tab, the newest page first', async () => {
    const m = manualWork();
    const s = createLookupScheduler<string>({ maxInFlight: 1, maxQueuedPerTab: 10 });
    void s.want(1, 1, 'busy', m.work('busy'));
    void s.want(1, 1, 'old1', m.work('old1'));
    void s.want(1, 1, 'old2', m.work('old2'));
    void s.want(1, 2, 'new1', m.work('new1'));
    for (const key of ['busy', 'new1', 'old1', 'old2']) await m.finish(key);
    expect(m.started).toEqual(['busy', 'new1', 'old1', 'old2']);
  });

  it('refuses wants beyond the per-tab cap and never runs forgotten ones', async () => {
    const m = manualWork();
    const s = createLookupScheduler<string>({ maxInFlight: 1, maxQueuedPerTab: 2 });
    const wants = ['r', 'q1', 'q2', 'q3'].map((k) => s.want(1, 1, k, m.work(k)));
    expect(await wants[3]).toEqual({ ran: false, why: 'queue-full' });
    expect(s.queued(1)).toBe(2);
    // A shared key stays wanted by tab 2 when tab 1 goes.
    const other = s.want(2, 2, 'q2', m.work('q2'));
    s.forget(1);
    expect(await wants[0]).toEqual({ ran: false, why: 'forgotten' });
    expect(await wants[1]).toEqual({ ran: false, why: 'forgotten' });
    await m.finish('r');
    await m.finish('q2');
    expect(m.started).toEqual(['r', 'q2']);
    expect(await other).toEqual({ ran: true, value: 'answer for q2' });
  });
});
