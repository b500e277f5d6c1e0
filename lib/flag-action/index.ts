/**
 * Acting on a flag (issue 21): warn or block before a flagged site's page is shown, and block a
 * page's requests to flagged third-party hosts. Pure parts; the browser wiring is
 * entrypoints/background/flag-action.ts.
 */
export { flagResponse, type FlagResponse, type WarningInfo } from './decide';
export { verdictBeforeConnection } from './before-connection';
export * from './state';
export { sessionRulesFor, MAX_RULE_ID, RULE_IDS, type SessionRule } from './session-rules';
export { readWarningPageUrl, warningPageUrl, WARNING_PAGE_PATH } from './warning-url';
