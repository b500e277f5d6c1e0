// Public API of the prefix table. The Node codec is in ./node-codec (it imports node:*), the
// browser one in ./web-codec.
export * from './types';
export { columnsChecksum } from './columns-checksum';
export { decodeTable, readTableMeta } from './decode';
export { encodeTable, type EncodeMeta } from './encode';
export { plainLookup, tableFromColumns } from './table';
