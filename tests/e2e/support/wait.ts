/**
 * Waiting on signals, never on fixed sleeps: poll a condition until it holds or a ceiling passes. The
 * ceiling is generous on purpose (a loaded 2-core machine is slow); a passing test never waits for it.
 */
import { delay } from './ports';

/** The default ceiling for one wait, in ms. */
export const WAIT_CEILING_MS = 20_000;
const POLL_MS = 50;

export interface WaitOptions {
  timeoutMs?: number;
  /** What is awaited, for the error message ("the badge of tab 3 to read CT"). */
  what: string;
  /** Describes the last observed state when the wait fails. */
  last?: () => string;
}

/**
 * Resolves with the first truthy value `probe` returns. A probe that throws counts as "not yet"
 * (a page still navigating, a worker still starting); its last error is reported on timeout.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? WAIT_CEILING_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = options.last ? `; last: ${options.last()}` : '';
      const error = lastError ? `; last error: ${String(lastError)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}${last}${error}`);
    }
    await delay(POLL_MS);
  }
}
