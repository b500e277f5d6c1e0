/**
 * The first-run page: installing the extension opens it in a tab (the browser was launched with a
 * fresh profile, and the launch waited for that tab: ExtensionSession.firstRunPage), and it tells a
 * newcomer how to pin the button in this browser's own words, what the badge says, what leaves the
 * machine, and the way to the settings.
 */
import { expect, test } from './fixtures';
import { waitUntil } from './support/wait';

test.describe('first-run page', () => {
  test('installing the extension opens it in a tab', async ({ ext }) => {
    expect(ext.firstRunPage, 'no first-run page opened at install').not.toBeNull();
    expect(new URL(ext.firstRunPage!.url).pathname).toBe('/welcome.html');
  });

  test("it says how to pin the button in this browser's words, what the badge means and what leaves the machine", async ({
    ext,
  }) => {
    const page = await ext.welcome();
    await page.waitForVisibleText('Welcome to CarrierFlag');
    const pin = (await page.text('welcome-pin')) ?? '';
    if (ext.kind === 'firefox') {
      expect(pin).toContain('Extensions button (the puzzle piece)');
      expect(pin).toContain('"Pin to Toolbar"');
    } else {
      expect(pin).toContain('Extensions button (the puzzle piece)');
      expect(pin).toContain('"Pin extension"');
      expect(pin).not.toContain('Pin to Toolbar');
    }
    const text = await page.visibleText();
    expect(text).toContain('What the badge means');
    expect(text).toContain('CT CM CU');
    expect(text).toContain('What leaves your machine');
    expect(text).toContain('DNS-over-HTTPS queries');
    // Access to sites is granted here (both browsers grant it at install): nothing asks for it.
    expect(await page.text('host-access')).toBeNull();

    await page.click('Open settings');
    await waitUntil(
      async () =>
        (await ext.callApi((api) => api.tabs.query({}), undefined)).some((tab) =>
          tab.url?.endsWith('/options.html'),
        ),
      { what: 'the settings page to open in a tab' },
    );
  });
});
