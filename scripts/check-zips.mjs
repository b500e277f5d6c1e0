#!/usr/bin/env node
// Checks the packaged zips that `npm run zip` writes to .output/: each extension zip holds a
// manifest.json whose icons are in the zip, the prefix table byte for byte as built, and the English
// messages; the Firefox zip carries its add-on id; the sources zip holds what a reviewer needs to
// rebuild (`npm ci && npm run zip`) and none of the generated files. Run by `npm run zip` after the
// zips are written, so a package missing its table fails the command instead of reaching a store.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { Buffer } from 'node:buffer';

/** The file names `wxt zip` gives (its default artifact and sources templates). */
export function zipNames(name, version) {
  return {
    chrome: `${name}-${version}-chrome.zip`,
    firefox: `${name}-${version}-firefox.zip`,
    sources: `${name}-${version}-sources.zip`,
  };
}

/** Files every extension zip must hold, besides the icons its manifest names. */
export const REQUIRED_IN_EXTENSION = [
  'manifest.json',
  'prefix-table.bin',
  'background.js',
  'popup.html',
  'options.html',
  // The first-run page the worker opens at install (entrypoints/background/first-run.ts).
  'welcome.html',
  '_locales/en/messages.json',
];

/** Files the sources zip must hold so the package can be rebuilt from it. */
export const REQUIRED_IN_SOURCES = [
  'package.json',
  'package-lock.json',
  'wxt.config.ts',
  'tsconfig.json',
  'scripts/build.mjs',
  'scripts/zip.mjs',
  'scripts/build-table.ts',
  'scripts/build-icons.mjs',
  'assets/icon/carrierflag.svg',
  'README.md',
];

/** Generated or installed paths that must not be in the sources zip (prefixes). */
export const FORBIDDEN_IN_SOURCES = [
  'node_modules/',
  '.output/',
  '.wxt/',
  '.cache/',
  'dist/',
  'public/prefix-table.bin',
  'public/icon/',
];

/**
 * The entries of a zip file, read from its central directory: name → where its data is. Enough
 * of the format (APPNOTE 4.3.12, 4.3.16) for the files `wxt zip` writes: stored or deflated
 * entries, no ZIP64, no encryption. Throws on anything else.
 */
export function readZipEntries(bytes) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is the last 22 bytes plus a comment of up to 64 KiB.
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end-of-central-directory record)');
  const count = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt central directory');
    const method = buffer.readUInt16LE(at + 10);
    const compressedSize = buffer.readUInt32LE(at + 20);
    const size = buffer.readUInt32LE(at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const localOffset = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, { method, compressedSize, size, localOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return {
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    /** The bytes of one entry, inflated; undefined when the zip has no such entry. */
    read(name) {
      const entry = entries.get(name);
      if (!entry) return undefined;
      const local = entry.localOffset;
      if (buffer.readUInt32LE(local) !== 0x04034b50) throw new Error(`corrupt entry ${name}`);
      const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
      const data = buffer.subarray(start, start + entry.compressedSize);
      if (entry.method === 0) return data;
      if (entry.method === 8) return inflateRawSync(data);
      throw new Error(`${name} uses compression method ${entry.method}`);
    },
  };
}

/** Problems with one extension zip (empty when it is complete). */
export function checkExtensionZip(label, bytes, { table, browser }) {
  const problems = [];
  let zip;
  try {
    zip = readZipEntries(bytes);
  } catch (error) {
    return [`${label}: ${error.message}`];
  }
  for (const name of REQUIRED_IN_EXTENSION) {
    if (!zip.has(name)) problems.push(`${label}: no ${name}`);
  }
  const manifestBytes = zip.read('manifest.json');
  if (manifestBytes) {
    let manifest;
    try {
      manifest = JSON.parse(manifestBytes.toString('utf8'));
    } catch {
      problems.push(`${label}: manifest.json is not JSON`);
    }
    if (manifest) {
      if (manifest.manifest_version !== 3) problems.push(`${label}: manifest_version is not 3`);
      const icons = Object.values(manifest.icons ?? {});
      if (icons.length === 0) problems.push(`${label}: the manifest names no icons`);
      for (const icon of icons) {
        if (!zip.has(icon)) problems.push(`${label}: no ${icon} (an icon the manifest names)`);
      }
      if (browser === 'firefox' && !manifest.browser_specific_settings?.gecko?.id) {
        problems.push(`${label}: the manifest has no browser_specific_settings.gecko.id`);
      }
    }
  }
  const packed = zip.read('prefix-table.bin');
  if (packed && table && !Buffer.from(table).equals(packed)) {
    problems.push(`${label}: prefix-table.bin differs from public/prefix-table.bin`);
  }
  return problems;
}

/** Problems with the sources zip (empty when it can rebuild the package and holds nothing generated). */
export function checkSourcesZip(label, bytes) {
  let zip;
  try {
    zip = readZipEntries(bytes);
  } catch (error) {
    return [`${label}: ${error.message}`];
  }
  const problems = REQUIRED_IN_SOURCES.filter((name) => !zip.has(name)).map(
    (name) => `${label}: no ${name}`,
  );
  for (const prefix of FORBIDDEN_IN_SOURCES) {
    const found = zip.names.find((name) => name === prefix || name.startsWith(prefix));
    if (found) problems.push(`${label}: holds ${found}, which the build generates or installs`);
  }
  return problems;
}

/** Checks the three zips in `outputDir`; returns every problem found, in words. */
export function checkPackagedZips(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const names = zipNames(pkg.name, pkg.version);
  const outputDir = join(root, '.output');
  const tablePath = join(root, 'public/prefix-table.bin');
  const table = existsSync(tablePath) ? readFileSync(tablePath) : undefined;
  const problems = table ? [] : ['public/prefix-table.bin is missing: run npm run build'];
  const load = (file) => {
    const path = join(outputDir, file);
    if (!existsSync(path)) {
      problems.push(`.output/${file} is missing`);
      return undefined;
    }
    return readFileSync(path);
  };
  for (const browser of ['chrome', 'firefox']) {
    const bytes = load(names[browser]);
    if (bytes) problems.push(...checkExtensionZip(names[browser], bytes, { table, browser }));
  }
  const sources = load(names.sources);
  if (sources) problems.push(...checkSourcesZip(names.sources, sources));
  return { names, problems };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { names, problems } = checkPackagedZips(root);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`check-zips: ${problem}`);
    process.exit(1);
  }
  console.log(
    `check-zips: ${Object.values(names)
      .map((n) => `.output/${n}`)
      .join(', ')}: complete`,
  );
}
