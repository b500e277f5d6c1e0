// Public API of the prefix table. The Node codec is in ./node-codec (it imports node:*), the
// browser one in ./web-codec.
export * from './types';
export { imageChecksum } from './image-checksum';
export { imageVersionOf, tableFromImage, tableImage, TABLE_IMAGE_VERSION } from './table-image';
export { decodeTable, readTableMeta } from './decode';
export { encodeTable, type EncodeMeta } from './encode';
export { plainLookup, tableFromColumns } from './table';
