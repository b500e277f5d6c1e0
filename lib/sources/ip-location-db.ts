import { lastParseReason } from '../ip/parse';
import { forEachCsvRecord } from './csv';
import { RowCollector, textToNumber } from './row-builder';
import { parseAsn, parseDecimal } from './text';
import type { ReadOptions, SourceReadResult } from './types';

/** Which family a numeric ip-location-db file holds, from its name (asn-ipv4-num.csv, ...). */
function familyFromName(file: string): 4 | 6 | undefined {
  const name = file.toLowerCase();
  if (/ipv6|[^a-z]v6[^a-z0-9]/.test(name)) return 6;
  if (/ipv4|[^a-z]v4[^a-z0-9]/.test(name)) return 4;
  return undefined;
}

/**
 * Reads an ip-location-db ASN CSV: `start,end,asn,org` without a header, RFC 4180 quoting in the
 * org field. Start and end are decimal integers (the `-num` files; the family comes from
 * `options.family` or the file name) or address text (the plain files).
 */
export function readIpLocationDbCsv(text: string, options: ReadOptions): SourceReadResult {
  const out = new RowCollector(options.file);
  const numericFamily = options.family ?? familyFromName(options.file);
  let warnedFamily = false;
  forEachCsvRecord(
    text,
    (fields, line) => {
      const raw = fields.join(',');
      if (fields.length !== 4) {
        out.error(line, `expected 4 fields (start,end,asn,org), found ${fields.length}`, raw);
        return;
      }
      const [startText, endText, asnText, org] = fields as [string, string, string, string];
      let family: 4 | 6;
      let start: bigint;
      let end: bigint;
      if (/[.:]/.test(startText)) {
        const s = textToNumber(startText);
        const e = textToNumber(endText);
        if (s === undefined || e === undefined) {
          out.error(line, `bad address: ${lastParseReason()}`, raw);
          return;
        }
        if (s.family !== e.family) {
          out.error(line, 'start and end are of different families', raw);
          return;
        }
        family = s.family;
        start = s.value;
        end = e.value;
      } else {
        if (numericFamily === undefined) {
          if (!warnedFamily) {
            out.error(line, 'numeric addresses, but the file name does not say ipv4 or ipv6', raw);
            warnedFamily = true;
          } else out.skipped++;
          return;
        }
        const s = parseDecimal(startText);
        const e = parseDecimal(endText);
        if (s === undefined || e === undefined) {
          out.error(line, 'start and end must be decimal integers', raw);
          return;
        }
        family = numericFamily;
        start = s;
        end = e;
      }
      const asn = parseAsn(asnText);
      if (asn < 0) {
        out.error(line, `AS number '${asnText}' is not a decimal integer in 0..4294967295`, raw);
        return;
      }
      out.add(family, start, end, asn, org, line, raw);
    },
    (line, message) => out.error(line, `broken CSV quoting: ${message}`),
  );
  return out.result();
}
