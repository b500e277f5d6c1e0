// The baseline our decode time is compared with: what an extension without a compact table would
// do on start-up, i.e. turn the upstream CSV bytes into the same lookup arrays.

export interface CsvBaselineTable {
  readonly v4First: Uint32Array;
  readonly v4Last: Uint32Array;
  readonly v4Org: Uint32Array;
  readonly v6First: bigint[];
  readonly v6Last: bigint[];
  readonly v6Org: Uint32Array;
  /** Distinct "asn,org" entries; the *Org columns index into it. */
  readonly dictionary: string[];
}

/**
 * Decodes the numeric CSVs (UTF-8 bytes) and fills typed arrays plus an ASN/org dictionary,
 * splitting on commas and handling quoted org names: the straightforward way, no tricks.
 */
export function parseCsvBaseline(v4Bytes: Uint8Array, v6Bytes: Uint8Array): CsvBaselineTable {
  const decoder = new TextDecoder();
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const entry = (line: string, from: number): number => {
    // The ASN and org name stay one key: each ASN has exactly one org upstream.
    const key = line.slice(from);
    let i = index.get(key);
    if (i === undefined) {
      i = dictionary.length;
      index.set(key, i);
      dictionary.push(key);
    }
    return i;
  };

  const v4Lines = decoder.decode(v4Bytes).split('\n');
  if (v4Lines[v4Lines.length - 1] === '') v4Lines.pop();
  const v4First = new Uint32Array(v4Lines.length);
  const v4Last = new Uint32Array(v4Lines.length);
  const v4Org = new Uint32Array(v4Lines.length);
  for (let i = 0; i < v4Lines.length; i++) {
    const line = v4Lines[i]!;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    v4First[i] = Number(line.slice(0, c1));
    v4Last[i] = Number(line.slice(c1 + 1, c2));
    v4Org[i] = entry(line, c2 + 1);
  }

  const v6Lines = decoder.decode(v6Bytes).split('\n');
  if (v6Lines[v6Lines.length - 1] === '') v6Lines.pop();
  const v6First: bigint[] = new Array<bigint>(v6Lines.length);
  const v6Last: bigint[] = new Array<bigint>(v6Lines.length);
  const v6Org = new Uint32Array(v6Lines.length);
  for (let i = 0; i < v6Lines.length; i++) {
    const line = v6Lines[i]!;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    v6First[i] = BigInt(line.slice(0, c1));
    v6Last[i] = BigInt(line.slice(c1 + 1, c2));
    v6Org[i] = entry(line, c2 + 1);
  }
  return { v4First, v4Last, v4Org, v6First, v6Last, v6Org, dictionary };
}
