import { describe, expect, it } from 'vitest';
import { hostWitness } from '../../../lib/tabs/host-witness';

const CARRIER = '202.96.128.86';
const watched = (ip: string) => ip === CARRIER || ip === '::ffff:202.96.128.86';
const named = (address: string) => ({ address, type: 'http', detectedBy: 'proxy-info' as const });

describe('hostWitness', () => {
  it('a connection on a watched network witnesses, whoever calls it a proxy', () => {
    expect(hostWitness({ ip: CARRIER }, watched)).toBe(CARRIER);
    expect(hostWitness({ ip: CARRIER, namedProxy: named(CARRIER) }, watched)).toBe(CARRIER);
    expect(hostWitness({ ip: CARRIER, pageProxy: CARRIER }, watched)).toBe(CARRIER);
    // No connected address, but Firefox names a proxy configured by a watched address.
    expect(hostWitness({ namedProxy: named(CARRIER) }, watched)).toBe(CARRIER);
  });

  it('a proxy on a clean or local address is set aside, named by Firefox or the page', () => {
    expect(hostWitness({ ip: '127.0.0.1', namedProxy: named('127.0.0.1') }, watched)).toBe(
      undefined,
    );
    expect(hostWitness({ ip: '1.0.0.1', pageProxy: '1.0.0.1' }, watched)).toBeUndefined();
    expect(hostWitness({ ip: '::ffff:1.0.0.1', pageProxy: '1.0.0.1' }, watched)).toBeUndefined();
    expect(hostWitness({ namedProxy: named('proxy.corp.example') }, watched)).toBeUndefined();
  });

  it('any other connected address witnesses; no connection, no witness', () => {
    expect(hostWitness({ ip: '1.1.1.1', pageProxy: '1.0.0.1' }, watched)).toBe('1.1.1.1');
    expect(hostWitness({}, watched)).toBeUndefined();
  });
});
