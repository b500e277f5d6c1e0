/**
 * A user-agent string cut down to what a bug report needs: the browser's name and major version.
 * The full string (operating system, its version, CPU, every engine token) says more about the
 * reporter's machine than a wrong-result report needs, and it goes into a public issue.
 */

/**
 * Tokens to look for, most specific first: Chromium-based browsers also send `Chrome/`, and every
 * one of them `Safari/`, so Edge and Opera must be found before Chrome, and Chrome before Safari.
 */
const BROWSERS: readonly { token: RegExp; name: string }[] = [
  { token: /\bEdg(?:e|A|iOS)?\/(\d+)/, name: 'Edge' },
  { token: /\bOPR\/(\d+)/, name: 'Opera' },
  { token: /\bFirefox\/(\d+)/, name: 'Firefox' },
  { token: /\bFxiOS\/(\d+)/, name: 'Firefox' },
  // Debian's and other distributions' Chromium still say so; Google Chrome does not.
  { token: /\bChromium\/(\d+)/, name: 'Chromium' },
  { token: /\bChrome\/(\d+)/, name: 'Chrome' },
  { token: /\bCriOS\/(\d+)/, name: 'Chrome' },
  { token: /\bVersion\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//, name: 'Safari' },
];

/**
 * "Firefox 140", "Chrome 139": the browser's name and major version from a user-agent string, or
 * "unknown browser" when none of the known tokens is in it (nothing else of the string is kept).
 */
export function browserNameAndMajor(userAgent: string): string {
  for (const { token, name } of BROWSERS) {
    const major = token.exec(userAgent)?.[1];
    if (major !== undefined) return `${name} ${major}`;
  }
  return 'unknown browser';
}
