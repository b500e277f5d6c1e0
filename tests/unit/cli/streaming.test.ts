import { describe, expect, it } from 'vitest';
import { linesOf, targetOfLine } from '../../../lib/cli/lines';
import { createTableWriter, renderTable, type TargetReport } from '../../../lib/cli/output';
import { mapInOrder } from '../../../lib/cli/run';
import { jsonLine, safeForTerminal } from '../../../lib/cli/terminal-text';

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield part;
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('linesOf (standard input a chunk at a time)', () => {
  it('splits across chunks, drops \\r of \\r\\n, keeps a last line without a break', async () => {
    expect(await collect(linesOf(chunks('1.1.1.1\r\n2.2', '.2.2\n\n# c\n', '3.3.3.3')))).toEqual([
      '1.1.1.1',
      '2.2.2.2',
      '',
      '# c',
      '3.3.3.3',
    ]);
    expect(await collect(linesOf(chunks()))).toEqual([]);
    expect(await collect(linesOf(chunks('a\n')))).toEqual(['a']);
  });

  it('decodes UTF-8 split between chunks', async () => {
    const bytes = new TextEncoder().encode('bücher.example\n');
    expect(await collect(linesOf(chunks(bytes.slice(0, 2), bytes.slice(2))))).toEqual([
      'bücher.example',
    ]);
  });

  it('cuts an endless line at the limit and skips the rest of it', async () => {
    const lines = await collect(linesOf(chunks('x'.repeat(6), 'y'.repeat(6), 'z\nnext\n'), 8));
    expect(lines).toEqual(['xxxxxxyy', 'next']);
    expect(await collect(linesOf(chunks(`${'a'.repeat(20)}\nb`), 8))).toEqual(['aaaaaaaa', 'b']);
  });

  it('reads targets the way it always has: trimmed, blank lines and # comments skipped', () => {
    expect(['  a ', '', '  # x', 'b\r'].map(targetOfLine)).toEqual([
      'a',
      undefined,
      undefined,
      'b',
    ]);
  });
});

describe('mapInOrder over a stream', () => {
  it('takes items only as they are needed and never runs past its window', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 200; i++) {
        pulled++;
        yield i;
      }
    }
    const emitted: number[] = [];
    let furthestAhead = 0;
    let release: () => void = () => undefined;
    const slowFirst = new Promise<void>((resolve) => (release = resolve));
    const done = mapInOrder(
      source(),
      4,
      async (i) => {
        furthestAhead = Math.max(furthestAhead, i - emitted.length);
        if (i === 0) await slowFirst;
        return i;
      },
      (i) => void emitted.push(i),
      16,
    );
    // The first item is stuck: work stops at the window, and no more is read than that.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(emitted).toEqual([]);
    expect(pulled).toBeLessThanOrEqual(17);
    release();
    await done;
    expect(emitted).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(furthestAhead).toBeLessThan(16);
  });

  it('waits for a slow emit (a full pipe) before emitting more, and stays in order', async () => {
    const emitted: number[] = [];
    let emitting = 0;
    let overlapped = false;
    await mapInOrder(
      Array.from({ length: 50 }, (_, i) => i),
      8,
      async (i) => i,
      async (i) => {
        if (emitting++ > 0) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, i % 5 === 0 ? 2 : 0));
        emitted.push(i);
        emitting--;
      },
    );
    expect(overlapped).toBe(false);
    expect(emitted).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

const invalid = (target: string): TargetReport => ({
  target,
  error: 'not a target',
  errorKind: 'invalid-target',
});

describe('the table at any size', () => {
  it('holds rows back up to the limit, so the columns fit them all', () => {
    const writer = createTableWriter(3);
    expect(writer.add(invalid('a'))).toBe('');
    expect(writer.add(invalid('a-much-longer-target'))).toBe('');
    const text = writer.end();
    expect(text.split('\n')[0]).toBe('TARGET                IP  AS  ORG  CARRIER');
    expect(text).toContain('\na                     -   -   -    -\n');
    expect(text).toBe(renderTable([invalid('a'), invalid('a-much-longer-target')]));
  });

  it('past the limit prints what it held and then each target as it comes, at fixed widths', () => {
    const writer = createTableWriter(2);
    expect(writer.add(invalid('a'))).toBe('');
    expect(writer.add(invalid('bb'))).toBe('');
    const held = writer.add(invalid('ccc'));
    // TARGET keeps the width of the rows held; IP and AS take their widest; ORG its clip width.
    const header = `TARGET  IP${' '.repeat(39)}AS${' '.repeat(12)}ORG${' '.repeat(39)}CARRIER`;
    expect(held.split('\n')[0]).toBe(header);
    expect(held.split('\n').filter((l) => l && !l.startsWith(' ')).length).toBe(4); // header + 3 rows
    const later = writer.add(invalid('a-target-longer-than-the-held-ones'));
    expect(later).toMatch(/^a-target-longer-than-the-held-ones {2}- {40}- {13}- {41}-\n/);
    expect(writer.end()).toBe('');
  });

  it('renders 200,000 rows without spreading them into a call', () => {
    const reports = Array.from({ length: 200_000 }, (_, i) => invalid(`t${i}`));
    const text = renderTable(reports);
    expect(text.split('\n').length).toBe(1 + 2 * 200_000 + 1);
  });
});

describe('safeForTerminal and jsonLine', () => {
  const hostile =
    'a\u001b]0;owned\u0007\u001b[2Jb\u009b31m\u202eexe.txt\u2066\u200b\u061c\ufeff\u{e0041}\n\r\t\u007f';

  it('turns control, bidirectional and invisible characters into visible escapes', () => {
    expect(safeForTerminal(hostile)).toBe(
      'a\\x1b]0;owned\\x07\\x1b[2Jb\\x9b31m\\u202eexe.txt\\u2066\\u200b\\u061c\\ufeff\\u{e0041}\\n\\r\\t\\x7f',
    );
    expect(safeForTerminal('bücher.example 中国电信 C:\\path')).toBe(
      'bücher.example 中国电信 C:\\path',
    );
  });

  it('writes C1, DEL and format characters in JSON as \\u escapes: valid, same value', () => {
    const line = jsonLine({ org: hostile, n: 1 });
    expect(line).not.toMatch(
      // eslint-disable-next-line no-control-regex -- looking for raw control characters is the point
      /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/,
    );
    expect(line).not.toMatch(/\u{e0041}/u);
    expect(JSON.parse(line)).toEqual({ org: hostile, n: 1 });
    expect(line).toContain('\\u009b31m\\u202eexe.txt');
  });
});
