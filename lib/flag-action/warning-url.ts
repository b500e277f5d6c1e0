/**
 * The warning page's address: `warning.html#<the site's URL>`. The site's URL rides in the
 * fragment, which no server ever receives, and it is the whole URL as the browser had it, because
 * Chromium's redirect rule can only paste the matched URL in (declarativeNetRequest
 * `regexSubstitution`, `\0`): no encoding, so the page takes everything after the first `#`.
 * `?after=1` marks a tab sent there after the page had loaded (the first visit in Chromium):
 * the page then says that the first requests may already have reached the site.
 */

export const WARNING_PAGE_PATH = '/warning.html';

export function warningPageUrl(extensionBase: string, siteUrl: string, after = false): string {
  const base = extensionBase.endsWith('/') ? extensionBase.slice(0, -1) : extensionBase;
  return `${base}${WARNING_PAGE_PATH}${after ? '?after=1' : ''}#${siteUrl}`;
}

/** What the warning page's own address says: the site's URL (web URLs only) and how it got there. */
export function readWarningPageUrl(href: string): { siteUrl: string | null; after: boolean } {
  const hash = href.indexOf('#');
  const query = href.slice(0, hash < 0 ? undefined : hash);
  const after = /[?&]after=1(?:&|$)/.test(query);
  if (hash < 0) return { siteUrl: null, after };
  const raw = href.slice(hash + 1);
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { siteUrl: null, after };
    return { siteUrl: raw, after };
  } catch {
    return { siteUrl: null, after };
  }
}
