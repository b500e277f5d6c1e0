import type { IpAddress } from '../ip/types';

export const MAX_V4 = 0xffffffffn;
export const MAX_V6 = (1n << 128n) - 1n;

/** An address as an unsigned integer (32-bit for IPv4, 128-bit for IPv6). */
export function addressToBigInt(address: IpAddress): bigint {
  if (address.family === 4) return BigInt(address.value >>> 0);
  const [w0, w1, w2, w3] = address.words;
  return (
    (BigInt(w0 >>> 0) << 96n) |
    (BigInt(w1 >>> 0) << 64n) |
    (BigInt(w2 >>> 0) << 32n) |
    BigInt(w3 >>> 0)
  );
}

/** The address of an unsigned integer in the given family (no range check). */
export function bigIntToAddress(family: 4 | 6, value: bigint): IpAddress {
  if (family === 4) return { family: 4, value: Number(value) };
  return {
    family: 6,
    words: [
      Number((value >> 96n) & 0xffffffffn),
      Number((value >> 64n) & 0xffffffffn),
      Number((value >> 32n) & 0xffffffffn),
      Number(value & 0xffffffffn),
    ],
  };
}
