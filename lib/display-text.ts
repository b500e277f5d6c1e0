/**
 * Text from outside (the routing data's organisation names, DNS alias targets, an imported
 * watchlist's notes, proxy names, an update server's messages) made safe to show on our pages and in
 * the toolbar tooltip. Bidirectional controls make what is shown differ from what is there: a
 * U+202E (right-to-left override) in an organisation name shows "Chinanet" as "tenanihC", or turns
 * the rest of a sentence around it backwards; zero-width and other invisible characters make two
 * different names look the same.
 *
 * Such characters are shown, not dropped: each becomes a visible escape (`\u202e`, `\x1b`, `\n`).
 * The people who read these pages and the copied report closely are experts checking a result or a
 * data problem; "Chinanet\u202e" tells them the data carries an override, where silently dropping
 * it would hide that the source is odd (or hostile), and two names that differ only by a zero-width
 * space would look identical. It is the same rule the CLI uses for the terminal
 * (lib/cli/terminal-text.ts), so the extension and the CLI show the same text for the same data.
 */

/**
 * What is escaped: every control character (C0, DEL, C1: `\p{Cc}`), every format character
 * (`\p{Cf}`: the bidirectional embeddings, overrides and isolates U+202A–202E, U+2066–2069, the
 * marks U+200E/F and U+061C, the zero-width U+200B–200D, U+2060–2064, U+FEFF, U+180E, the soft
 * hyphen U+00AD, the invisible tag characters U+E0000–E007F), the line and paragraph separators
 * U+2028/2029, and lone surrogates.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|\p{Cs}/gu;

/** The short escapes a reader knows; everything else is written by its code point. */
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\x1b` for a code point up to U+00FF, `\u202e` up to U+FFFF, `\u{e0041}` above. */
function visibleEscape(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0) as number;
  const hex = code.toString(16);
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\u{${hex}}`;
}

/**
 * Text from outside, ready to show: control, bidirectional and invisible formatting characters
 * become visible escapes (`U+202E` → `\u202e`). Everything else, including letters of any script
 * and backslashes, is left as it is, so the result is idempotent (escaping twice changes nothing)
 * and plain ASCII (host names, codes, numbers) comes back unchanged.
 */
export function displayText(text: string): string {
  return text.replace(HIDDEN, visibleEscape);
}

/**
 * A copy of a plain data value (a tab report, a page-hosts view, a status from the worker) with
 * displayText applied to every string in it, at any depth; numbers, booleans, null and undefined
 * are kept. One call where such a value enters display covers every field it has and every field
 * it will gain. Codes, ids and ASCII host names are unchanged by displayText, so the copy still
 * works for actions keyed by them.
 */
export function displayValue<T>(value: T): T {
  return mapStrings(value) as T;
}

function mapStrings(value: unknown): unknown {
  if (typeof value === 'string') return displayText(value);
  if (Array.isArray(value)) return value.map(mapStrings);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) copy[key] = mapStrings(inner);
    return copy;
  }
  return value;
}
