/**
 * Text from outside (a HAR file, an update server, DNS, the routing data, standard input) made safe
 * to print. A terminal obeys escape sequences (`ESC ] 0 ; title BEL` retitles the window, `ESC [ 2 J`
 * clears it), and bidirectional or invisible formatting characters make what is shown differ from
 * what is there (`U+202E` prints `moc.elpmaxe` reversed). So every such character is replaced by
 * a visible escape, and the text keeps its meaning: `\x1b`, `\u202e`, `\n`.
 */

import { displayText } from '../display-text';

/**
 * Text from a file, a server or DNS, ready for a terminal: control, bidirectional and invisible
 * formatting characters become visible escapes (`\x1b`, `\u202e`), newlines in it included (the
 * only line breaks printed are our own). Backslashes are left alone, so a path or a DNS `\027`
 * escape reads as written.
 */
export function safeForTerminal(text: string): string {
  // The extension's pages use the same rule (lib/display-text.ts): one escape for both.
  return displayText(text);
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
