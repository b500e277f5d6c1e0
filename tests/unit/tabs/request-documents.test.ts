import { describe, expect, it } from 'vitest';
import { createRequestDocuments } from '../../../lib/tabs/request-documents';

function setup(options: { maxHeld?: number; maxDocuments?: number } = {}) {
  let now = 0;
  const givenUp: [string, string][] = [];
  const documents = createRequestDocuments<string>({
    now: () => now,
    onGivenUp: (item, why) => void givenUp.push([item, why]),
    holdMs: 1000,
    ...options,
  });
  return { documents, givenUp, advance: (ms: number) => void (now += ms) };
}

// What Chromium 156 reported for a new page's first script in tab 2, before the browser had
// recorded the page's frame.
const UNPLACED = { tabId: 2007674970, frameId: 4, documentId: 'DOC-B', documentLifecycle: '' };

describe('request documents', () => {
  it("holds a request whose tab the browser could not say, and gives it to its document's tab at the commit", () => {
    const t = setup();
    expect(t.documents.place(UNPLACED, 'h1.test')).toEqual({ kind: 'held' });
    expect(t.documents.place({ ...UNPLACED, documentId: 'DOC-C' }, 'framed.test')).toEqual({
      kind: 'held',
    });
    // Another document's commit releases nothing of DOC-B.
    expect(t.documents.committed(2, 3, 'DOC-C')).toEqual([{ item: 'framed.test', tabId: 2 }]);
    expect(t.documents.committed(2, 0, 'DOC-B')).toEqual([
      { item: 'h1.test', tabId: 2, topDocument: 'DOC-B' },
    ]);
    expect(t.documents.heldCount()).toBe(0);
    // Once committed, the same garbled request is placed at once.
    expect(t.documents.place(UNPLACED, 'h2.test')).toEqual({
      kind: 'tab',
      tabId: 2,
      topDocument: 'DOC-B',
    });
    expect(t.givenUp).toEqual([]);
  });

  it("names the top-level document of a main-frame request and places a known document by its commit's tab", () => {
    const t = setup();
    const request = { tabId: 5, frameId: 0, documentId: 'DOC-A', documentLifecycle: 'active' };
    expect(t.documents.place(request, 'x')).toEqual({
      kind: 'tab',
      tabId: 5,
      topDocument: 'DOC-A',
    });
    t.documents.committed(5, 7, 'DOC-F');
    expect(t.documents.place({ ...request, frameId: 7, documentId: 'DOC-F' }, 'y')).toEqual({
      kind: 'tab',
      tabId: 5,
    });
    // A browser that names no document (nor lifecycle): taken as it comes.
    expect(t.documents.place({ tabId: 5, frameId: 0 }, 'z')).toEqual({ kind: 'tab', tabId: 5 });
  });

  it('ignores requests that are no tab’s, and pages the tab does not show', () => {
    const t = setup();
    expect(t.documents.place({ tabId: -1, frameId: -1 }, 'worker')).toEqual({
      kind: 'ignored',
      why: 'not a tab',
    });
    for (const documentLifecycle of ['prerender', 'cached', 'pending_deletion']) {
      expect(
        t.documents.place({ tabId: 1, frameId: 0, documentId: 'D', documentLifecycle }, 'x'),
      ).toEqual({ kind: 'ignored', why: 'not the shown page' });
    }
  });

  it('gives up a waiting request when its document never commits, and when too many wait', () => {
    const t = setup({ maxHeld: 2 });
    t.documents.place({ ...UNPLACED, documentId: 'D1' }, 'one');
    t.advance(600);
    t.documents.place({ ...UNPLACED, documentId: 'D2' }, 'two');
    t.documents.place({ ...UNPLACED, documentId: 'D3' }, 'three');
    expect(t.givenUp).toEqual([['one', 'too many waiting']]);
    t.advance(1000);
    expect(t.documents.committed(1, 0, 'D3')).toEqual([]);
    expect(t.givenUp).toEqual([
      ['one', 'too many waiting'],
      ['two', 'timed out'],
      ['three', 'timed out'],
    ]);
    expect(t.documents.heldCount()).toBe(0);
  });

  it('remembers at most maxDocuments documents, the newest', () => {
    const t = setup({ maxDocuments: 2 });
    t.documents.committed(1, 0, 'D1');
    t.documents.committed(2, 0, 'D2');
    t.documents.committed(3, 0, 'D3');
    expect(t.documents.place({ ...UNPLACED, documentId: 'D1' }, 'x')).toEqual({ kind: 'held' });
    expect(t.documents.place({ ...UNPLACED, documentId: 'D3' }, 'y')).toMatchObject({ tabId: 3 });
  });
});
