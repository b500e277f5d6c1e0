import { describe, expect, it } from 'vitest';
import { isMessage, isOwnPage } from '../../lib/messages';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${ID}/`;

describe('messages', () => {
  it('recognises only our message types', () => {
    expect(isMessage({ type: 'get-status' })).toBe(true);
    expect(isMessage({ type: 'save-settings', settings: {} })).toBe(true);
    expect(isMessage({ type: 'test-resolver', resolverUrl: 'https://dns.example/' })).toBe(true);
    expect(isMessage({ type: 'history-list', filter: {} })).toBe(true);
    expect(isMessage({ type: 'history-clear' })).toBe(true);
    expect(isMessage({ type: 'history-import', text: '{}' })).toBe(true);
    expect(isMessage({ type: 'delete-everything' })).toBe(false);
    expect(isMessage('get-status')).toBe(false);
    expect(isMessage(null)).toBe(false);
  });

  it('accepts our own pages only', () => {
    expect(isOwnPage({ id: ID, url: `${ORIGIN}options.html` }, ID, ORIGIN)).toBe(true);
    expect(isOwnPage({ id: ID, url: `${ORIGIN}popup.html?tab=3` }, ID, ORIGIN)).toBe(true);
    // A content script of ours runs in a web page: its sender URL is the page.
    expect(isOwnPage({ id: ID, url: 'https://evil.example/' }, ID, ORIGIN)).toBe(false);
    expect(isOwnPage({ id: 'otherextension', url: `${ORIGIN}options.html` }, ID, ORIGIN)).toBe(
      false,
    );
    expect(isOwnPage({ id: ID }, ID, ORIGIN)).toBe(false);
    expect(
      isOwnPage(
        { id: ID, url: `chrome-extension://${ID}evil/options.html` },
        ID,
        ORIGIN.slice(0, -1),
      ),
    ).toBe(false);
  });
});
