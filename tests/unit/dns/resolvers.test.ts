import { describe, expect, it } from 'vitest';
import { validateResolverUrl } from '../../../lib/dns/names';
import {
  DEFAULT_RESOLVER_ID,
  RESOLVER_PRESETS,
  resolverUrlOf,
  validateResolverChoice,
} from '../../../lib/dns/resolvers';

describe('RESOLVER_PRESETS', () => {
  it('are valid resolver URLs with unique ids, and the default is one of them', () => {
    const ids = RESOLVER_PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(DEFAULT_RESOLVER_ID);
    for (const preset of RESOLVER_PRESETS) {
      expect(validateResolverUrl(preset.url)).toEqual({ ok: true, url: preset.url });
      expect(preset.privacyNote.length).toBeGreaterThan(20);
    }
    expect(RESOLVER_PRESETS.find((p) => p.id === DEFAULT_RESOLVER_ID)?.url).toBe(
      'https://cloudflare-dns.com/dns-query',
    );
  });
});

describe('resolverUrlOf', () => {
  it('gives a preset its URL, a custom choice its own, and an unknown preset the first', () => {
    expect(resolverUrlOf({ kind: 'preset', id: 'quad9' })).toBe('https://dns.quad9.net/dns-query');
    expect(resolverUrlOf({ kind: 'custom', url: 'https://doh.example/q' })).toBe(
      'https://doh.example/q',
    );
    expect(resolverUrlOf({ kind: 'preset', id: 'gone' })).toBe(RESOLVER_PRESETS[0]!.url);
  });
});

describe('validateResolverChoice', () => {
  it('accepts a known preset or a usable URL, and says what is wrong otherwise', () => {
    expect(validateResolverChoice({ kind: 'preset', id: 'google' })).toEqual({
      ok: true,
      choice: { kind: 'preset', id: 'google' },
    });
    expect(validateResolverChoice({ kind: 'custom', url: 'https://doh.example/q' })).toEqual({
      ok: true,
      choice: { kind: 'custom', url: 'https://doh.example/q' },
    });
    expect(validateResolverChoice({ kind: 'preset', id: 'gone' })).toEqual({
      ok: false,
      reason: 'unknown preset "gone"',
    });
    expect(validateResolverChoice([])).toEqual({ ok: false, reason: 'must be an object' });
    expect(validateResolverChoice({ kind: 'other' })).toEqual({
      ok: false,
      reason: 'kind must be "preset" or "custom"',
    });
    expect(validateResolverChoice({ kind: 'custom', url: 'http://doh.example/q' }).ok).toBe(false);
  });
});
