/**
 * Every shipped locale is complete: the same keys as English, the same substitutions, nothing empty,
 * and words of its own (a German or Chinese string that is just the English one is a missed
 * translation, unless it is a name that stays the same in every language).
 */
import { parseMessagesFile, type ParsedMessage } from '@wxt-dev/i18n/build';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const LOCALES_DIR = path.resolve(import.meta.dirname, '../../../locales');
export const SHIPPED_LOCALES = ['en', 'de', 'zh_CN'] as const;

/** Strings that are the same in every language: names, codes, units. */
const SAME_IN_EVERY_LANGUAGE = new Set([
  'CarrierFlag',
  'ASN',
  'IPv4',
  'IPv6',
  'DoH',
  'CIDR',
  // The carriers' own names, as German writes them (words.group.*); Chinese writes 中国电信 etc.
  'China Telecom',
  'China Mobile',
  'China Unicom',
]);

async function messagesOf(locale: string): Promise<Map<string, ParsedMessage>> {
  const parsed = await parseMessagesFile(path.join(LOCALES_DIR, `${locale}.yml`));
  // '@@ui_locale' and the like are the browser's own, added by the parser to every locale.
  return new Map(
    parsed.filter((m) => !m.key[0]!.startsWith('@@')).map((m) => [m.key.join('.'), m]),
  );
}

/** Every text of a message: the message, or each plural form. */
function textsOf(message: ParsedMessage): string[] {
  return message.type === 'plural' ? Object.values(message.plurals) : [message.message];
}

/** `$1`…`$9` and `{name}` placeholders a text uses, sorted; `$$` is an escaped dollar. */
function placeholdersOf(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$[1-9]|\{[A-Za-z_]\w*\}/g)) found.add(m[0]);
  return [...found].sort();
}

describe('locales', () => {
  it('ships exactly the documented locales', () => {
    const files = readdirSync(LOCALES_DIR)
      .filter((f) => f.endsWith('.yml'))
      .map((f) => f.replace(/\.yml$/, ''))
      .sort();
    expect(files).toEqual([...SHIPPED_LOCALES].sort());
  });

  for (const locale of SHIPPED_LOCALES.filter((l) => l !== 'en')) {
    it(`${locale} has every English key, no other, with the same placeholders and plural forms`, async () => {
      const english = await messagesOf('en');
      const other = await messagesOf(locale);
      expect([...other.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [key, source] of english) {
        const translated = other.get(key)!;
        expect(translated.type, key).toBe(source.type);
        if (source.type === 'plural' && translated.type === 'plural') {
          expect(Object.keys(translated.plurals).sort(), key).toEqual(
            Object.keys(source.plurals).sort(),
          );
        }
        const sourceSlots = textsOf(source).flatMap(placeholdersOf);
        const translatedSlots = textsOf(translated).flatMap(placeholdersOf);
        expect([...new Set(translatedSlots)].sort(), key).toEqual([...new Set(sourceSlots)].sort());
      }
    });

    it(`${locale} is translated, not copied from English`, async () => {
      const english = await messagesOf('en');
      const other = await messagesOf(locale);
      const copied = [...english]
        .filter(([key, source]) => {
          const text = textsOf(other.get(key)!).join('|');
          return text === textsOf(source).join('|') && !SAME_IN_EVERY_LANGUAGE.has(text.trim());
        })
        .map(([key]) => key);
      expect(copied).toEqual([]);
    });
  }

  it('has no empty message in any locale', async () => {
    for (const locale of SHIPPED_LOCALES) {
      for (const [key, message] of await messagesOf(locale)) {
        for (const text of textsOf(message)) expect(text.trim(), `${locale}: ${key}`).not.toBe('');
      }
    }
  });
});
