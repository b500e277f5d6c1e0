// Where the benchmark reads its inputs and keeps its build products (relative to the repo root,
// which scripts/bench.mjs makes the working directory).
import { resolve } from 'node:path';

export const CSV_DIR = resolve('node_modules/@ip-location-db/asn');
/** The numeric CSVs feed the MMDB, samples and CSV baseline; the text CSVs are the size reference. */
export const CSV_FILES = {
  num: ['asn-ipv4-num.csv', 'asn-ipv6-num.csv'],
  text: ['asn-ipv4.csv', 'asn-ipv6.csv'],
} as const;
export const TABLE_PATH = resolve('public/prefix-table.bin');
export const CACHE_DIR = resolve('.cache/bench');
export const MMDB_PATH = resolve(CACHE_DIR, 'asn.mmdb');
/** Our table's columns, v8-serialized like a structured clone from IndexedDB. */
export const COLUMNS_PATH = resolve(CACHE_DIR, 'columns.v8');
