/**
 * Without access to sites (the manifest's host permissions) the extension sees no connection and
 * no host a page loads from, and a page with flagged third parties would look clean. Firefox lets
 * the user withhold that access (or take it back): then every badge says "needs access", the
 * popup's first line and the first-run page ask for it with a Grant access button, and once it is
 * granted the next page load is checked as usual.
 *
 * Firefox grants a temporary add-on its MV3 host permissions at install here
 * (`extensions.originControls.grantByDefault`, true by default), so the test takes them away as the
 * user's Extensions panel does, `permissions.remove` from an extension page, and grants them back
 * with the popup's own button: a real key press on it (a user gesture, which `permissions.request`
 * requires), then "Allow" in Firefox's permission prompt (ExtensionSession.acceptPermissionPrompt).
 */
import { expect, test, type Ext, type UiPage } from './fixtures';
import { axeViolations, blocking, describeViolations } from './support/axe';
import { hostRows } from './support/host-rows';

const NEEDS_ACCESS_BLUE = '#1a5fb4';
const AMBER = '#b45f06';
const NEEDS_ACCESS_TITLE = 'CarrierFlag needs access to sites to check them';
const THIRD_PARTIES = ['telecom.test', 'mobile.test', 'unicom.test', 'alias.test'];

interface PermissionsApi {
  permissions: {
    contains(p: { origins: string[] }): Promise<boolean>;
    remove(p: { origins: string[] }): Promise<boolean>;
  };
}

const origins = (ext: Ext) =>
  ext.callApi(
    (api) => (api.runtime.getManifest().host_permissions as string[] | undefined) ?? [],
    undefined,
  );
const hasAccess = async (ext: Ext) =>
  ext.callApi(
    (api, o) => (api as unknown as PermissionsApi).permissions.contains({ origins: o }),
    await origins(ext),
  );

/** The popup's first element after its hidden heading: what a person reads first. */
const firstLine = (popup: UiPage) =>
  popup.page.evaluate(
    () => (document.querySelector('main > :not(h1)') as HTMLElement | null)?.dataset.testid ?? null,
    undefined,
  );

test.describe('access to sites', () => {
  // Chromium grants it at install and answers permissions.remove with "You cannot remove required
  // permissions"; only its user can withhold it (site access "On click"), which automation cannot.
  test.skip(({ browserKind }) => browserKind !== 'firefox', 'Chromium cannot revoke it here');

  test('without it: "needs access" on the badge, popup and first-run page; after Grant access the flagged third parties show', async ({
    ext,
    web,
  }) => {
    expect(await hasAccess(ext)).toBe(true);
    const removed = await ext.callApi(
      (api, o) => (api as unknown as PermissionsApi).permissions.remove({ origins: o }),
      await origins(ext),
    );
    expect(removed).toBe(true);
    // No restoring on failure: Playwright starts a new worker, and so a new browser, after one.
    const url = web.urlFor('cloudflare.test', `/page-with?hosts=${THIRD_PARTIES.join(',')}`);
    const tab = await ext.open(url);
    const badge = await ext.waitForBadge(tab.id, (b) => b.color === NEEDS_ACCESS_BLUE);
    expect(badge).toEqual({ text: '!', color: NEEDS_ACCESS_BLUE, title: NEEDS_ACCESS_TITLE });

    // The first-run page asks too.
    const welcome = await ext.welcome();
    await welcome.waitForText('host-access', /cannot see the sites you visit/);
    expect(describeViolations(blocking(await axeViolations(welcome)))).toBe('');
    await welcome.close();

    const popup = await ext.popup(tab.id);
    await popup.waitForText('host-access', /CarrierFlag cannot see the sites you visit/);
    expect(await firstLine(popup)).toBe('host-access');
    expect(describeViolations(blocking(await axeViolations(popup)))).toBe('');

    // A real key press on the button: permissions.request needs a user gesture.
    await popup.pressOn('[data-testid="grant-host-access"]', 'Enter');
    await ext.acceptPermissionPrompt();
    await popup.waitForText('host-access-granted', /Access granted/);
    expect(await hasAccess(ext)).toBe(true);
    await ext.waitForBadge(tab.id, (b) => b.color !== NEEDS_ACCESS_BLUE);
    await popup.close();

    // The next page load is checked as usual: four flagged hosts, on amber.
    await tab.goto(url);
    const checked = await ext.waitForBadge(tab.id, String(THIRD_PARTIES.length));
    expect(checked.color).toBe(AMBER);
    const after = await ext.popup(tab.id);
    await after.waitForText('page-hosts-summary', /4 of 4 hosts/);
    expect([...(await hostRows(after)).keys()].sort()).toEqual([...THIRD_PARTIES].sort());
    expect(await after.text('host-access')).toBeNull();
  });
});
