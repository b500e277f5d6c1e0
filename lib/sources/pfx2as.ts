import { cidrBounds, parseCidr } from '../ip/cidr';
import { addressToBigInt } from './bigint';
import { RowCollector } from './row-builder';
import { forEachLine, parseAsn } from './text';
import type { ReadOptions, SourceReadResult } from './types';

/**
 * Reads a CAIDA RouteViews prefix-to-AS file: tab-separated `prefix length origin`. A multi-origin
 * prefix (`a_b`) or an AS set (`a,b`) is attributed to its first AS and reported. The file has no
 * names: org is `options.names.get(asn)` or "AS<n>". Nested prefixes are normal here; they are
 * flattened later (most specific wins) by `normalizeRanges`.
 */
export function readPfx2as(text: string, options: ReadOptions): SourceReadResult {
  const out = new RowCollector(options.file);
  forEachLine(text, (row, line) => {
    if (row.length === 0 || row.startsWith('#')) return;
    const fields = row.split('\t');
    if (fields.length !== 3) {
      out.error(
        line,
        `expected 3 tab-separated fields (prefix, length, origin), found ${fields.length}`,
        row,
      );
      return;
    }
    const [prefix, lengthText, origin] = fields as [string, string, string];
    const parsed = parseCidr(`${prefix}/${lengthText}`);
    if (!parsed.ok) {
      out.error(line, `bad prefix: ${parsed.reason}`, row);
      return;
    }
    const first = origin.split(/[_,]/)[0] ?? '';
    const asn = parseAsn(first);
    if (asn < 0 || (first !== origin && !/^[0-9]+([_,][0-9]+)+$/.test(origin))) {
      out.error(
        line,
        `origin '${origin}' is not an AS number, a_b multi-origin or a,b AS set`,
        row,
      );
      return;
    }
    if (first !== origin) {
      const what = origin.includes(',') ? 'AS set' : 'multi-origin prefix';
      out.warn(line, `${what} '${origin}': attributed to its first AS, AS${asn}`);
    }
    const { first: lo, last: hi } = cidrBounds(parsed.cidr);
    const org = options.names?.get(asn) ?? `AS${asn}`;
    out.add(
      parsed.cidr.address.family,
      addressToBigInt(lo),
      addressToBigInt(hi),
      asn,
      org,
      line,
      row,
    );
  });
  return out.result();
}
