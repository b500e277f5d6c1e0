/**
 * Accessibility of the popup and the settings page, in Chromium and Firefox, light and dark:
 * axe-core finds no serious or critical violation, and a keyboard alone reaches every control, hears
 * its name, sees where the focus is and can work a disclosure with Enter and Space.
 *
 * Written against what any version of the UI must offer (all focusable controls, whatever their
 * names), so it holds as the popup and the settings page change.
 */
import { expect, test, type ColorScheme, type UiPage } from './fixtures';
import { axeViolations, blocking, describeViolations } from './support/axe';
import { faintFields } from './support/field-contrast';
import {
  disclosureState,
  firstDisclosure,
  focusControl,
  listControls,
  tabThroughPage,
} from './support/keyboard';
import { waitUntil } from './support/wait';

/**
 * WCAG 1.4.11 and 2.4.13: a focus indicator, and the edge that shows where a field is, need 3:1
 * against what is around them.
 */
const MIN_NON_TEXT_CONTRAST = 3;

const POPUP_SITES = [
  // Flagged, with clean third-party hosts (a folded list of other hosts, so a disclosure).
  {
    label: 'a flagged site',
    host: 'telecom.test',
    path: '/page-with?hosts=cloudflare.test,site.test',
    verdict: /^telecom\.test is hosted on China Telecom/,
  },
  {
    label: 'a clean site',
    host: 'cloudflare.test',
    path: '/',
    verdict: /^cloudflare\.test is not on a watched network/,
  },
  {
    label: 'a ? site',
    host: 'missing.test',
    path: '/',
    verdict: /^missing\.test could not be checked/,
  },
] as const;

const SCHEMES: ('light' | 'dark')[] = ['light', 'dark'];

/** Waits until the popup has its verdict and every other host of the page is checked. */
async function settledPopup(popup: UiPage, verdict: RegExp): Promise<void> {
  await popup.waitForText('verdict', verdict);
  await waitUntil(
    async () => !/still being checked/.test((await popup.text('page-hosts-summary')) ?? ''),
    { what: 'the popup to finish checking the page’s other hosts' },
  );
}

async function expectSchemeApplied(page: UiPage, scheme: ColorScheme): Promise<void> {
  const dark = await page.page.evaluate(
    () => matchMedia('(prefers-color-scheme: dark)').matches,
    undefined,
  );
  expect(dark, `the page should see prefers-color-scheme: ${scheme}`).toBe(scheme === 'dark');
}

async function expectNoBlockingViolations(page: UiPage, what: string): Promise<void> {
  const violations = await axeViolations(page);
  const others = violations.filter((v) => !blocking(violations).includes(v));
  if (others.length > 0) {
    test.info().annotations.push({
      type: 'axe (moderate, minor or unmeasurable)',
      description: `${what}: ${others.map((v) => v.id).join(', ')}`,
    });
  }
  const serious = blocking(violations);
  expect(describeViolations(serious), `${what}: serious or critical axe findings`).toBe('');
  expect(await faintFields(page, MIN_NON_TEXT_CONTRAST), `${what}: fields hard to see`).toEqual([]);
}

/** Tab through the page: every control reached, named, with a visible focus indicator. */
async function expectKeyboardReachable(page: UiPage, what: string): Promise<string[]> {
  const controls = await listControls(page);
  expect(controls.length, `${what} offers no control at all`).toBeGreaterThan(0);
  const stops = await tabThroughPage(page, controls.length + 10);
  const reached = new Set(stops.map((s) => s.key));
  const missed = controls.filter((c) => !reached.has(c.key)).map((c) => c.description);
  expect(missed, `${what}: controls Tab never reaches`).toEqual([]);

  const problems: string[] = [];
  for (const stop of stops) {
    // A control needs a name; a scrollable list that Firefox makes a tab stop need not have one.
    if (!stop.name && !stop.key?.startsWith('extra:')) {
      problems.push(`${stop.description} has no accessible name`);
    }
    if (!stop.styleChanged) {
      problems.push(`${stop.description} looks the same focused (${stop.focusStyle})`);
    } else if (stop.outlineContrast !== null && stop.outlineContrast < MIN_NON_TEXT_CONTRAST) {
      problems.push(
        `${stop.description}: focus outline contrast ${stop.outlineContrast}:1 (${stop.focusStyle})`,
      );
    }
  }
  expect(problems, `${what}: keyboard focus problems`).toEqual([]);
  return stops.map((s) => s.description);
}

