import type { DohRecord } from './doh-server';

/** The answers a name should get, following CNAMEs through the records given to the server. */
export function expectedAddresses(
  records: readonly DohRecord[],
  name: string,
  type: 'A' | 'AAAA',
): string[] {
  let current = name;
  for (let hop = 0; hop < 8; hop++) {
    const cname = records.find((r) => r.name === current && r.type === 'CNAME');
    if (!cname) break;
    current = cname.value;
  }
  return records.filter((r) => r.name === current && r.type === type).map((r) => r.value);
}

/** Same text form as dns-wire's AAAA output: eight unpadded hex words. */
export function expandV6(address: string): string {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = address.includes('::') ? Array(8 - left.length - right.length).fill('0') : [];
  return [...left, ...zeros, ...right].map((w) => parseInt(w, 16).toString(16)).join(':');
}
