/**
 * The settings page as a person uses it (issue 8, section 2), in Chromium and in Firefox: an
 * import shows what the file holds and merges by default (the carriers stay), Replace replaces,
 * a file that would leave nothing watched needs a yes; Reset asks and can be undone; "Test
 * resolver" reports the answer and its time, and a resolver that fails the test is not used
 * without a warning; the allowlist takes host names only (an IDN stored as punycode); and the
 * feedback for each action appears next to its control and goes when the next action starts.
 */
import type { Settings } from '../../lib/settings';
import { DEFAULT_RECORDS, expect, test, type Ext, type UiPage } from './fixtures';
import { pageLayout } from './support/layout';

const EXAMPLE_COM = '93.184.215.14';

/** A watchlist file as CarrierFlag exports it, with groups of the file's own. */
function watchlistFile(
  groups: { name: string; code: string; asns: number[] }[],
  builtins: { id: string; enabled: boolean }[] = [],
): string {
  return JSON.stringify({
    format: 'carrierflag-watchlist',
    version: 2,
    builtins: builtins.map((b) => ({ ...b, asns: [], prefixes: [] })),
    groups: groups.map((g) => ({
      id: `custom-${g.name.toLowerCase().replace(/\W+/g, '-')}`,
      name: g.name,
      code: g.code,
      enabled: true,
      asns: g.asns.map((asn) => ({ asn })),
      prefixes: [],
    })),
  });
}

async function storedSettings(ext: Ext): Promise<Settings> {
  const reply = (await ext.callApi(
    (api) => api.runtime.sendMessage({ type: 'get-settings' }),
    undefined,
  )) as { settings: Settings };
  return reply.settings;
}

const groupNames = async (ext: Ext) =>
  (await storedSettings(ext)).watchlist.groups.map((g) => `${g.name}${g.enabled ? '' : ' (off)'}`);

/** Waits until the status line `testId` has an outcome (not idle or busy); returns its text. */
async function outcome(options: UiPage, testId: string, state: 'ok' | 'warning' | 'error') {
  await expect.poll(() => options.attribute(testId, 'data-state'), { timeout: 20_000 }).toBe(state);
  return (await options.text(testId)) ?? '';
}

test('readable: 14 px text in both browsers; the most used parts first; opens in a tab', async ({
  ext,
}) => {
  const options = await ext.options();
  await options.waitForVisibleText('Privacy mode');
  const layout = await pageLayout(options, 'section p');
  // Chromium gives an extension page's body 75 % (10.5 px here) unless the page sets it itself.
  expect(layout.bodyFontPx).toBeGreaterThanOrEqual(13);
  expect(layout.textFontPx).toBeGreaterThanOrEqual(13);
  const headings = await options.textsOf('main > section > h2');
  expect(headings.slice(0, 5)).toEqual([
    'Watchlist',
    'When a site is flagged',
    'Privacy',
    'Allowlist',
    'History',
  ]);
  // The expert fields come last, with a readable example in them.
  expect(headings.slice(5)).toEqual(['DNS-over-HTTPS resolver', 'Routing data']);
  expect(await options.attributesOf('#custom-resolver', 'placeholder')).toEqual([
    'for example https://dns.example/dns-query',
  ]);
  const manifest = (await ext.callApi((api) => api.runtime.getManifest(), undefined)) as {
    options_ui?: { open_in_tab?: boolean };
  };
  expect(manifest.options_ui?.open_in_tab).toBe(true);
});

test('importing a one-group file merges by default and keeps the carriers; Replace replaces', async ({
  ext,
  web,
}) => {
  const options = await ext.options();
  await options.upload('import-file', {
    name: 'vendors.json',
    content: watchlistFile([{ name: 'Cloud vendors', code: 'CV', asns: [13335] }]),
  });
  // What the file holds, in words that agree with the counts.
  await options.waitForText('import-preview', /^vendors\.json holds 1 group:/);
  expect(await options.texts('import-groups')).toEqual(['Cloud vendors — 1 ASN · 0 prefixes']);
  expect(await options.texts('import-plan')).toEqual(['Adds: Cloud vendors']);
  expect(await options.isChecked('Merge into my watchlist')).toBe(true);
  expect(await groupNames(ext)).not.toContain('Cloud vendors'); // nothing saved yet

  await options.click('Merge into my watchlist');
  expect(await outcome(options, 'import-status', 'ok')).toBe(
    'Merged 1 group into your watchlist. Undo',
  );
  expect(await options.texts('import-preview')).toEqual([]);
  const merged = await groupNames(ext);
  expect(merged.slice(0, 3)).toEqual(['China Telecom', 'China Mobile', 'China Unicom']);
  expect(merged).toContain('Cloud vendors');
  // The carriers still flag, and the new group flags its own network.
  const carrier = await ext.open(web.urlFor('telecom.test'));
  await ext.waitForBadge(carrier.id, 'CT');
  const vendor = await ext.open(web.urlFor('cloudflare.test'));
  await ext.waitForBadge(vendor.id, 'CV');

  // Replace: the file's groups and the defaults; the user's own group goes, and the page says so.
  await options.upload('import-file', {
    name: 'other.json',
    content: watchlistFile([{ name: 'Other', code: 'OT', asns: [15169] }]),
  });
  await options.waitForText('import-preview', /^other\.json holds 1 group:/);
  await options.setChecked('Replace my watchlist', true);
  await options.waitForAny('import-plan', /Removes: Cloud vendors/);
  await options.click('Replace my watchlist');
  expect(await outcome(options, 'import-status', 'ok')).toBe(
    "Replaced your watchlist with the file's 1 group. Undo",
  );
  const replaced = await groupNames(ext);
  expect(replaced).toContain('Other');
  expect(replaced).not.toContain('Cloud vendors');
  expect(replaced.slice(0, 3)).toEqual(['China Telecom', 'China Mobile', 'China Unicom']);

  // Undo brings the watchlist before the import back.
  await options.click('Undo');
  expect(await outcome(options, 'import-status', 'ok')).toBe('Undone.');
  expect(await groupNames(ext)).toEqual(merged);
});

