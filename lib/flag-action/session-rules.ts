/**
 * The browser's session rules (declarativeNetRequest) that enforce acting on a flag before any
 * connection: a navigation to a remembered flagged site is redirected to the warning page, a
 * request to a blocked third-party host is blocked, and a "continue once" pass lets one tab
 * through. Rebuilt whole from the record (lib/flag-action/state.ts) each time it changes.
 *
 * One rule per host, matched by a regular expression on the exact host name (any port), because a
 * `requestDomains` condition alone also matches every subdomain: a flagged `example.com` must not
 * send `www.example.com` (another address, maybe clean) to the warning page. `requestDomains` is
 * there too, so the browser tries the regex only on requests to that domain.
 */
import type { FlagActionRecord } from './state';
import { WARNING_PAGE_PATH } from './warning-url';

/** The rule shape this module builds (a subset of declarativeNetRequest.Rule). */
export interface SessionRule {
  id: number;
  priority: number;
  action:
    | { type: 'redirect'; redirect: { regexSubstitution: string } }
    | { type: 'block' }
    | { type: 'allow' };
  condition: {
    regexFilter: string;
    requestDomains?: string[];
    excludedInitiatorDomains?: string[];
    resourceTypes: string[];
    tabIds?: number[];
  };
}

/** Rule ids: one range per kind, so a rule's id says what it is. */
export const RULE_IDS = { site: 1, blockedHost: 10_001, pass: 20_001 } as const;
/** Every id this module may use is below this. */
export const MAX_RULE_ID = 30_000;

/** What a page may request, for blocking a third-party host (everything but the page itself). */
const SUBRESOURCE_TYPES = [
  'sub_frame',
  'stylesheet',
  'script',
  'image',
  'font',
  'object',
  'xmlhttprequest',
  'ping',
  'csp_report',
  'media',
  'websocket',
  'other',
];

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `^https?://host(:port)?/`, the exact host; `schemes` widens it (WebSockets). */
export function hostUrlRegex(hostname: string, schemes = 'https?'): string {
  return `^(?:${schemes})://${escapeRegex(hostname)}(?::[0-9]+)?/`;
}

/** A name the browser can match as a domain (an IP literal is matched by the regex alone). */
function domainCondition(hostname: string): { requestDomains?: string[] } {
  return /^[a-z0-9.-]+$/.test(hostname) && /[a-z]/.test(hostname)
    ? { requestDomains: [hostname] }
    : {};
}

export function sessionRulesFor(record: FlagActionRecord, extensionBase: string): SessionRule[] {
  const base = extensionBase.endsWith('/') ? extensionBase.slice(0, -1) : extensionBase;
  const rules: SessionRule[] = [];
  record.sites.forEach((site, i) => {
    rules.push({
      id: RULE_IDS.site + i,
      priority: 1,
      action: {
        type: 'redirect',
        // \0: the whole matched URL, which the regex takes to its end.
        redirect: { regexSubstitution: `${base}${WARNING_PAGE_PATH}#\\0` },
      },
      condition: {
        regexFilter: `${hostUrlRegex(site.hostname)}.*`,
        ...domainCondition(site.hostname),
        resourceTypes: ['main_frame'],
      },
    });
  });
  record.blockedHosts.forEach((host, i) => {
    rules.push({
      id: RULE_IDS.blockedHost + i,
      priority: 1,
      action: { type: 'block' },
      condition: {
        regexFilter: hostUrlRegex(host, 'https?|wss?'),
        ...domainCondition(host),
        // On its own site the host is not a third party: that page is the site's choice to visit.
        ...(domainCondition(host).requestDomains ? { excludedInitiatorDomains: [host] } : {}),
        resourceTypes: SUBRESOURCE_TYPES,
      },
    });
  });
  // A pass the navigation it let through has taken needs no rule: that request is made.
  record.passes.forEach((pass, i) => {
    if (pass.navigationId !== undefined) return;
    rules.push({
      id: RULE_IDS.pass + i,
      priority: 2,
      action: { type: 'allow' },
      condition: {
        regexFilter: hostUrlRegex(pass.hostname),
        ...domainCondition(pass.hostname),
        resourceTypes: ['main_frame'],
        tabIds: [pass.tabId],
      },
    });
  });
  return rules;
}
