/**
 * The organisation names per origin AS in the routing data the prefix table is built from
 * (@ip-location-db/asn, as pinned in package-lock.json), read with the same CSV reader as
 * scripts/build-table.ts. Only the AS and org fields are decoded, which keeps a full read of the
 * ~0.5 M rows to a couple of seconds.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { forEachCsvRecord } from '../../../lib/sources/csv';
import { parseAsn } from '../../../lib/sources/text';

export const ROUTING_DATA_DIR = resolve(__dirname, '../../../node_modules/@ip-location-db/asn');

/** What the routing data says about one origin AS. */
export interface AsInData {
  /** Org names with the number of ranges carrying each, most ranges first. */
  orgs: Map<string, number>;
  ipv4Addresses: number;
  ipv4Ranges: number;
  ipv6Ranges: number;
}

/** The package version of the routing data, for messages. */
export function routingDataVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(ROUTING_DATA_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

let cached: Map<number, AsInData> | undefined;

/** Every origin AS in both numeric CSVs. Throws on a malformed row rather than skip it. */
export function readRoutingOrgs(): Map<number, AsInData> {
  if (cached) return cached;
  const byAsn = new Map<number, AsInData>();
  for (const [file, family] of [
    ['asn-ipv4-num.csv', 4],
    ['asn-ipv6-num.csv', 6],
  ] as const) {
    const path = resolve(ROUTING_DATA_DIR, file);
    forEachCsvRecord(
      readFileSync(path, 'utf8'),
      (fields, line) => {
        const [start, end, asnText, org] = fields;
        const asn = asnText === undefined ? -1 : parseAsn(asnText);
        if (
          fields.length !== 4 ||
          asn < 0 ||
          start === undefined ||
          end === undefined ||
          org === undefined
        ) {
          throw new Error(`${path}:${line}: not a start,end,asn,org row`);
        }
        let entry = byAsn.get(asn);
        if (!entry) {
          entry = { orgs: new Map(), ipv4Addresses: 0, ipv4Ranges: 0, ipv6Ranges: 0 };
          byAsn.set(asn, entry);
        }
        entry.orgs.set(org, (entry.orgs.get(org) ?? 0) + 1);
        if (family === 4) {
          entry.ipv4Ranges++;
          entry.ipv4Addresses += Number(end) - Number(start) + 1;
        } else entry.ipv6Ranges++;
      },
      (line, message) => {
        throw new Error(`${path}:${line}: ${message}`);
      },
    );
  }
  for (const entry of byAsn.values()) {
    entry.orgs = new Map([...entry.orgs].sort((a, b) => b[1] - a[1]));
  }
  cached = byAsn;
  return byAsn;
}
