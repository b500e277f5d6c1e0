/**
 * The popup speaks the browser's language: with the browser's UI in another language, a flagged
 * site's popup and tooltip show that locale's own strings. The expected text is built from
 * locales/<lang>.yml, never written here, so a translation can change without touching the test.
 * One spec file per locale (locales.spec.ts, locales-zh-cn.spec.ts): the UI language is a launch
 * option, and Playwright gives a file, not a describe group, a browser of its own.
 */
import { parseMessagesFile, type ParsedMessage } from '@wxt-dev/i18n/build';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADDRESSES, expect, test as base } from '../fixtures';

const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../locales');

/** One locale's messages by dotted key, with `{name}` substitution as @wxt-dev/i18n does it. */
async function messagesOf(locale: string) {
  const parsed: ParsedMessage[] = await parseMessagesFile(path.join(LOCALES_DIR, `${locale}.yml`));
  const byKey = new Map(parsed.map((m) => [m.key.join('.'), m]));
  return (key: string, named: Record<string, string> = {}): string => {
    const message = byKey.get(key);
    if (!message || message.type === 'plural')
      throw new Error(`${locale}: no plain message ${key}`);
    return message.message.replace(/\{(\w+)\}/g, (all, name: string) => named[name] ?? all);
  };
}

/** Declares the test for one locale; the calling spec file sets `uiLocale` to it. */
export function popupSpeaks(locale: string, test: typeof base): void {
  test.describe(`the popup in ${locale}`, () => {
    test(`a flagged site shows the ${locale} sentence and buttons`, async ({ ext, web }) => {
      const t = await messagesOf(locale);
      const tab = await ext.open(web.urlFor('telecom.test'));
      const badge = await ext.waitForBadge(tab.id, 'CT');
      const [tooltipStart] = t('popup.badge.flagged', { host: 'telecom.test' }).split('{groups}');
      expect(badge.title.startsWith(tooltipStart!)).toBe(true);
      expect(badge.title).toContain(t('common.confidence.high'));

      const popup = await ext.popup(tab.id);
      await popup.waitForText(
        'verdict',
        t('popup.verdict.flagged', { host: 'telecom.test', groups: t('words.group.chinaTelecom') }),
      );
      expect(await popup.texts('sentence')).toEqual([
        // The built-in entry's note is English research text: a page in another language leaves it out.
        t('popup.sentence.asnNoNote', {
          ip: ADDRESSES.chinaTelecomV4,
          network: 'Chinanet',
          asn: '4134',
          // The carrier as it names itself in the locale (中国电信).
          carrier: t('words.group.chinaTelecom'),
          confidence: t('common.confidence.high'),
        }),
      ]);
      expect(await popup.texts('caveat')).toEqual([t('popup.caveat.registry')]);
      const buttons = await popup.textsOf(
        '[data-testid="actions"] button, [data-testid="actions"] a',
      );
      expect(buttons).toEqual([
        t('popup.actions.allowlist'),
        t('popup.actions.copy'),
        t('popup.actions.report'),
        t('popup.openSettings'),
      ]);
      expect(await popup.textsOf('[data-testid="details"] > summary')).toEqual([
        t('popup.details.summary'),
      ]);
    });
  });
}
