import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FIREFOX_ID_VARIABLE,
  firefoxAddonId,
  ISSUE_TRACKER_URL,
  PLACEHOLDER_FIREFOX_ID,
} from '../../lib/project';

const README = readFileSync('README.md', 'utf8');
const WXT_CONFIG = readFileSync('wxt.config.ts', 'utf8');

describe('the project constants and the README say the same', () => {
  it('names the issue tracker the popup opens, and where it is set', () => {
    expect(README).toContain(ISSUE_TRACKER_URL);
    expect(README).toContain('`ISSUE_TRACKER_URL` in `lib/project.ts`');
  });

  it('says the Firefox add-on id is a placeholder and how a packager sets theirs', () => {
    expect(README).toContain(PLACEHOLDER_FIREFOX_ID);
    expect(README).toContain(`${FIREFOX_ID_VARIABLE}=`);
    // The manifest takes the id from lib/project.ts, not from a second copy.
    expect(WXT_CONFIG).not.toContain(PLACEHOLDER_FIREFOX_ID);
    expect(WXT_CONFIG).toContain('firefoxAddonId(process.env)');
  });
});

describe('firefoxAddonId', () => {
  it('is the packager’s id when given, else the placeholder', () => {
    expect(firefoxAddonId({})).toBe(PLACEHOLDER_FIREFOX_ID);
    expect(firefoxAddonId({ [FIREFOX_ID_VARIABLE]: '  ' })).toBe(PLACEHOLDER_FIREFOX_ID);
    expect(firefoxAddonId({ [FIREFOX_ID_VARIABLE]: 'carrierflag@example.org' })).toBe(
      'carrierflag@example.org',
    );
  });
});
