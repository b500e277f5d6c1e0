/**
 * The project's addresses and identity, each in one place: the README names the same values and
 * tests/unit/project.test.ts checks that it does.
 */

/**
 * Where people report a wrong result: the project's issue tracker, "new issue" form. The popup's
 * "Report a wrong result" opens it with the report prefilled; nothing is sent by itself. A fork or
 * a packager that publishes its own build points this at its own tracker.
 */
export const ISSUE_TRACKER_URL = 'https://github.com/carrierflag/carrierflag/issues/new';

/**
 * The Firefox add-on id (`browser_specific_settings.gecko.id`) of a development build: a
 * placeholder under `.invalid`, a domain nobody can own (RFC 2606). Firefox's MV3 packages need an
 * id; whoever publishes the add-on on addons.mozilla.org builds with their own in
 * `CARRIERFLAG_FIREFOX_ID` (see the README, "Install the packaged zips"), once and for good: the
 * browser keeps an add-on's settings under its id.
 */
export const PLACEHOLDER_FIREFOX_ID = 'carrierflag@carrierflag.invalid';

/** The environment variable a packager sets to the add-on id registered on addons.mozilla.org. */
export const FIREFOX_ID_VARIABLE = 'CARRIERFLAG_FIREFOX_ID';

/** The Firefox add-on id a build uses: the packager's (FIREFOX_ID_VARIABLE), else the placeholder. */
export function firefoxAddonId(env: Record<string, string | undefined>): string {
  const id = env[FIREFOX_ID_VARIABLE]?.trim();
  return id ? id : PLACEHOLDER_FIREFOX_ID;
}