test('a file that would leave no group watched is imported only after an explicit yes', async ({
  ext,
}) => {
  const options = await ext.options();
  const off = ['china-telecom', 'china-mobile', 'china-unicom'].map((id) => ({
    id,
    enabled: false,
  }));
  await options.upload('import-file', { name: 'off.json', content: watchlistFile([], off) });
  await options.waitForText('import-none-enabled', /no group would be watched/);
  // Each built-in carrier it would stop watching is named (issue 23).
  await options.waitForText(
    'import-unwatched',
    /China Telecom would no longer be watched.*China Mobile.*China Unicom/,
  );
  const importButton = '[data-testid="import-preview"] button.primary';
  expect(await options.attributesOf(importButton, 'disabled')).toEqual(['']);
  await options.setChecked('I understand; import it anyway', true);
  expect(await options.attributesOf(importButton, 'disabled')).toEqual([null]);
  await options.click('Merge into my watchlist');
  expect(await outcome(options, 'import-status', 'ok')).toBe(
    'Merged 3 groups into your watchlist. After this import, China Telecom would no longer be watched. After this import, China Mobile would no longer be watched. After this import, China Unicom would no longer be watched. Undo',
  );
  expect((await groupNames(ext)).slice(0, 3)).toEqual([
    'China Telecom (off)',
    'China Mobile (off)',
    'China Unicom (off)',
  ]);
});

test('Reset asks in the page first, and Undo brings the watchlist back', async ({ ext }) => {
  await ext.updateSettings((s) => ({
    ...s,
    watchlist: {
      groups: [
        ...s.watchlist.groups,
        {
          id: 'custom-lab',
          name: 'Lab',
          code: 'LB',
          enabled: true,
          builtin: false,
          asns: [{ asn: 13335 }],
          prefixes: [],
        },
      ],
    },
  }));
  const options = await ext.options();
  await options.click('Reset watchlist to defaults');
  await options.waitForText('confirm-reset', /^Reset the watchlist to the defaults\?/);
  await options.click('Cancel');
  expect(await options.texts('confirm-reset')).toEqual([]);
  expect(await groupNames(ext)).toContain('Lab');

  await options.click('Reset watchlist to defaults');
  await options.click('Reset the watchlist');
  expect(await outcome(options, 'import-status', 'ok')).toBe(
    'Watchlist reset to the defaults. Undo',
  );
  expect(await groupNames(ext)).not.toContain('Lab');
  await options.click('Undo');
  expect(await outcome(options, 'import-status', 'ok')).toBe('Undone.');
  expect(await groupNames(ext)).toContain('Lab');
});

