import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { createWorkerPolicy } from '../../../entrypoints/background/policy';
import type { ManagedPolicy } from '../../../lib/policy';

const LOCKED_PRIVACY = { privacyMode: { value: true, locked: true } };

/** A browser with storage.local, and storage.managed answering `managed()` (absent: no area). */
function fakeBrowser(managed?: () => Promise<Record<string, unknown>>) {
  const local: Record<string, unknown> = {};
  const listeners: ((changes: object, area: string) => void)[] = [];
  const browser = {
    storage: {
      local: {
        get: async () => ({ ...local }),
        set: async (items: Record<string, unknown>) => void Object.assign(local, items),
      },
      ...(managed ? { managed: { get: managed } } : {}),
      onChanged: { addListener: (l: (c: object, a: string) => void) => listeners.push(l) },
    },
  } as unknown as Browser;
  return { browser, local, fire: (area: string) => listeners.forEach((l) => l({}, area)) };
}

function start(fake: ReturnType<typeof fakeBrowser>, stored: Record<string, unknown> = {}) {
  const seen: ManagedPolicy[] = [];
  const log = vi.fn();
  const policy = createWorkerPolicy({
    browser: fake.browser,
    changed: async (p) => void seen.push(p),
    log,
  });
  const cached = policy.fromStored(stored);
  return { policy, cached, seen, log };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => vi.useRealTimers());

describe('the worker policy (entrypoints/background/policy.ts)', () => {
  it('applies the cached policy at once, before the browser has answered', () => {
    const fake = fakeBrowser(() => new Promise(() => undefined));
    const { policy, cached } = start(fake, { 'policy-cache': LOCKED_PRIVACY });
    expect(cached.policy.locked.has('privacyMode')).toBe(true);
    expect(policy.current().values.privacyMode).toBe(true);
  });

  it("takes the browser's policy once read, caches it and reports the change", async () => {
    const fake = fakeBrowser(async () => LOCKED_PRIVACY);
    const { policy, seen } = start(fake);
    policy.follow(Promise.resolve());
    await settle();
    expect(seen).toHaveLength(1);
    expect(policy.current().locked.has('privacyMode')).toBe(true);
    expect(fake.local['policy-cache']).toEqual(LOCKED_PRIVACY);
  });

  it('reports nothing when the browser says what the cache said', async () => {
    const fake = fakeBrowser(async () => LOCKED_PRIVACY);
    const { policy, seen } = start(fake, { 'policy-cache': LOCKED_PRIVACY });
    policy.follow(Promise.resolve());
    await settle();
    expect(seen).toEqual([]);
  });

  it('follows a change of the managed area, and only that area', async () => {
    let answer: Record<string, unknown> = {};
    const fake = fakeBrowser(async () => answer);
    const { policy, seen } = start(fake);
    policy.follow(Promise.resolve());
    await settle();
    answer = LOCKED_PRIVACY;
    fake.fire('local');
    await settle();
    expect(seen).toEqual([]);
    fake.fire('managed');
    await settle();
    expect(seen).toHaveLength(1);
  });

  it('asks again before an empty answer removes a cached policy (Chromium cold start)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    let answer: Record<string, unknown> = {};
    const fake = fakeBrowser(async () => answer);
    const { policy, seen } = start(fake, { 'policy-cache': LOCKED_PRIVACY });
    policy.follow(Promise.resolve());
    await settle();
    expect(seen).toEqual([]);
    expect(policy.current().locked.has('privacyMode')).toBe(true);
    // Still empty when asked again: the policy was removed.
    answer = {};
    vi.runAllTimers();
    await settle();
    expect(seen).toHaveLength(1);
    expect(policy.current().locked.size).toBe(0);
  });

  it('means no policy, never a failure, without storage.managed or when it refuses', async () => {
    for (const fake of [
      fakeBrowser(),
      fakeBrowser(() => Promise.reject(new Error('Managed storage manifest not found'))),
    ]) {
      const { policy, seen, log } = start(fake);
      policy.follow(Promise.resolve());
      await settle();
      expect(seen).toEqual([]);
      expect(policy.current().locked.size).toBe(0);
      expect(log).not.toHaveBeenCalled();
    }
  });
});
