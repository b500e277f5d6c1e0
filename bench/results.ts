// Machine-readable benchmark figures. Each bench process (the engine bench, the Chromium decode
// bench, the end-to-end bench) `record`s one row per figure it prints and calls `writeRows` once at
// its end; scripts/bench.mjs merges the part files into `.cache/bench.json`, one array of rows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CACHE_DIR } from './paths';

/**
 * One figure. `ours` and `peer` are in `unit` (null when there is no such side); `ratio` is the
 * factor by which ours is better (peer ÷ ours for times and sizes, ours ÷ peer for rates), null
 * without a peer; `target` says in words what passes, null for a figure that has none; `pass` is
 * null exactly when `target` is.
 */
export interface BenchRow {
  name: string;
  unit: string;
  ours: number | null;
  peer: number | null;
  ratio: number | null;
  target: string | null;
  pass: boolean | null;
}

/** The part files scripts/bench.mjs merges: `.cache/bench/results-<part>.json`. */
export function rowsPath(part: string): string {
  return resolve(CACHE_DIR, `results-${part}.json`);
}

const rows: BenchRow[] = [];

/** Adds one row; a non-finite number (a failed measurement) is stored as null, never as NaN. */
export function record(row: BenchRow): void {
  const finite = (n: number | null): number | null => (n !== null && Number.isFinite(n) ? n : null);
  const ours = finite(row.ours);
  rows.push({
    ...row,
    ours,
    peer: finite(row.peer),
    ratio: finite(row.ratio),
    // A target whose figure could not be measured has not been met.
    pass: row.target === null ? null : ours === null ? false : row.pass,
  });
}

/** The rows recorded so far, in order. */
export function recordedRows(): readonly BenchRow[] {
  return rows;
}

/** Writes every recorded row to this process's part file; returns its path. */
export function writeRows(part: string): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = rowsPath(part);
  writeFileSync(path, `${JSON.stringify(rows, null, 1)}\n`);
  return path;
}