test('Test resolver reports the answer and its time; a failing resolver is used only after a warning', async ({
  ext,
  doh,
  stubs,
}) => {
  test.setTimeout(120_000);
  await doh.setRecords([
    ...DEFAULT_RECORDS,
    { name: 'example.com', type: 'A', value: EXAMPLE_COM },
  ]);
  try {
    const options = await ext.options();
    // The resolver in use (a custom one here) is shown and selected.
    expect(await options.text('resolver-in-use')).toBe(`In use: ${doh.url}`);
    expect(await options.isChecked(`Custom: ${doh.url}`)).toBe(true);

    await options.click('Test resolver');
    expect(await outcome(options, 'resolver-status', 'ok')).toMatch(
      new RegExp(
        `^The resolver works: example\\.com is at ${EXAMPLE_COM.replace(/\./g, '\\.')} \\(answered in \\d+ ms\\)\\.$`,
      ),
    );

    // A resolver answering HTTP 503: not saved, a warning with the reason in words.
    await options.fill('Custom resolver URL', stubs.httpError.url);
    await options.click('Save', { near: 'Custom resolver URL' });
    expect(await outcome(options, 'resolver-status', 'warning')).toMatch(
      /^Not saved yet: .* failed the test \(it answered with an HTTP error instead of a DNS answer\)\. With it, sites would show “\?”\./,
    );
    expect((await storedSettings(ext)).resolver).toEqual({ kind: 'custom', url: doh.url });
    await options.click('Keep the current resolver');
    expect(await outcome(options, 'resolver-status', 'ok')).toBe(`Still using ${doh.url}.`);

    // A resolver that never answers: the warning after the lookup deadline; "Use it anyway" saves.
    await options.fill('Custom resolver URL', stubs.hang.url);
    await options.click('Save', { near: 'Custom resolver URL' });
    expect(await outcome(options, 'resolver-status', 'warning')).toMatch(
      /failed the test \(it did not answer within 5 seconds\)/,
    );
    expect((await storedSettings(ext)).resolver).toEqual({ kind: 'custom', url: doh.url });
    await options.click('Use it anyway');
    expect(await outcome(options, 'resolver-status', 'ok')).toMatch(/although it failed the test/);
    expect((await storedSettings(ext)).resolver).toEqual({ kind: 'custom', url: stubs.hang.url });
    expect(await options.text('resolver-in-use')).toBe(`In use: ${stubs.hang.url}`);
    expect(await options.isChecked(`Custom: ${stubs.hang.url}`)).toBe(true);

    // Testing the one in use now says what is wrong, with the resolver's own words one click away.
    await options.click('Test resolver');
    expect(await outcome(options, 'resolver-status', 'error')).toMatch(
      /^The resolver failed the test: it did not answer within 5 seconds Details/,
    );
    expect(stubs.hang.requests().length).toBeGreaterThan(0);
  } finally {
    await doh.setRecords(DEFAULT_RECORDS);
  }
});

test('the allowlist takes host names only and stores an IDN as punycode', async ({ ext }) => {
  const options = await ext.options();
  for (const [junk, reason] of [
    ['not a host!', /“not a host!” is not a site name/],
    ['https://a.com/path', /is a web address with a path/],
    ['127.0.0.1', /is an IP address/],
    ['localhost', /is this computer/],
  ] as const) {
    await options.enter('Add site to allowlist', junk);
    await options.waitForAlert(reason);
    expect(await options.attribute('allowlist-status', 'data-state')).toBe('error');
  }
  expect((await storedSettings(ext)).allowlist).toEqual([]);

  await options.enter('Add site to allowlist', 'bücher.example');
  expect(await outcome(options, 'allowlist-status', 'ok')).toBe(
    'bücher.example allowlisted (stored as xn--bcher-kva.example).',
  );
  expect((await storedSettings(ext)).allowlist).toEqual(['xn--bcher-kva.example']);
  expect(await options.texts('allowlist-entry')).toEqual([
    'bücher.example (xn--bcher-kva.example) Remove',
  ]);

  await options.click('Remove bücher.example from the allowlist');
  expect(await outcome(options, 'allowlist-status', 'ok')).toBe(
    'bücher.example removed from the allowlist. Undo',
  );
  expect((await storedSettings(ext)).allowlist).toEqual([]);
  await options.click('Undo');
  expect(await outcome(options, 'allowlist-status', 'ok')).toBe('Undone.');
  expect((await storedSettings(ext)).allowlist).toEqual(['xn--bcher-kva.example']);
});

test('feedback appears next to the control that caused it and clears when the next action starts', async ({
  ext,
}) => {
  const options = await ext.options();
  await options.setChecked('Watch China Mobile', false);
  expect(await outcome(options, 'status-china-mobile', 'ok')).toBe(
    'No longer watching China Mobile.',
  );
  // In the group's own block, beside its checkbox; no other status line says anything.
  expect(
    await options.textsOf('[data-testid="group-china-mobile"] [data-testid="status-china-mobile"]'),
  ).toEqual(['No longer watching China Mobile.']);
  expect(await options.attributesOf('[aria-live="polite"][data-testid]', 'data-state')).toEqual(
    expect.arrayContaining(['ok']),
  );
  const busy = await options.attributesOf('[aria-live="polite"][data-testid]', 'data-state');
  expect(busy.filter((s) => s !== 'idle')).toEqual(['ok']);

  await options.setChecked(/Privacy mode/, true);
  expect(await outcome(options, 'privacy-status', 'ok')).toBe('Privacy mode on: no DNS queries.');
  expect(await options.attribute('status-china-mobile', 'data-state')).toBe('idle');
  expect(await options.text('status-china-mobile')).toBe('');
});
