import { describe, expect, it } from 'vitest';
import {
  NO_POLICY,
  adoptPolicy,
  applyPolicy,
  guardLockedFields,
  readPolicy,
} from '../../../lib/policy';
import { defaultSettings, validateSettings, type Settings } from '../../../lib/settings';
import { FULL_POLICY } from './fixtures';

/** The user's own choices, different from every value FULL_POLICY sets. */
function userSettings(): Settings {
  const settings = defaultSettings();
  return {
    ...settings,
    privacyMode: false,
    resolver: { kind: 'preset', id: 'google' },
    allowlist: ['mine.example.net'],
    watchlist: {
      groups: [
        ...settings.watchlist.groups,
        {
          id: 'my-list',
          name: 'My list',
          code: 'ML',
          enabled: true,
          builtin: false,
          asns: [],
          prefixes: ['1.1.1.0/24'],
        },
      ],
    },
  };
}

describe('applyPolicy', () => {
  it('changes nothing without a policy', () => {
    const settings = userSettings();
    expect(applyPolicy(settings, NO_POLICY)).toBe(settings);
  });

  it('puts every locked value into effect over the user’s choices', () => {
    const effective = applyPolicy(userSettings(), readPolicy(FULL_POLICY));
    expect(validateSettings(effective).ok).toBe(true);
    expect(effective.privacyMode).toBe(true);
    expect(effective.resolver).toEqual({ kind: 'preset', id: 'quad9' });
    expect(effective.onFlagged).toBe('warn');
    expect(effective.blockFlaggedHosts).toBe(true);
    // The organisation's entries are added; the user's own stay (locked: not editable).
    expect(effective.allowlist).toEqual([
      'intranet.example.com',
      'wiki.example.org',
      'mine.example.net',
    ]);
    const groups = Object.fromEntries(effective.watchlist.groups.map((g) => [g.id, g]));
    expect(groups['pccw']?.enabled).toBe(true);
    expect(groups['china-unicom']?.enabled).toBe(false);
    expect(groups['china-mobile']?.enabled).toBe(true);
    expect(groups['org-1']?.code).toBe('UP');
    expect(groups['org-2']?.prefixes).toEqual(['1.0.0.0/24']);
    expect(groups['my-list']?.code).toBe('ML');
    expect(effective.dataUpdate).toEqual({
      automatic: false,
      sources: ['https://mirror.example.com/asn-ipv4-num.csv'],
    });
  });

  it('leaves unlocked values to adoptPolicy', () => {
    const settings = userSettings();
    const policy = readPolicy({ privacyMode: { value: true } });
    expect(applyPolicy(settings, policy)).toBe(settings);
  });

  it('is idempotent: applying twice gives the same settings', () => {
    const policy = readPolicy(FULL_POLICY);
    const once = applyPolicy(userSettings(), policy);
    expect(applyPolicy(once, policy)).toEqual(once);
  });

  it('drops a user group whose badge code an organisation group takes', () => {
    const settings = userSettings();
    const policy = readPolicy({
      watchlist: { addGroups: [{ name: 'Theirs', code: 'ML', asns: [13335] }], locked: true },
    });
    const ids = applyPolicy(settings, policy).watchlist.groups.map((g) => g.id);
    expect(ids).toContain('org-1');
    expect(ids).not.toContain('my-list');
  });
});

describe('adoptPolicy', () => {
  it('applies a new unlocked value once, then leaves it to the user', () => {
    const policy = readPolicy({ privacyMode: { value: true }, resolver: { value: 'quad9' } });
    const first = adoptPolicy(userSettings(), policy, {});
    expect(first.changed).toBe(true);
    expect(first.settings.privacyMode).toBe(true);
    expect(first.settings.resolver).toEqual({ kind: 'preset', id: 'quad9' });
    // The user switches privacy mode off; the same policy seen again does not switch it back.
    const theirs = { ...first.settings, privacyMode: false };
    const again = adoptPolicy(theirs, policy, first.adopted);
    expect(again.changed).toBe(false);
    expect(again.settings.privacyMode).toBe(false);
  });

  it('applies an unlocked value again when the organisation changes it', () => {
    const before = adoptPolicy(userSettings(), readPolicy({ resolver: { value: 'quad9' } }), {});
    const after = readPolicy({ resolver: { value: 'mullvad' } });
    const adopted = adoptPolicy(before.settings, after, before.adopted);
    expect(adopted.settings.resolver).toEqual({ kind: 'preset', id: 'mullvad' });
  });

  it('does not apply a value again after the policy was missing for a while', () => {
    const policy = readPolicy({ privacyMode: { value: true } });
    const first = adoptPolicy(userSettings(), policy, {});
    const gone = adoptPolicy({ ...first.settings, privacyMode: false }, NO_POLICY, first.adopted);
    const back = adoptPolicy(gone.settings, policy, gone.adopted);
    expect(back.settings.privacyMode).toBe(false);
  });

  it('leaves locked values to applyPolicy (the user’s record keeps their own)', () => {
    const adopted = adoptPolicy(userSettings(), readPolicy(FULL_POLICY), {});
    expect(adopted.changed).toBe(false);
  });
});

describe('guardLockedFields (a save from the settings page or an import)', () => {
  const policy = readPolicy(FULL_POLICY);

  it('keeps the stored value of a locked field and says the change was ignored', () => {
    const stored = userSettings();
    const effective = applyPolicy(stored, policy);
    const incoming: Settings = {
      ...effective,
      privacyMode: false,
      allowlist: [],
      countThirdPartyHosts: false,
    };
    const guarded = guardLockedFields(incoming, stored, effective, policy.locked);
    expect(guarded.ignored.sort()).toEqual(['allowlist', 'privacyMode']);
    expect(guarded.settings.privacyMode).toBe(stored.privacyMode);
    expect(guarded.settings.allowlist).toEqual(stored.allowlist);
    // An unlocked field is the user's: saved as sent.
    expect(guarded.settings.countThirdPartyHosts).toBe(false);
    // And the policy is still in force afterwards.
    const next = applyPolicy(guarded.settings, policy);
    expect(next.privacyMode).toBe(true);
    expect(next.allowlist).toContain('intranet.example.com');
  });

  it('ignores nothing when the page sends the settings in effect unchanged', () => {
    const stored = userSettings();
    const effective = applyPolicy(stored, policy);
    const guarded = guardLockedFields(effective, stored, effective, policy.locked);
    expect(guarded.ignored).toEqual([]);
    expect(guarded.settings).toEqual(stored);
  });

  it('guards nothing without a policy', () => {
    const stored = userSettings();
    const incoming = { ...stored, privacyMode: true };
    const guarded = guardLockedFields(incoming, stored, stored, NO_POLICY.locked);
    expect(guarded).toEqual({ settings: incoming, ignored: [] });
  });
});
