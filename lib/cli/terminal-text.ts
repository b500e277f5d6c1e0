/**
 * Text from outside (a HAR file, an update server, DNS, the routing data, standard input) made safe
 * to print. A terminal obeys escape sequences (`ESC ] 0 ; title BEL` retitles the window, `ESC [ 2 J`
 * clears it), and bidirectional or invisible formatting characters make what is shown differ from
 * what is there (`U+202E` prints `moc.elpmaxe` reversed). So every such character is replaced by
 * a visible escape, and the text keeps its meaning: `\x1b`, `\u202e`, `\n`.
 */

/**
 * What is escaped: every control character (C0, DEL, C1: `\p{Cc}`), every format character
 * (`\p{Cf}`: the bidirectional marks, embeddings, overrides and isolates U+200E/F, U+202A–202E,
 * U+2066–2069, U+061C, the zero-width U+200B–200D, U+2060, U+FEFF, the soft hyphen, the invisible
 * tag characters U+E0000–E007F), the line and paragraph separators U+2028/2029, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|\p{Cs}/gu;

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
 * Text from a file, a server or DNS, ready for a terminal: control, bidirectional and invisible
 * formatting characters become visible escapes (`\x1b`, `\u202e`), newlines in it included (the
 * only line breaks printed are our own). Backslashes are left alone, so a path or a DNS `\027`
 * escape reads as written.
 */
export function safeForTerminal(text: string): string {
  return text.replace(UNSAFE, visibleEscape);
}

/** The characters JSON.stringify leaves raw that a terminal acts on (it escapes C0 itself). */
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

/**
 * JSON.stringify for a line of `--json` output: besides the C0 controls JSON.stringify escapes,
 * DEL, the C1 controls and the format characters (bidirectional, zero-width, tags) are written as
 * `\uXXXX` escapes too. They only ever occur inside strings, so the line stays valid JSON and a
 * parser reads exactly the same values; only the raw bytes that a terminal would obey are gone.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (char) => {
    let escaped = '';
    // An astral format character (a tag, U+E0001) is escaped as its surrogate pair.
    for (let i = 0; i < char.length; i++) {
      escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    }
    return escaped;
  });
}
