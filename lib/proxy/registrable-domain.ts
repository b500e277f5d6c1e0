/**
 * An approximation of a hostname's registrable domain ("eTLD+1"), enough to tell unrelated sites
 * apart for the repeated-address pattern. No public-suffix list ships with CarrierFlag, so the rule
 * is: the last two labels, or the last three when the name ends in a common second-level label
 * under a two-letter country code (`example.co.uk`, `example.com.cn`). Its errors lump sites
 * together (`a.github.io` and `b.github.io` count as one), which can only delay a detection, never
 * invent one.
 */
const COUNTRY_SECOND_LEVEL: ReadonlySet<string> = new Set([
  'ac',
  'co',
  'com',
  'edu',
  'gov',
  'net',
  'ne',
  'or',
  'org',
]);

/** `www.example.co.uk` → `example.co.uk`; `a.b.example.com` → `example.com`; `intranet` → itself. */
export function registrableDomain(hostname: string): string {
  const labels = hostname.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  if (labels.length <= 2) return labels.join('.');
  const tld = labels[labels.length - 1] ?? '';
  const second = labels[labels.length - 2] ?? '';
  const keep = tld.length === 2 && COUNTRY_SECOND_LEVEL.has(second) ? 3 : 2;
  return labels.slice(-keep).join('.');
}
