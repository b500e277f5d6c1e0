import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createNetns, netnsUnavailable } from '../../e2e/support/netns';

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

// Root only (ip netns add), as CI and these machines run; elsewhere the bench falls back to loopback.
describe.runIf(netnsUnavailable() === undefined)('a network namespace for the e2e set-ups', () => {
  it('carries the given public addresses on its loopback, and is gone after remove()', () => {
    const ns = createNetns(['1.48.0.1', '1.1.1.1']);
    try {
      expect(namespaces()).toContain(ns.name);
      const addresses = ns.run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']);
      expect(addresses).toContain('1.48.0.1/32');
      expect(addresses).toContain('1.1.1.1/32');
      expect(addresses).toContain('127.0.0.1/8');
      // Its loopback is up, so a server bound inside answers there.
      expect(ns.run('ip', ['-o', 'link', 'show', 'lo'])).toMatch(/[<,]UP[,>]/);
    } finally {
      ns.remove();
    }
    expect(namespaces()).not.toContain(ns.name);
    // Twice is harmless.
    ns.remove();
  });

  it('gives each namespace its own name and leaves nothing behind when an address is refused', () => {
    const a = createNetns([]);
    const b = createNetns([]);
    try {
      expect(a.name).not.toBe(b.name);
    } finally {
      a.remove();
      b.remove();
    }
    expect(() => createNetns(['not-an-address'])).toThrow(/not an IP address/);
    expect(namespaces()).not.toMatch(new RegExp(`carrierflag-${process.pid}-`));
  });
});
