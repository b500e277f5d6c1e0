/**
 * A managed policy put where each browser really reads it, for a COPY of the built extension with
 * an identity of its own, so the other e2e tests (which load the same build at the same time, in
 * browsers that read the same machine-wide policy locations) never see it.
 *
 * - Chromium (Debian): a JSON file in /etc/chromium/policies/managed/ holding
 *   `{"3rdparty": {"extensions": {"<id>": policy}}}`. An unpacked extension's id is derived from
 *   its directory's absolute path (SHA-256 of the path, the first 32 hex digits mapped 0-f → a-p),
 *   so a copy in a directory of its own has an id no other test uses.
 * - Firefox: policies.json in the application's distribution directory, holding
 *   `{"policies": {"3rdparty": {"Extensions": {"<gecko id>": policy}}}}`; the copy's manifest gets a
 *   gecko id of its own. (`browser.policies.alternatePath` is honoured only in automation builds
 *   with Cu.isInAutomation or on Nightly, not by this ESR: EnterprisePoliciesParent.sys.mjs.)
 *
 * Both files name only the copy's id, so a file left behind by a killed run does nothing to anyone
 * else; the next run replaces it. `remove()` takes it away.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserKind } from './browsers/types';

export const CHROMIUM_POLICY_DIR = '/etc/chromium/policies/managed';
/** Debian's firefox-esr reads the distribution directory under its application directory. */
export const FIREFOX_DISTRIBUTION_DIR = '/usr/lib/firefox-esr/distribution';
/** The copy's gecko id: not the build's, so the policy reaches only the copy. */
export const POLICY_TEST_GECKO_ID = 'carrierflag-policy-e2e@carrierflag.invalid';
/** Our policy file's name in Chromium's directory (one per extension id: a stale one is inert). */
const CHROMIUM_FILE_PREFIX = 'carrierflag-e2e-policy-';

/** Chromium's id for an unpacked extension loaded from `directory` (no `key` in the manifest). */
export function unpackedExtensionId(directory: string): string {
  const hex = createHash('sha256').update(path.resolve(directory)).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

export interface InstalledPolicy {
  /** The copy of the built extension to load instead of the build itself. */
  extensionPath: string;
  /** The copy's id: Chromium's extension id, or the gecko id. */
  extensionId: string;
  /** Removes the policy file and the copy. */
  remove(): Promise<void>;
}

/** Writes a file whole or not at all: a browser starting meanwhile reads the old or the new one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/**
 * Copies the build at `builtPath` to a directory of its own, gives it its own identity, and puts
 * `policy` where `kind`'s browser reads managed policies, for that identity only.
 */
export async function installManagedPolicy(
  kind: BrowserKind,
  builtPath: string,
  policy: Record<string, unknown>,
): Promise<InstalledPolicy> {
  // A fixed directory: the same id every run, so a stale file is replaced, not multiplied.
  const copy = path.join(os.tmpdir(), `carrierflag-policy-e2e-${kind}`, path.basename(builtPath));
  await rm(copy, { recursive: true, force: true });
  await mkdir(path.dirname(copy), { recursive: true });
  await cp(builtPath, copy, { recursive: true });

  if (kind === 'chromium') {
    const extensionId = unpackedExtensionId(copy);
    await mkdir(CHROMIUM_POLICY_DIR, { recursive: true });
    const file = path.join(CHROMIUM_POLICY_DIR, `${CHROMIUM_FILE_PREFIX}${extensionId}.json`);
    await writeAtomically(
      file,
      JSON.stringify({ '3rdparty': { extensions: { [extensionId]: policy } } }, null, 2),
    );
    return {
      extensionPath: copy,
      extensionId,
      remove: async () => {
        await rm(file, { force: true });
        await rm(path.dirname(copy), { recursive: true, force: true });
      },
    };
  }

  const manifestPath = path.join(copy, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    browser_specific_settings: { gecko: { id: string } };
  };
  manifest.browser_specific_settings.gecko.id = POLICY_TEST_GECKO_ID;
  await writeFile(manifestPath, JSON.stringify(manifest));
  // Another file may already be there (an administrator's): keep its policies, add ours.
  const file = path.join(FIREFOX_DISTRIBUTION_DIR, 'policies.json');
  const before = existsSync(file) ? await readFile(file, 'utf8') : null;
  const existing = before ? (JSON.parse(before) as { policies?: Record<string, unknown> }) : {};
  const policies = existing.policies ?? {};
  const thirdParty = (policies['3rdparty'] ?? {}) as { Extensions?: Record<string, unknown> };
  const next = {
    ...existing,
    policies: {
      ...policies,
      '3rdparty': {
        ...thirdParty,
        Extensions: { ...thirdParty.Extensions, [POLICY_TEST_GECKO_ID]: policy },
      },
    },
  };
  await mkdir(FIREFOX_DISTRIBUTION_DIR, { recursive: true });
  await writeAtomically(file, JSON.stringify(next, null, 2));
  return {
    extensionPath: copy,
    extensionId: POLICY_TEST_GECKO_ID,
    remove: async () => {
      await removeFirefoxEntry(file);
      await rm(path.dirname(copy), { recursive: true, force: true });
    },
  };
}

/** Takes our extension's entry out of policies.json, and the file if nothing else is left in it. */
async function removeFirefoxEntry(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const current = JSON.parse(await readFile(file, 'utf8')) as {
    policies?: Record<string, unknown> & { '3rdparty'?: { Extensions?: Record<string, unknown> } };
  };
  const extensions = { ...current.policies?.['3rdparty']?.Extensions };
  delete extensions[POLICY_TEST_GECKO_ID];
  const { '3rdparty': thirdParty, ...otherPolicies } = current.policies ?? {};
  const keptThirdParty =
    Object.keys(extensions).length > 0 ? { ...thirdParty, Extensions: extensions } : undefined;
  const policies = keptThirdParty
    ? { ...otherPolicies, '3rdparty': keptThirdParty }
    : otherPolicies;
  if (Object.keys(policies).length === 0 && Object.keys(current).length <= 1) {
    await rm(file, { force: true });
    return;
  }
  await writeAtomically(file, JSON.stringify({ ...current, policies }, null, 2));
}
