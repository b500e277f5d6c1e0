import { describe, expect, it } from 'vitest';
import { fakeSession } from '../support/tab-fakes';
import {
  CONNECTION_MEMORY_KEY,
  CONNECTION_MEMORY_MAX_HOSTS,
  CONNECTION_MEMORY_TTL_MS,
  createConnectionMemory,
  readConnectionMemory,
  recallConnection,
  rememberConnection,
  type ConnectionMemoryState,
} from '../../../lib/tabs/connection-memory';

const empty = (): ConnectionMemoryState => ({ version: 1, hosts: {} });

describe('connection memory', () => {
  it('recalls the last connection within the TTL, and nothing after it', () => {
    const state = rememberConnection(empty(), 'shop.example', { ip: '202.96.128.86' }, 1_000)!;
    expect(recallConnection(state, 'shop.example', 1_000 + CONNECTION_MEMORY_TTL_MS - 1)).toEqual({
      ip: '202.96.128.86',
      at: 1_000,
    });
    expect(recallConnection(state, 'shop.example', 1_000 + CONNECTION_MEMORY_TTL_MS)).toBe(
      undefined,
    );
    expect(recallConnection(state, 'other.example', 1_000)).toBeUndefined();
    // A clock that went back does not make an entry last forever.
    expect(recallConnection(state, 'shop.example', 999)).toBeUndefined();
    // A host named like an Object property is just a host.
    expect(recallConnection(state, 'constructor', 1_000)).toBeUndefined();
  });

  it('keeps at most CONNECTION_MEMORY_MAX_HOSTS sites, forgetting the least recently connected', () => {
    let state = empty();
    for (let i = 0; i <= CONNECTION_MEMORY_MAX_HOSTS; i++) {
      state = rememberConnection(state, `h${i}.example`, { ip: '1.1.1.1' }, 1_000 + i)!;
    }
    const now = 1_000 + CONNECTION_MEMORY_MAX_HOSTS;
    expect(Object.keys(state.hosts)).toHaveLength(CONNECTION_MEMORY_MAX_HOSTS);
    expect(recallConnection(state, 'h0.example', now)).toBeUndefined();
    expect(recallConnection(state, 'h1.example', now)).toBeDefined();
    expect(JSON.stringify(state).length).toBeLessThan(30_000);
  });

  it('drops expired entries when it writes, and skips a write that changes nothing', () => {
    const first = rememberConnection(empty(), 'old.example', { ip: '1.1.1.1' }, 0)!;
    const later = rememberConnection(
      first,
      'new.example',
      { ip: '1.0.0.1' },
      CONNECTION_MEMORY_TTL_MS,
    )!;
    expect(Object.keys(later.hosts)).toEqual(['new.example']);
    expect(
      rememberConnection(later, 'new.example', { ip: '1.0.0.1' }, CONNECTION_MEMORY_TTL_MS + 1),
    ).toBeNull();
    const proxied = rememberConnection(
      later,
      'new.example',
      { ip: '1.0.0.1', proxy: { address: '1.0.0.1', detectedBy: 'repeated-address' } },
      CONNECTION_MEMORY_TTL_MS + 1,
    );
    expect(proxied?.hosts['new.example']?.proxy).toEqual({
      address: '1.0.0.1',
      detectedBy: 'repeated-address',
    });
  });

  it('reads a damaged or older record as empty, and a damaged entry as absent', () => {
    expect(readConnectionMemory(undefined)).toEqual(empty());
    expect(readConnectionMemory({ version: 2, hosts: {} })).toEqual(empty());
    expect(
      readConnectionMemory({
        version: 1,
        hosts: { 'a.example': { ip: 7, at: 1 }, 'b.example': { ip: '1.1.1.1', at: 1 } },
      }),
    ).toEqual({ version: 1, hosts: { 'b.example': { ip: '1.1.1.1', at: 1 } } });
  });

  it('lives in storage.session, so a restarted worker recalls it; a refused write costs nothing else', async () => {
    const session = fakeSession();
    const now = { at: 5_000 };
    const logged: string[] = [];
    const deps = { session, now: () => now.at, log: (m: string) => void logged.push(m) };
    await createConnectionMemory(deps).remember('shop.example', { ip: '202.96.128.86' });
    // Stored as the session-record store's versioned record.
    expect(session.data.get(CONNECTION_MEMORY_KEY)).toMatchObject({ v: 1, data: { version: 1 } });
    expect(await createConnectionMemory(deps).recall('shop.example')).toEqual({
      ip: '202.96.128.86',
      at: 5_000,
    });
    const full = {
      ...session,
      set: async () => {
        throw new Error('QUOTA_BYTES quota exceeded');
      },
    };
    now.at += 120_000;
    const refused = createConnectionMemory({ ...deps, session: full });
    await refused.remember('x.example', { ip: '1.1.1.1' });
    // The session-record store logs the refusal (naming the key) and flags the full store.
    expect(logged).toEqual(['session records connections:last: not stored (storage full)']);
    expect(refused.full).toBe(true);
    // This worker still recalls it; the older record stays stored for a restarted one.
    expect(await refused.recall('x.example')).toEqual({ ip: '1.1.1.1', at: now.at });
    expect(await createConnectionMemory(deps).recall('shop.example')).toBeDefined();
  });
});
