import { describe, expect, it } from 'vitest';
import { shouldOpenFirstRunPage } from '../../lib/first-run';
import {
  BADGE_NEEDS_ACCESS_COLOR,
  BADGE_NEEDS_ACCESS_TEXT,
  badgeWithHostAccess,
  createHostAccessTracker,
  ENGLISH_HOST_ACCESS_WORDS,
  requiredOrigins,
  type HostAccess,
} from '../../lib/host-access';
import { BADGE_THIRD_PARTY_COLOR } from '../../lib/tabs/badge';
import { BADGE_FLAGGED_COLOR, BADGE_NEUTRAL_COLOR } from '../../lib/verdict';

const words = ENGLISH_HOST_ACCESS_WORDS;
const clean = { text: '', color: BADGE_NEUTRAL_COLOR, title: 'CarrierFlag: site.test is clean' };
const unchecked = { text: '?', color: BADGE_NEUTRAL_COLOR, title: 'CarrierFlag: not checked' };
const amber = { text: '4', color: BADGE_THIRD_PARTY_COLOR, title: 'four hosts' };
const flagged = {
  text: 'CT',
  color: BADGE_FLAGGED_COLOR,
  title: 'CarrierFlag: site.test is on CT',
};

describe('requiredOrigins', () => {
  it("asks for exactly the manifest's host permissions", () => {
    expect(requiredOrigins({ host_permissions: ['http://*/*', 'https://*/*', 7] })).toEqual([
      'http://*/*',
      'https://*/*',
    ]);
    expect(requiredOrigins({})).toEqual([]);
  });
});

describe('badgeWithHostAccess', () => {
  it('leaves every badge as it is with access, or while access is not yet known', () => {
    for (const access of ['granted', 'unknown'] as HostAccess[]) {
      for (const badge of [clean, unchecked, amber, flagged]) {
        expect(badgeWithHostAccess(access, badge, badge === flagged, words)).toBe(badge);
      }
    }
  });

  it('says "needs access" on blue in place of a clean, unchecked or third-party badge', () => {
    for (const badge of [clean, unchecked, amber]) {
      expect(badgeWithHostAccess('missing', badge, false, words)).toEqual({
        text: BADGE_NEEDS_ACCESS_TEXT,
        color: BADGE_NEEDS_ACCESS_COLOR,
        title: 'CarrierFlag needs access to sites to check them',
      });
    }
  });

  it('keeps a site flagged on its own red, and adds the missing access to its title', () => {
    expect(badgeWithHostAccess('missing', flagged, true, words)).toEqual({
      ...flagged,
      title:
        'CarrierFlag: site.test is on CT. CarrierFlag needs access to sites to check the hosts ' +
        'this page loads from',
    });
  });

  it('has a colour of its own, unlike every verdict', () => {
    expect([BADGE_FLAGGED_COLOR, BADGE_NEUTRAL_COLOR, BADGE_THIRD_PARTY_COLOR]).not.toContain(
      BADGE_NEEDS_ACCESS_COLOR,
    );
  });
});

describe('createHostAccessTracker', () => {
  function tracker(answers: (boolean | Error)[]) {
    const changes: HostAccess[] = [];
    const logged: string[] = [];
    const t = createHostAccessTracker({
      contains: () => {
        const next = answers.shift();
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next ?? true);
      },
      onChange: (access) => void changes.push(access),
      log: (message) => logged.push(message),
    });
    return { t, changes, logged };
  }

  it('reports the first answer and then only changes (removed, then granted again)', async () => {
    const { t, changes } = tracker([false, false, true, true, false]);
    expect(t.current()).toBe('unknown');
    expect(await t.check()).toBe('missing');
    expect(await t.check()).toBe('missing');
    expect(await t.check()).toBe('granted');
    expect(await t.check()).toBe('granted');
    expect(await t.check()).toBe('missing');
    expect(changes).toEqual(['missing', 'granted', 'missing']);
  });

  it('keeps what it knew when the browser cannot answer, and logs it', async () => {
    const { t, changes, logged } = tracker([true, new Error('no')]);
    await t.check();
    expect(await t.check()).toBe('granted');
    expect(changes).toEqual(['granted']);
    expect(logged).toEqual(['the access to sites could not be checked']);
  });

  it('answers checks in the order they were made', async () => {
    const { t } = tracker([false, true]);
    const results = await Promise.all([t.check(), t.check()]);
    expect(results).toEqual(['missing', 'granted']);
    expect(t.current()).toBe('granted');
  });
});

describe('shouldOpenFirstRunPage', () => {
  it('opens on install only, not on an update of the extension or of the browser', () => {
    expect(shouldOpenFirstRunPage({ reason: 'install' })).toBe(true);
    expect(shouldOpenFirstRunPage({ reason: 'install', temporary: true })).toBe(true);
    for (const reason of ['update', 'browser_update', 'chrome_update', 'shared_module_update']) {
      expect(shouldOpenFirstRunPage({ reason })).toBe(false);
    }
  });
});

describe('checkSoon', () => {
  it('joins the check in flight instead of asking again; a later check asks anew', async () => {
    let asked = 0;
    let answer = true;
    const t = createHostAccessTracker({
      contains: () => {
        asked += 1;
        return Promise.resolve(answer);
      },
      onChange: () => undefined,
      log: () => undefined,
    });
    const first = t.checkSoon();
    const joined = t.checkSoon();
    expect(joined).toBe(first);
    expect(await first).toBe('granted');
    expect(asked).toBe(1);
    answer = false;
    expect(await t.checkSoon()).toBe('missing');
    expect(asked).toBe(2);
  });
});
