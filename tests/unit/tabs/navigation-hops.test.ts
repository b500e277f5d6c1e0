import { describe, expect, it } from 'vitest';
import { createNavigationHops } from '../../../lib/tabs/navigation-hops';

describe('navigation hops', () => {
  it("keeps a navigation's redirect hops until it commits, then hands them over once", () => {
    const hops = createNavigationHops();
    hops.navigationStarted(1, 100);
    hops.redirected(1, { url: 'http://short.test/x', ip: '1.48.0.1', at: 110 });
    hops.redirected(1, { url: 'http://track.test/y', at: 120 });
    hops.redirected(2, { url: 'http://other.test/', at: 115 });
    expect(hops.committed(1, 300).map((h) => h.url)).toEqual([
      'http://short.test/x',
      'http://track.test/y',
    ]);
    expect(hops.committed(1, 300)).toEqual([]);
    expect(hops.size()).toBe(1);
  });

  it('drops the hops of a navigation that never committed when the next one starts', () => {
    const hops = createNavigationHops();
    hops.redirected(1, { url: 'http://short.test/download', at: 110 });
    hops.navigationStarted(1, 200);
    expect(hops.committed(1, 300)).toEqual([]);
  });

  it("keeps a navigation's own hops when its start reaches the worker after them", () => {
    const hops = createNavigationHops();
    hops.redirected(1, { url: 'http://old.test/', at: 90 });
    hops.redirected(1, { url: 'http://short.test/', at: 110 });
    hops.navigationStarted(1, 100);
    expect(hops.committed(1, 300).map((h) => h.url)).toEqual(['http://short.test/']);
  });

  it('forgets the hops of a failed navigation or a closed tab', () => {
    const hops = createNavigationHops();
    hops.redirected(1, { url: 'http://short.test/', at: 110 });
    hops.dropped(1);
    expect(hops.committed(1, 300)).toEqual([]);
  });

  it('is bounded per navigation and in tabs', () => {
    const hops = createNavigationHops(2, 2);
    for (const n of [1, 2, 3]) hops.redirected(1, { url: `http://h${n}.test/`, at: n });
    hops.redirected(2, { url: 'http://a.test/', at: 1 });
    hops.redirected(3, { url: 'http://b.test/', at: 1 });
    expect(hops.size()).toBe(2);
    // Tab 1's were the oldest.
    expect(hops.committed(1, 300)).toEqual([]);
    expect(hops.committed(3, 300).map((h) => h.url)).toEqual(['http://b.test/']);
    const one = createNavigationHops(2, 2);
    for (const n of [1, 2, 3]) one.redirected(1, { url: `http://h${n}.test/`, at: n });
    expect(one.committed(1, 300).map((h) => h.url)).toEqual(['http://h1.test/', 'http://h2.test/']);
  });

  it('hands back a hop reported after its commit (Firefox), dated inside that navigation', () => {
    const hops = createNavigationHops();
    hops.navigationStarted(1, 100);
    expect(hops.committed(1, 200, 'DOC-B')).toEqual([]);
    expect(hops.redirected(1, { url: 'http://short.test/', at: 150 })).toEqual({
      at: 200,
      documentId: 'DOC-B',
      from: 100,
    });
    // Not kept for a later commit as well.
    expect(hops.committed(1, 400)).toEqual([]);
  });

  it('keeps for the next commit a hop dated after the last one, and ignores one before its start', () => {
    const hops = createNavigationHops();
    hops.navigationStarted(1, 100);
    hops.committed(1, 200);
    // A hop of the next navigation (its start not yet reported).
    expect(hops.redirected(1, { url: 'http://next.test/', at: 250 })).toBeUndefined();
    // A hop older than the committed navigation's start: of one that never committed.
    expect(hops.redirected(1, { url: 'http://old.test/', at: 90 })).toBeUndefined();
    hops.navigationStarted(1, 240);
    expect(hops.committed(1, 300).map((h) => h.url)).toEqual(['http://next.test/']);
  });

  it('without a reported start, a late hop is dated against the commit before', () => {
    const hops = createNavigationHops();
    hops.committed(1, 100);
    hops.committed(1, 200);
    expect(hops.redirected(1, { url: 'http://short.test/', at: 150 })?.at).toBe(200);
    expect(hops.redirected(1, { url: 'http://older.test/', at: 50 })).toBeUndefined();
  });

  it('remembers a bounded number of tabs, commits included', () => {
    const hops = createNavigationHops(2, 3);
    for (let tab = 1; tab <= 10; tab += 1) hops.committed(tab, 100);
    expect(hops.tabs()).toBe(3);
    hops.dropped(10);
    expect(hops.tabs()).toBe(2);
  });
});
