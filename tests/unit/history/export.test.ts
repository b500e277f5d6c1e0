import { describe, expect, it } from 'vitest';
import {
  csvCell,
  historyToCsv,
  historyToJson,
  MAX_HISTORY_IMPORT_ROWS,
  readHistoryFile,
  type VisitRow,
} from '../../../lib/history';

const ROW: VisitRow = {
  id: '3:abc-1',
  site: 'telecom.test',
  at: Date.UTC(2026, 11, 5, 10, 30),
  carriers: [{ id: 'china-telecom', name: 'China Telecom' }],
  networks: [{ asn: 4134, org: 'Chinanet' }],
  flaggedHosts: ['cdn.telecom.test', 'img.telecom.test'],
  action: 'warned',
};

/** A small RFC 4180 reader, to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('history CSV', () => {
  it('quotes per RFC 4180 and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const start of ['=', '+', '-', '@', '\t']) {
      expect(csvCell(`${start}SUM(A1)`)).toMatch(/^"?'/);
    }
    expect(csvCell('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
  });

  it('a header, one CRLF line per row, lists joined inside a cell, UTF-8 marked', () => {
    const evil: VisitRow = {
      ...ROW,
      id: '4:x',
      carriers: [{ id: 'mine', name: '=cmd|"/c calc"!A1' }],
      networks: [{ asn: 1, org: 'Org, Inc.' }],
    };
    const csv = historyToCsv([ROW, evil]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(csv.slice(1));
    expect(rows).toEqual([
      ['time', 'site', 'carriers', 'networks', 'flagged_hosts', 'action', 'id'],
      [
        '2026-12-05T10:30:00.000Z',
        'telecom.test',
        'China Telecom',
        'AS4134 Chinanet',
        'cdn.telecom.test; img.telecom.test',
        'warned',
        '3:abc-1',
      ],
      [
        '2026-12-05T10:30:00.000Z',
        'telecom.test',
        `'=cmd|"/c calc"!A1`,
        'AS1 Org, Inc.',
        'cdn.telecom.test; img.telecom.test',
        'warned',
        '4:x',
      ],
    ]);
  });

  it('words carriers with the names given (the page’s language)', () => {
    const csv = historyToCsv([ROW], () => '中国电信');
    expect(parseCsv(csv.slice(1))[1]![2]).toBe('中国电信');
  });
});

describe('history JSON', () => {
  it('round-trips: what is exported imports as the same rows', () => {
    const text = historyToJson([ROW], Date.UTC(2026, 11, 6));
    const file = JSON.parse(text) as Record<string, unknown>;
    expect(file).toMatchObject({
      format: 'carrierflag-history',
      version: 1,
      exportedAt: '2026-12-06T00:00:00.000Z',
    });
    expect(readHistoryFile(text)).toEqual({ ok: true, rows: [ROW] });
  });

  it('names the row and field of the first problem, and takes nothing', () => {
    const withRows = (rows: unknown[]) =>
      JSON.stringify({ format: 'carrierflag-history', version: 1, exportedAt: '', rows });
    const cases: [unknown, string][] = [
      [{ ...ROW, site: 'telecom.test/path?q=1' }, 'row 2, field site:'],
      [{ ...ROW, at: 'yesterday' }, 'row 2, field at:'],
      [{ ...ROW, action: 'ignored' }, 'row 2, field action:'],
      [{ ...ROW, carriers: [{ id: 'x' }] }, 'row 2, field carriers[0]:'],
      [{ ...ROW, networks: [{ asn: -1, org: '' }] }, 'row 2, field networks[0]:'],
      [{ ...ROW, flaggedHosts: ['ok.test', 'https://a.test/'] }, 'row 2, field flaggedHosts[1]:'],
      [{ ...ROW, id: '' }, 'row 2, field id:'],
      [ROW, 'row 2, field id: "3:abc-1" appears twice'],
      ['text', 'row 2, field row:'],
    ];
    for (const [bad, message] of cases) {
      const read = readHistoryFile(withRows([ROW, bad]));
      expect(read.ok).toBe(false);
      if (!read.ok) expect(read.reason).toContain(message);
    }
  });

  it('refuses other files, unknown versions and too many rows', () => {
    expect(readHistoryFile('not json').ok).toBe(false);
    expect(readHistoryFile('{"format":"carrierflag-watchlist","version":1,"rows":[]}')).toEqual({
      ok: false,
      reason: 'format must be "carrierflag-history"',
    });
    const v2 = readHistoryFile('{"format":"carrierflag-history","version":2,"rows":[]}');
    expect(v2.ok || v2.reason).toMatch(/version 2 is not known/);
    const many = Array.from({ length: MAX_HISTORY_IMPORT_ROWS + 1 }, (_, i) => ({
      ...ROW,
      id: String(i),
    }));
    const tooMany = readHistoryFile(
      JSON.stringify({ format: 'carrierflag-history', version: 1, rows: many }),
    );
    expect(tooMany.ok || tooMany.reason).toMatch(/at most 10000/);
  });

  it('keeps only the known fields of an imported row', () => {
    const text = JSON.stringify({
      format: 'carrierflag-history',
      version: 1,
      exportedAt: '',
      rows: [{ ...ROW, url: 'https://telecom.test/secret?token=1' }],
    });
    const read = readHistoryFile(text);
    expect(read.ok && read.rows[0]).toEqual(ROW);
  });
});
