export function zipNames(
  name: string,
  version: string,
): { chrome: string; firefox: string; sources: string };
export const REQUIRED_IN_EXTENSION: string[];
export const REQUIRED_IN_SOURCES: string[];
export const FORBIDDEN_IN_SOURCES: string[];
export function readZipEntries(bytes: Uint8Array): {
  names: string[];
  has(name: string): boolean;
  read(name: string): Buffer | undefined;
};
export function checkExtensionZip(
  label: string,
  bytes: Uint8Array,
  options: { table: Uint8Array | undefined; browser: 'chrome' | 'firefox' },
): string[];
export function checkSourcesZip(label: string, bytes: Uint8Array): string[];
export function checkPackagedZips(root: string): {
  names: { chrome: string; firefox: string; sources: string };
  problems: string[];
};