/** Enter opens the page's first disclosure, Space closes it again: activated as a person would. */
async function expectDisclosureWorksByKeyboard(page: UiPage): Promise<void> {
  const key = await firstDisclosure(page);
  expect(key, 'a disclosure to operate by keyboard').not.toBeNull();
  const before = await disclosureState(page, key!);
  await focusControl(page, key!);
  await page.page.pressKey('Enter');
  await waitUntil(async () => (await disclosureState(page, key!)) !== before, {
    what: 'Enter to toggle the disclosure',
  });
  await page.page.pressKey('Space');
  await waitUntil(async () => (await disclosureState(page, key!)) === before, {
    what: 'Space to toggle the disclosure back',
  });
}

for (const scheme of SCHEMES) {
  test.describe(`accessibility, ${scheme} mode`, () => {
    test.beforeEach(async ({ ext }) => {
      await ext.emulateColorScheme(scheme);
    });

    for (const site of POPUP_SITES) {
      test(`popup for ${site.label}: no serious axe violation, every control reachable by Tab`, async ({
        ext,
        web,
      }) => {
        const tab = await ext.open(web.urlFor(site.host, site.path));
        const popup = await ext.popup(tab.id);
        await settledPopup(popup, site.verdict);
        await expectSchemeApplied(popup, scheme);
        await expectNoBlockingViolations(popup, `popup for ${site.host} (${scheme})`);
        await expectKeyboardReachable(popup, `popup for ${site.host} (${scheme})`);
      });
    }

    test('popup: a disclosure opens with Enter and closes with Space', async ({ ext, web }) => {
      const site = POPUP_SITES[0];
      const tab = await ext.open(web.urlFor(site.host, site.path));
      const popup = await ext.popup(tab.id);
      await settledPopup(popup, site.verdict);
      await listControls(popup);
      await expectDisclosureWorksByKeyboard(popup);
    });

    test('settings page: no serious axe violation, every control reachable by Tab', async ({
      ext,
    }) => {
      const options = await ext.options();
      await expectSchemeApplied(options, scheme);
      await expectNoBlockingViolations(options, `settings page (${scheme})`);
      await expectKeyboardReachable(options, `settings page (${scheme})`);
    });

    test('first-run page: no serious axe violation, every control reachable by Tab', async ({
      ext,
    }) => {
      const welcome = await ext.welcome();
      await welcome.waitForVisibleText('What leaves your machine');
      await expectSchemeApplied(welcome, scheme);
      await expectNoBlockingViolations(welcome, `first-run page (${scheme})`);
      await expectKeyboardReachable(welcome, `first-run page (${scheme})`);
    });

    test('settings page: a disclosure opens with Enter and closes with Space, and what it shows passes axe', async ({
      ext,
    }) => {
      const options = await ext.options();
      await listControls(options);
      await expectDisclosureWorksByKeyboard(options);
      // Open it again and check what it revealed (the group's list, its search and buttons).
      const key = (await firstDisclosure(options))!;
      await focusControl(options, key);
      await options.page.pressKey('Enter');
      await waitUntil(() => disclosureState(options, key), { what: 'the disclosure to open' });
      await expectNoBlockingViolations(options, `settings page, a group opened (${scheme})`);
      await expectKeyboardReachable(options, `settings page, a group opened (${scheme})`);
    });
  });
}

test('the checks themselves catch a faint, unnamed, focus-hiding control planted in the page', async ({
  ext,
}) => {
  const options = await ext.options();
  await options.page.evaluate(() => {
    const main = document.querySelector('main')!;
    const button = document.createElement('button');
    button.textContent = 'Planted';
    button.setAttribute('style', 'color: #c8c8c8; background: #ffffff; outline: none');
    const field = document.createElement('input');
    field.type = 'text';
    field.setAttribute('style', 'border: 1px solid #eeeeee; background: transparent');
    main.prepend(button, field);
  }, undefined);

  const ids = blocking(await axeViolations(options)).map((v) => v.id);
  expect(ids).toContain('color-contrast');
  expect(ids).toContain('label');
  const faint = await faintFields(options, MIN_NON_TEXT_CONTRAST);
  expect(faint.filter((line) => line.includes('border rgb(238, 238, 238)'))).toHaveLength(1);

  const controls = await listControls(options);
  const stops = await tabThroughPage(options, controls.length + 10);
  const [planted, unnamed] = stops;
  expect(planted).toMatchObject({ name: 'Planted', styleChanged: false });
  expect(unnamed).toMatchObject({ name: '' });
});
