import { partsOf } from '../../../lib/prefix-table/table';
import type { PrefixTable } from '../../../lib/prefix-table';

/**
 * The image an earlier release (table image version 2) wrote for `table`: the 32-bit values and
 * the 16-bit v4 keys as their own arrays. The layout of lib/prefix-table/table-image.ts, written
 * here independently so that a change there cannot also change what "an older image" means.
 */
export function version2Image(table: PrefixTable): Uint8Array<ArrayBuffer> {
  const parts = partsOf(table);
  if (!parts) throw new TypeError('not a table built by lib/prefix-table');
  const columns = table.toColumns();
  const v4LowKeys = new Uint16Array(columns.v4Keys.length);
  for (let i = 0; i < v4LowKeys.length; i++) v4LowKeys[i] = columns.v4Keys[i]! & 0xffff;
  const arrays: [string, Uint32Array | Uint16Array | Uint8Array][] = [
    ['v4Values', columns.v4Values],
    ['v6KeysHigh', columns.v6KeysHigh],
    ['v6KeysMid', columns.v6KeysMid],
    ['v6Values', columns.v6Values],
    ['v6LowIndex', columns.v6LowIndex],
    ['v6LowWords', columns.v6LowWords],
    ['pairAsns', columns.pairAsns],
    ['names', columns.names],
    ['nameStarts', columns.nameStarts],
    ['dupPairs', columns.dupPairs],
    ['dupTargets', columns.dupTargets],
    ['v4Index', parts.indexes.v4Index],
    ['v4LowKeys', v4LowKeys],
    ['v6Summary', parts.indexes.v6Summary],
  ];
  const DATA_START = 4096; // past any header this writes
  const align8 = (n: number) => Math.ceil(n / 8) * 8;
  let at = DATA_START;
  const entries = arrays.map(([name, array]) => {
    const kind = array instanceof Uint32Array ? 'u32' : array instanceof Uint16Array ? 'u16' : 'u8';
    const entry = [name, kind, at, array.length] as const;
    at = align8(at + array.byteLength);
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify({ meta: table.meta, arrays: entries }));
  if (12 + header.length > DATA_START) throw new Error('header too long for this writer');
  const image = new Uint8Array(at);
  image.set([0x43, 0x46, 0x54, 0x49], 0); // "CFTI"
  const view = new DataView(image.buffer);
  view.setUint32(4, 2, true);
  view.setUint32(8, header.length, true);
  image.set(header, 12);
  arrays.forEach(([, array], k) => {
    image.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), entries[k]![2]);
  });
  return image;
}
