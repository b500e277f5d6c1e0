// Reads the @ip-location-db/asn numeric CSVs (start,end,asn,org; inclusive ranges, one row a line)
// into plain arrays: the input of the MMDB peer, of the address samples and of the CSV baseline.

/** Rows of one address family, sorted by start; v4 addresses as numbers, v6 as bigint. */
export interface AsnRows<T> {
  readonly first: T[];
  readonly last: T[];
  readonly asn: number[];
  readonly org: string[];
}

export interface AsnCsv {
  readonly v4: AsnRows<number>;
  readonly v6: AsnRows<bigint>;
  /** Rows whose end was clipped because the next row starts inside them. */
  readonly clipped: number;
}

/** Splits one CSV line into fields, honouring "quoted, fields" with "" escapes. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) throw new Error(`unterminated quote in CSV line: ${line}`);
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      fields.push(value);
      i++; // the comma (or one past the end)
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

function parseRows<T>(text: string, toAddress: (s: string) => T): AsnRows<T> {
  const rows: AsnRows<T> = { first: [], last: [], asn: [], org: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [first, last, asn, org] = splitCsvLine(line.replace(/\r$/, ''));
    if (first === undefined || last === undefined || asn === undefined || org === undefined) {
      throw new Error(`short CSV line: ${line}`);
    }
    rows.first.push(toAddress(first));
    rows.last.push(toAddress(last));
    rows.asn.push(Number(asn));
    rows.org.push(org);
  }
  return rows;
}

/** Clips a row's end where the next row starts inside it (upstream has one such overlap). */
function clipOverlaps<T extends number | bigint>(rows: AsnRows<T>, one: T): number {
  let clipped = 0;
  for (let i = 0; i + 1 < rows.first.length; i++) {
    const next = rows.first[i + 1]!;
    if (next < rows.first[i]!) throw new Error(`CSV rows are not sorted at row ${i + 2}`);
    if (rows.last[i]! >= next) {
      rows.last[i] = ((next as bigint) - (one as bigint)) as T;
      clipped++;
    }
  }
  return clipped;
}

/** Parses asn-ipv4-num.csv and asn-ipv6-num.csv text. */
export function parseAsnCsv(v4Text: string, v6Text: string): AsnCsv {
  const v4 = parseRows(v4Text, Number);
  const v6 = parseRows(v6Text, BigInt);
  const clipped = clipOverlaps(v4, 1) + clipOverlaps(v6, 1n);
  return { v4, v6, clipped };
}
