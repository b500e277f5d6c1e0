import { lastParseReason } from '../ip/parse';
import { RowCollector, textToNumber } from './row-builder';
import { forEachLine, parseAsn } from './text';
import type { ReadOptions, SourceReadResult } from './types';

/**
 * Reads iptoasn.com `ip2asn-combined.tsv` (or the v4/v6 files): tab-separated
 * `range_start range_end AS_number country_code AS_description` with textual addresses. AS 0
 * rows mean "Not routed" and are counted, not returned.
 */
export function readIptoasnTsv(text: string, options: ReadOptions): SourceReadResult {
  const out = new RowCollector(options.file);
  forEachLine(text, (row, line) => {
    if (row.length === 0) return;
    const fields = row.split('\t');
    if (fields.length !== 5) {
      out.error(line, `expected 5 tab-separated fields, found ${fields.length}`, row);
      return;
    }
    const [startText, endText, asnText, , org] = fields as [string, string, string, string, string];
    const s = textToNumber(startText);
    const e = textToNumber(endText);
    if (s === undefined || e === undefined) {
      out.error(line, `bad address: ${lastParseReason()}`, row);
      return;
    }
    if (s.family !== e.family) {
      out.error(line, 'start and end are of different families', row);
      return;
    }
    const asn = parseAsn(asnText);
    if (asn < 0) {
      out.error(line, `AS number '${asnText}' is not a decimal integer in 0..4294967295`, row);
      return;
    }
    if (asn === 0) {
      out.notRouted++;
      return;
    }
    out.add(s.family, s.value, e.value, asn, org, line, row);
  });
  return out.result();
}
