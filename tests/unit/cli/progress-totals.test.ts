// The CLI's progress line (stderr, terminals only), the totals under the table, and the `error.kind`
// of --json: run in-process on IP addresses (no DNS) with the bundled table.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  countReport,
  emptyTotals,
  JSON_ERROR_KINDS,
  toJson,
  totalsLine,
  type TargetReport,
} from '../../../lib/cli/output';
import { createProgress, PROGRESS_AFTER } from '../../../lib/cli/progress';
import type { Verdict } from '../../../lib/verdict';
import { runCaptured } from '../support/cli-run';

const ROOT = resolve(__dirname, '../../..');
const BUNDLED = join(ROOT, 'public/prefix-table.bin');
const ERASE = '\r\x1b[K';

/** Up to 250 public addresses no watchlist entry matches. */
const cleanTargets = (count: number) =>
  // Cloudflare's 1.0.0.0/24: every address has a row (an address with none is unchecked).
  Array.from({ length: Math.min(count, 250) }, (_, i) => `1.0.0.${i + 1}`);

const verdictOf = (status: Verdict['status']): TargetReport => ({
  target: 'x.test',
  verdict: { hostname: 'x.test', status, addresses: [], groups: [] },
});

describe('the progress line', () => {
  it('appears after PROGRESS_AFTER targets, at most once per interval, and is erased at the end', () => {
    let clock = 0;
    let written = '';
    const progress = createProgress({
      write: (t) => void (written += t),
      now: () => clock,
      total: 200,
      intervalMs: 100,
    });
    for (let i = 1; i < PROGRESS_AFTER; i++) progress.checked(false);
    expect(written).toBe('');
    progress.checked(true);
    expect(written).toBe(`${ERASE}carrierflag: ${PROGRESS_AFTER} of 200 checked, 1 flagged`);
    progress.checked(false); // same instant: not rewritten
    expect(written.split(ERASE)).toHaveLength(2);
    clock = 150;
    progress.checked(false);
    expect(
      written.endsWith(`${ERASE}carrierflag: ${PROGRESS_AFTER + 2} of 200 checked, 1 flagged`),
    ).toBe(true);
    progress.end();
    expect(written.endsWith(ERASE)).toBe(true);
    const before = written;
    progress.end(); // nothing shown any more: nothing to erase
    expect(written).toBe(before);
  });

  it('counts lookups without a flagged count, and without a total when the length is unknown', () => {
    let written = '';
    const progress = createProgress({
      write: (t) => void (written += t),
      now: () => 0,
      lookupsOnly: true,
      after: 1,
    });
    progress.checked(false);
    expect(written).toBe(`${ERASE}carrierflag: 1 looked up`);
  });

  it('shows on a terminal, erased before the table and never in it', async () => {
    const targets = cleanTargets(PROGRESS_AFTER + 10);
    const r = await runCaptured(targets, {
      defaultTablePath: BUNDLED,
      stderrIsTerminal: true,
      stdoutIsTerminal: true,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `carrierflag: ${PROGRESS_AFTER} of ${targets.length} checked, 0 flagged`,
    );
    expect(r.stderr.endsWith(ERASE)).toBe(true);
    expect(r.stdout).not.toContain('carrierflag:');
  });

  it('is not shown when standard error is a pipe or a file', async () => {
    const r = await runCaptured(cleanTargets(PROGRESS_AFTER + 10), { defaultTablePath: BUNDLED });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('the totals line', () => {
  it('ends the table: flagged, clean, unchecked, invalid', async () => {
    const r = await runCaptured(['202.96.128.86', '1.1.1.1', '8.8.8.8', '1.2.3', 'not_a host'], {
      defaultTablePath: BUNDLED,
    });
    expect(r.code).toBe(1);
    expect(
      r.stdout.endsWith('\nTotals: 5 targets, 1 flagged, 2 clean, 0 unchecked, 2 invalid\n'),
    ).toBe(true);
  });

  it('is not in --json, whose lines are one object each', async () => {
    const r = await runCaptured(['--json', '1.1.1.1'], { defaultTablePath: BUNDLED });
    expect(r.stdout).not.toContain('Totals');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('counts each status, and local only when there is one', () => {
    const totals = emptyTotals();
    for (const status of ['flagged', 'clean', 'clean', 'unchecked'] as const) {
      countReport(totals, verdictOf(status));
    }
    countReport(totals, { target: '1.2.3', error: 'no', errorKind: 'invalid-target' });
    expect(totalsLine(totals)).toBe(
      'Totals: 5 targets, 1 flagged, 2 clean, 1 unchecked, 1 invalid\n',
    );
    countReport(totals, verdictOf('local'));
    expect(totalsLine(totals)).toBe(
      'Totals: 6 targets, 1 flagged, 2 clean, 1 unchecked, 1 invalid, 1 local\n',
    );
    expect(totalsLine({ ...emptyTotals(), clean: 1 })).toBe(
      'Totals: 1 target, 0 flagged, 1 clean, 0 unchecked, 0 invalid\n',
    );
  });
});

describe('error.kind in --json', () => {
  it('is a fixed word with the message beside it', async () => {
    const r = await runCaptured(['--json', '1.2.3', 'localhost', '1.1.1.1'], {
      defaultTablePath: BUNDLED,
    });
    const [bad, local, clean] = r.stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { status: string; error?: { kind: string; message: string } },
      );
    expect(bad?.status).toBe('invalid');
    expect(bad?.error).toEqual({
      kind: 'invalid-target',
      message: expect.stringMatching(/1\.2\.3/),
    });
    expect(local?.error?.kind).toBe('blocked-name');
    expect(clean?.error).toBeUndefined();
  });

  it('is the verdict’s problem kind for a target that could not be checked', () => {
    const unchecked: TargetReport = {
      target: 'gone.test',
      verdict: {
        hostname: 'gone.test',
        status: 'unchecked',
        addresses: [],
        groups: [],
        problem: 'gone.test does not exist (NXDOMAIN)',
        problemKind: 'no-such-name',
      },
    };
    expect(toJson(unchecked).error).toEqual({
      kind: 'no-such-name',
      message: 'gone.test does not exist (NXDOMAIN)',
    });
  });

  it('lists every kind in the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const kind of Object.keys(JSON_ERROR_KINDS)) expect(readme).toContain(`\`${kind}\``);
  });
});
