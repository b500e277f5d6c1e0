import { describe, expect, it } from 'vitest';
import { sourceMapper, topSelfTime, type CpuProfile } from '../../../bench/e2e/profile';
import {
  addressOf,
  browserArgs,
  CARRIER_V4,
  CLEAN_V4,
  classedHost,
} from '../../../bench/e2e/network';

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 4,
});

describe("the worker profile's top self time", () => {
  it('sums each sample until the next one per function, leaves idle out, biggest first', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('(idle)') },
        {
          id: 3,
          callFrame: frame(
            'judge',
            'chrome-extension://abcdefghijklmnopabcdefghijklmnop/background.js',
            9,
          ),
        },
        { id: 4, callFrame: frame('') },
      ],
      // Sample i lasts timeDeltas[i + 1] µs.
      samples: [3, 2, 3, 4, 3],
      timeDeltas: [0, 1000, 5000, 2000, 3000, 0],
      startTime: 0,
      endTime: 11_000,
    };
    const { top, busyMs } = topSelfTime(profile, 10);
    expect(busyMs).toBe(6);
    expect(top).toEqual([
      { name: 'judge', location: 'background.js:10:5', ms: 3, percent: 50 },
      { name: '(anonymous)', location: '', ms: 3, percent: 50 },
    ]);
    expect(topSelfTime(profile, 1).top).toHaveLength(1);
  });
});

describe("the bench's test network", () => {
  it('puts carrier hosts on China Telecom and clean ones on the four clean addresses, for DoH and the browser alike', () => {
    expect(addressOf(classedHost('h20', 'r1c.test', 'carrier'))).toBe(CARRIER_V4);
    expect(addressOf('warm-3.telecom.test')).toBe(CARRIER_V4);
    expect(addressOf(classedHost('h1', 'r1c.test', 1))).toBe(CLEAN_V4[1]);
    expect(addressOf(classedHost('h7', 'r1c.test', 7))).toBe(CLEAN_V4[3]);
    expect(addressOf('s.r1c.test')).toBe(CLEAN_V4[0]);
    const rules = (kind: 'netns' | 'loopback') =>
      browserArgs({ kind, description: '', listenOn: '' }, 'spki', undefined).find((a) =>
        a.startsWith('--host-resolver-rules='),
      );
    expect(rules('netns')).toContain(`MAP ct-* ${CARRIER_V4}`);
    expect(rules('netns')).toContain(`MAP c3-* ${CLEAN_V4[3]}`);
    expect(rules('loopback')).toContain('MAP *.test 127.0.0.1');
    expect(rules('loopback')).not.toContain(CARRIER_V4);
  });

  it('loads an extension only when given one', () => {
    const network = { kind: 'netns' as const, description: '', listenOn: '' };
    expect(browserArgs(network, 'spki', undefined).some((a) => a.includes('extension'))).toBe(
      false,
    );
    expect(browserArgs(network, 'spki', '/x')).toContain('--load-extension=/x');
  });
});

describe('the source map reader for profile locations', () => {
  it('maps a generated line and column to the source line of the segment at or before it', () => {
    // Line 1: a segment at column 0 (a.ts line 1) and one at column 16 ("gB": b.ts line 3).
    // Line 2: a segment at column 0 on a.ts line 4 (source lines are relative to the previous segment).
    const map = JSON.stringify({
      version: 3,
      sources: ['../../lib/a.ts', '../../lib/b.ts'],
      mappings: 'AAAA,gBCEA;ADCA',
    });
    const toSource = sourceMapper(map);
    expect(toSource(1, 1)).toBe('lib/a.ts:1');
    expect(toSource(1, 16)).toBe('lib/a.ts:1');
    expect(toSource(1, 17)).toBe('lib/b.ts:3');
    expect(toSource(2, 5)).toBe('lib/a.ts:4');
    expect(toSource(3, 1)).toBeUndefined();
  });
});
