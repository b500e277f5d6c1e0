/**
 * The first-run page speaks the browser's language: its heading, the pinning steps in this
 * browser's own words and its button come from locales/<lang>.yml (read here, never written out).
 * Called from the per-locale spec files beside popupSpeaks (support/locale-popup.ts).
 */
import { parseMessagesFile } from '@wxt-dev/i18n/build';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test as base } from '../fixtures';

const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../locales');

async function plainMessage(locale: string, key: string): Promise<string> {
  const parsed = await parseMessagesFile(path.join(LOCALES_DIR, `${locale}.yml`));
  const message = parsed.find((m) => m.key.join('.') === key);
  if (!message || message.type === 'plural') throw new Error(`${locale}: no plain message ${key}`);
  return message.message;
}

/** Declares the test for one locale; the calling spec file sets `uiLocale` to it. */
export function firstRunSpeaks(locale: string, test: typeof base): void {
  test(`the first-run page in ${locale}: heading, pinning steps for this browser, button`, async ({
    ext,
  }) => {
    expect(ext.firstRunPage, 'no first-run page opened at install').not.toBeNull();
    const page = await ext.welcome();
    await page.waitForVisibleText(await plainMessage(locale, 'welcome.title'));
    expect(await page.text('welcome-pin')).toContain(
      await plainMessage(locale, `welcome.pin.${ext.kind}`),
    );
    expect(await page.textsOf('main > p > button')).toEqual([
      await plainMessage(locale, 'welcome.settings'),
    ]);
  });
}
