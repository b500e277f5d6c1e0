/**
 * The worker's side of the administrator's policy (lib/policy): read from `storage.managed`, cached
 * in storage.local, and followed while the worker runs.
 *
 * Chromium reads its policy files asynchronously after start-up, so `storage.managed.get()` at a
 * cold start can be slow or come back empty (the policy arrives later as a 'managed' change). So
 * the policy last read is cached and applied at once, before the first navigation is judged; the
 * browser's copy then replaces it. An empty answer while a policy is cached is asked again once,
 * RECHECK_EMPTY_MS later, before the policy counts as removed. A browser without
 * `storage.managed`, or one that refuses (Firefox without a policy for this extension), means no
 * policy, never a failed start.
 */
import type { Browser, Storage } from 'webextension-polyfill';
import {
  NO_POLICY,
  readPolicy,
  type AdoptedPolicyValues,
  type ManagedPolicy,
} from '../../lib/policy';

/** storage.local: the raw policy last read from storage.managed, applied at the next cold start. */
const POLICY_CACHE_KEY = 'policy-cache';
/** storage.local: which unlocked policy values were applied to the user's settings (apply.ts). */
const POLICY_ADOPTED_KEY = 'policy-adopted';
/** Long enough for Chromium to have loaded its policy files after a cold start. */
const RECHECK_EMPTY_MS = 10_000;

export interface WorkerPolicyDeps {
  browser: Browser;
  /** Called with each policy read from the browser that differs from the one in effect. */
  changed(policy: ManagedPolicy): Promise<void>;
  log(message: string, error?: unknown): void;
}

/** Reads the cache for the start-up path; `follow` then keeps the policy current. */
export function createWorkerPolicy(deps: WorkerPolicyDeps) {
  const { browser, log } = deps;
  let inEffect = NO_POLICY;
  let inEffectJson = 'null';
  const managed: Storage.StorageArea | undefined = (
    browser.storage as { managed?: Storage.StorageArea }
  ).managed;

  /** The raw managed object, or null for none (no storage.managed, an error, nothing set). */
  const readManaged = async (): Promise<Record<string, unknown> | null> => {
    if (!managed) return null;
    try {
      const raw = await managed.get(null);
      return Object.keys(raw).length > 0 ? raw : null;
    } catch (error) {
      // Firefox refuses when policies.json has nothing for this extension: no policy.
      if (!/manifest not found|not found/i.test(String(error))) {
        log('the managed policy could not be read', error);
      }
      return null;
    }
  };

  const take = async (raw: Record<string, unknown> | null) => {
    const json = JSON.stringify(raw);
    if (json === inEffectJson) return;
    const policy = readPolicy(raw);
    for (const problem of policy.problems) log(problem);
    inEffect = policy;
    inEffectJson = json;
    await browser.storage.local.set({ [POLICY_CACHE_KEY]: raw });
    await deps.changed(policy);
  };

  let recheck: ReturnType<typeof setTimeout> | undefined;
  const refresh = async () => {
    const raw = await readManaged();
    if (raw === null && inEffectJson !== 'null' && recheck === undefined) {
      recheck = setTimeout(
        () => void refresh().catch((e: unknown) => log('policy', e)),
        RECHECK_EMPTY_MS,
      );
      return;
    }
    await take(raw);
  };

  return {
    /** The policy in effect (the cached one until the browser's has been read). */
    current: (): ManagedPolicy => inEffect,

    /** The cached policy and the adoption record, read in the start-up path's one storage read. */
    keys: [POLICY_CACHE_KEY, POLICY_ADOPTED_KEY] as const,
    fromStored(stored: Record<string, unknown>): {
      policy: ManagedPolicy;
      adopted: AdoptedPolicyValues;
    } {
      const raw = stored[POLICY_CACHE_KEY] ?? null;
      inEffect = readPolicy(raw);
      inEffectJson = JSON.stringify(raw);
      const adopted = stored[POLICY_ADOPTED_KEY];
      return {
        policy: inEffect,
        adopted: typeof adopted === 'object' && adopted !== null ? adopted : {},
      };
    },
    saveAdopted: (adopted: AdoptedPolicyValues) =>
      browser.storage.local.set({ [POLICY_ADOPTED_KEY]: adopted }),

    /**
     * Reads the browser's policy once `ready` (the settings, with the cached policy) resolves, and
     * on every change to it. Registers the listener synchronously: call it at worker start.
     */
    follow(ready: Promise<unknown>) {
      browser.storage.onChanged.addListener((_changes, area) => {
        if (area !== 'managed') return;
        void ready
          .then(refresh)
          .catch((error: unknown) => log('the changed policy was not applied', error));
      });
      void ready
        .then(refresh)
        .catch((error: unknown) => log('the managed policy was not applied', error));
    },
  };
}

export type WorkerPolicy = ReturnType<typeof createWorkerPolicy>;
