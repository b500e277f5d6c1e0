/**
 * An administrator's policy, injected where each browser really reads it (Chromium: a file in
 * /etc/chromium/policies/managed/; Firefox: policies.json in the distribution directory), for a copy
 * of the build with its own identity so no other test sees it (support/managed-policy.ts).
 */
import { expect, test, type Ext } from './fixtures';
import type { DriverPage } from './support/browsers/types';
import { waitUntil } from './support/wait';

const POLICY = {
  privacyMode: { value: true, locked: true },
  watchlist: {
    enableGroups: ['pccw'],
    addGroups: [{ name: 'Policy test network', code: 'PT', asns: [13335] }],
    locked: true,
  },
  allowlist: { add: ['intranet.example.com'], locked: true },
  dataUpdate: { automatic: false, locked: true },
  onFlagged: { value: 'warn', locked: true },
  // Set, not locked: applied once, then the user's.
  resolver: { value: 'quad9' },
  // Unknown: ignored (and logged), the rest still applies.
  colour: 'red',
};

test.use({ managedPolicy: POLICY });

interface SettingsAnswer {
  settings: {
    privacyMode: boolean;
    watchlist: { groups: { id: string; code: string; enabled: boolean }[] };
    allowlist: string[];
  };
  locked: string[];
}

/** The worker's settings in effect and its locked fields ('get-settings'). */
function settingsInEffect(ext: Ext): Promise<SettingsAnswer> {
  return ext.callApi(
    async (api) => api.runtime.sendMessage({ type: 'get-settings' }),
    undefined,
  ) as Promise<SettingsAnswer>;
}

/**
 * Waits until the worker has read the browser's policy: at the browser's first start there is no
 * cached copy yet, and Chromium answers storage.managed only after the worker's start-up.
 */
async function policyInEffect(ext: Ext): Promise<SettingsAnswer> {
  return waitUntil(
    async () => {
      const answer = await settingsInEffect(ext);
      return answer.locked.length > 0 ? answer : undefined;
    },
    { what: "the worker to apply the browser's managed policy" },
  );
}

/** How a control looks: checked, and disabled (by itself or by a disabled fieldset around it). */
function controlState(page: DriverPage, selector: string) {
  return page.evaluate((css) => {
    const input = document.querySelector<HTMLInputElement>(css);
    if (!input) return null;
    return { checked: input.checked, disabled: input.matches(':disabled') };
  }, selector);
}

test('the settings page shows the locked settings disabled, "Set by your organisation"', async ({
  ext,
}) => {
  await policyInEffect(ext);
  const options = await ext.options();
  for (const field of ['privacyMode', 'watchlist', 'allowlist', 'dataUpdate', 'onFlagged']) {
    expect(await options.waitForText(`locked-${field}`, 'Set by your organisation')).toBeTruthy();
  }
  // Locked on, although the test set-up saved privacy mode off: the worker kept the policy's.
  expect(await controlState(options.page, '[data-testid="privacy-mode"]')).toEqual({
    checked: true,
    disabled: true,
  });
  // "When a site is flagged": warn, as the organisation set it, and not to be changed here.
  expect(await controlState(options.page, '[data-testid="on-flagged-warn"]')).toEqual({
    checked: true,
    disabled: true,
  });
  // Not locked: the user's to change.
  expect(await options.text('locked-blockFlaggedHosts')).toBeNull();
  expect(await options.text('locked-countThirdPartyHosts')).toBeNull();
  expect(await options.text('locked-resolver')).toBeNull();
  expect(await options.isChecked(/Count third-party hosts/)).toBe(true);
  const count = await controlState(
    options.page,
    'section[aria-labelledby="privacy-heading"] input:not([data-testid])',
  );
  expect(count?.disabled).toBe(false);
  // The organisation's group and allowlist entry are shown, and cannot be edited.
  await options.waitForVisibleText('Policy test network');
  const allowlist = await options.texts('allowlist-entry');
  expect(allowlist.some((row) => row.includes('intranet.example.com'))).toBe(true);
  expect(await controlState(options.page, '#allowlist-add')).toMatchObject({ disabled: true });
  expect(await controlState(options.page, '#routing-data-url')).toMatchObject({ disabled: true });

  // An import stays possible to look at, but its save is refused by the worker, and the page says so.
  await options.upload('import-file', {
    name: 'vendors.json',
    content: JSON.stringify({
      format: 'carrierflag-watchlist',
      version: 2,
      builtins: [],
      groups: [
        {
          id: 'vendors',
          name: 'Cloud vendors',
          code: 'CV',
          enabled: true,
          asns: [{ asn: 15169 }],
          prefixes: [],
        },
      ],
    }),
  });
  await options.waitForText('import-preview', /^vendors\.json holds 1 group:/);
  await options.click('Merge into my watchlist');
  await options.waitForText(
    'import-status',
    'Not saved, nothing changed: locked by your organisation: the watchlist',
  );
  const groups = (await settingsInEffect(ext)).settings.watchlist.groups.map((g) => g.code);
  expect(groups).not.toContain('CV');
});

test('the worker applies the policy and refuses to save over a locked setting', async ({
  ext,
  web,
  doh,
}) => {
  const { settings, locked } = await policyInEffect(ext);
  expect([...locked].sort()).toEqual([
    'allowlist',
    'dataUpdate',
    'onFlagged',
    'privacyMode',
    'watchlist',
  ]);
  expect(settings.privacyMode).toBe(true);
  const groups = Object.fromEntries(settings.watchlist.groups.map((g) => [g.id, g]));
  expect(groups['pccw']?.enabled).toBe(true);
  expect(groups['org-1']).toMatchObject({ code: 'PT', enabled: true });
  expect(settings.allowlist).toContain('intranet.example.com');

  // A save (what an import or an older page sends) cannot switch a locked setting off.
  const saved = (await ext.callApi(
    async (api, next) => api.runtime.sendMessage({ type: 'save-settings', settings: next }),
    { ...settings, privacyMode: false, countThirdPartyHosts: false },
  )) as { ok: boolean; ignoredLocked?: string[]; settings: { privacyMode: boolean } };
  expect(saved.ok).toBe(true);
  expect(saved.ignoredLocked).toEqual(['privacyMode']);
  expect(saved.settings.privacyMode).toBe(true);

  // And the check itself follows it: privacy mode, so no DNS query at all.
  await doh.clearQueries();
  const tab = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(tab.id, (b) => /local network/.test(b.title));
  expect(await doh.queries()).toEqual([]);
  expect((await settingsInEffect(ext)).settings.privacyMode).toBe(true);
});
