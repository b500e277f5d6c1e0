// Our side of the benchmark, in one place: the same calls the extension and the CLI make.

import {
  decodeTable,
  tableFromColumns,
  type PrefixTable,
  type TableColumns,
} from '../lib/prefix-table';
import { parseIp } from '../lib/ip/parse';
import type { IpAddress } from '../lib/ip/types';
import { nodeTableCodec } from '../lib/prefix-table/node-codec';
import { createWebTableCodec } from '../lib/prefix-table/web-codec';

export type OursTable = PrefixTable;

const webCodec = createWebTableCodec();

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
  /** Parsing alone: the address family, 0 when the text is not an address. */
  parseFamily(text: string): number {
    const r = parseIp(text);
    return r.ok ? r.address.family : 0;
  },
  /** Parses every text, failing loudly: the samples are generated, so all must be valid. */
  parseAll(texts: readonly string[]): IpAddress[] {
    return texts.map((text) => {
      const r = parseIp(text);
      if (!r.ok) throw new Error(`sample address ${text} does not parse: ${r.reason}`);
      return r.address;
    });
  },
  describe(table: PrefixTable): string {
    const m = table.meta;
    return `format v${m.formatVersion}, ${m.source} ${m.sourceVersion}, ${m.v4Ranges.toLocaleString('en-US')} v4 + ${m.v6Ranges.toLocaleString('en-US')} v6 ranges, ${m.asnCount.toLocaleString('en-US')} ASNs`;
  },
};
