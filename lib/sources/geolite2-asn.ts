import { cidrBounds, parseCidr } from '../ip/cidr';
import { addressToBigInt } from './bigint';
import { forEachCsvRecord } from './csv';
import { RowCollector } from './row-builder';
import { parseAsn } from './text';
import type { ReadOptions, SourceReadResult } from './types';

const HEADER = 'network,autonomous_system_number,autonomous_system_organization';

/**
 * Reads MaxMind GeoLite2-ASN CSV (GeoLite2-ASN-Blocks-IPv4.csv / -IPv6.csv): a header line
 * `network,autonomous_system_number,autonomous_system_organization`, then one CIDR per row.
 */
export function readGeoLite2AsnCsv(text: string, options: ReadOptions): SourceReadResult {
  const out = new RowCollector(options.file);
  let sawHeader = false;
  forEachCsvRecord(
    text,
    (fields, line) => {
      const raw = fields.join(',');
      if (!sawHeader) {
        sawHeader = true;
        if (raw !== HEADER) out.error(line, `expected the header '${HEADER}'`, raw);
        return;
      }
      if (fields.length !== 3) {
        out.error(line, `expected 3 fields, found ${fields.length}`, raw);
        return;
      }
      const [network, asnText, org] = fields as [string, string, string];
      const parsed = parseCidr(network);
      if (!parsed.ok) {
        out.error(line, `bad network: ${parsed.reason}`, raw);
        return;
      }
      const asn = parseAsn(asnText);
      if (asn < 0) {
        out.error(line, `AS number '${asnText}' is not a decimal integer in 0..4294967295`, raw);
        return;
      }
      const { first, last } = cidrBounds(parsed.cidr);
      const family = parsed.cidr.address.family;
      out.add(family, addressToBigInt(first), addressToBigInt(last), asn, org, line, raw);
    },
    (line, message) => out.error(line, `broken CSV quoting: ${message}`),
  );
  return out.result();
}
