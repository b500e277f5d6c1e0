// Our side of the benchmark, in one place: the same calls the extension and the CLI make.

import {
  decodeTable,
  tableFromColumns,
  type PrefixTable,
  type TableColumns,
} from '../lib/prefix-table';
import { parseIp, parseIpInto, parseIpv4Fast } from '../lib/ip/parse';
import type { IpAddress } from '../lib/ip/types';
import { nodeTableCodec } from '../lib/prefix-table/node-codec';
import { createWebTableCodec } from '../lib/prefix-table/web-codec';

export type OursTable = PrefixTable;

const webCodec = createWebTableCodec();
const PARSE_SCRATCH = new Uint32Array(4);

export const ours = {
  /** Compressed file → table with zlib (the CLI's path). */
  decodeNode: (bytes: Uint8Array): Promise<PrefixTable> => decodeTable(bytes, nodeTableCodec),
  /** Compressed file → table with DecompressionStream and WebCrypto (the service worker's path). */
  decodeWeb: (bytes: Uint8Array): Promise<PrefixTable> => decodeTable(bytes, webCodec),
  /** Columns read back from IndexedDB → table, no decompression. */
  fromColumns: (columns: TableColumns): PrefixTable => tableFromColumns(columns),
  toColumns: (table: PrefixTable): TableColumns => table.toColumns(),
  /**
   * AS number plus the org name's length for the address text, 0 when not routed. Reading the org
   * too makes ours do what maxmind's get() does (it decodes both fields), though ours names lazily.
   */
  lookupAsn(table: PrefixTable, text: string): number {
    const r = table.lookup(text);
    return r.kind === 'routed' ? r.asn + r.org.length : 0;
  },
  /** AS number only (what the watchlist match needs), 0 when not routed. */
  lookupAsnOnly(table: PrefixTable, text: string): number {
    const r = table.lookup(text);
    return r.kind === 'routed' ? r.asn : 0;
  },
  /** ASN and org for the address text, or undefined when not routed. */
  lookupRouted(table: PrefixTable, text: string): { asn: number; org: string } | undefined {
    const r = table.lookup(text);
    return r.kind === 'routed' ? r : undefined;
  },
  /** As lookupAsn, on an address parsed beforehand: the lookup alone, without parsing. */
  lookupAddressAsn(table: PrefixTable, address: IpAddress): number {
    const r = table.lookupAddress(address);
    return r.kind === 'routed' ? r.asn : 0;
  },
  /**
   * Parsing alone, with the parser `table.lookup` runs (lib/prefix-table/table.ts): the IPv4 fast
   * path, then the non-allocating general parser into a scratch array. Returns the family, or a
   * word of the address (so the work cannot be dropped), 0 when the text is not an address.
   */
  parseAsLookupDoes(text: string): number {
    const v4 = parseIpv4Fast(text);
    if (v4 >= 0) return v4 & 0xff;
    const family = parseIpInto(text, PARSE_SCRATCH);
    return family === 0 ? 0 : (PARSE_SCRATCH[3]! & 0xff) + family;
  },
  /** Parses every text, failing loudly: the samples are generated, so all must be valid. */
  parseAll(texts: readonly string[]): IpAddress[] {
    return texts.map((text) => {
      const r = parseIp(text);
      if (!r.ok) throw new Error(`sample address ${text} does not parse: ${r.reason}`);
      return r.address;
    });
  },
  /** Distinct (ASN, org) pairs: the records an MMDB of the same data holds. */
  pairCount: (table: PrefixTable): number => table.toColumns().pairAsns.length - 1,
  describe(table: PrefixTable): string {
    const m = table.meta;
    return `format v${m.formatVersion}, ${m.source} ${m.sourceVersion}, ${m.v4Ranges.toLocaleString('en-US')} v4 + ${m.v6Ranges.toLocaleString('en-US')} v6 ranges, ${m.asnCount.toLocaleString('en-US')} ASNs`;
  },
};
