/**
 * The progress line on standard error while a long list is checked: "carrierflag: 1200 of 5000
 * checked, 3 flagged". Only where standard error is a terminal (a person watching): a pipe or a
 * log file gets nothing, so scripts see the same output as before. The line is rewritten in place
 * (carriage return, erase line) at most every PROGRESS_INTERVAL_MS, and erased before anything is
 * printed on standard output and at the end, so it never mixes with the results.
 */

/** Targets checked before the line first appears: a short list finishes without one. */
export const PROGRESS_AFTER = 50;

/** The shortest time between two rewrites of the line. */
export const PROGRESS_INTERVAL_MS = 200;

/** Moves to the start of the line and erases it (ECMA-48 CR, EL). */
const ERASE_LINE = '\r\x1b[K';

export interface Progress {
  /** One more target checked; `flagged` when it was. */
  checked(flagged: boolean): void;
  /** Erases the line before other output; it comes back with the next update. */
  pause(): void;
  /** Erases the line for good. */
  end(): void;
}

/** A progress line that never shows: standard error is not a terminal. */
export const NO_PROGRESS: Progress = { checked() {}, pause() {}, end() {} };

/**
 * A progress line written with `write` (standard error), `total` when the number of targets is
 * known in advance (all on the command line), `now` for the time.
 */
export function createProgress(options: {
  write: (text: string) => void;
  now: () => number;
  total?: number;
  /** Counting DNS lookups that are judged later (--har): no flagged count, which is not known yet. */
  lookupsOnly?: boolean;
  after?: number;
  intervalMs?: number;
}): Progress {
  const { write, now, total } = options;
  const after = options.after ?? PROGRESS_AFTER;
  const intervalMs = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  let done = 0;
  let flagged = 0;
  let shown = false;
  let lastWrite = Number.NEGATIVE_INFINITY;
  const erase = () => {
    if (!shown) return;
    write(ERASE_LINE);
    shown = false;
  };
  return {
    checked(wasFlagged) {
      done++;
      if (wasFlagged) flagged++;
      if (done < after) return;
      const time = now();
      if (time - lastWrite < intervalMs) return;
      lastWrite = time;
      const of = total === undefined ? '' : ` of ${total}`;
      const words = options.lookupsOnly ? 'looked up' : `checked, ${flagged} flagged`;
      write(`${ERASE_LINE}carrierflag: ${done}${of} ${words}`);
      shown = true;
    },
    pause: erase,
    end: erase,
  };
}
