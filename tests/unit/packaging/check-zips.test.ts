import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  checkExtensionZip,
  checkPackagedZips,
  checkSourcesZip,
  readZipEntries,
  REQUIRED_IN_SOURCES,
  zipNames,
} from '../../../scripts/check-zips.mjs';

/** A minimal zip writer (deflated entries, no ZIP64), enough to feed the checker what wxt zip writes. */
function makeZip(files: Record<string, string | Uint8Array>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const raw = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    const data = deflateRawSync(raw);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const TABLE = new Uint8Array([0x43, 0x46, 0x50, 0x54, 1, 2, 3, 4]);
const ICONS = { 16: 'icon/16.png', 32: 'icon/32.png', 48: 'icon/48.png', 128: 'icon/128.png' };

function extensionFiles(browser: 'chrome' | 'firefox', manifestExtra: object = {}) {
  const manifest = {
    manifest_version: 3,
    name: '__MSG_extension_name__',
    icons: ICONS,
    ...(browser === 'firefox'
      ? { browser_specific_settings: { gecko: { id: 'carrierflag@carrierflag.invalid' } } }
      : {}),
    ...manifestExtra,
  };
  return {
    'manifest.json': JSON.stringify(manifest),
    'prefix-table.bin': TABLE,
    'background.js': '',
    'popup.html': '',
    'options.html': '',
    'welcome.html': '',
    '_locales/en/messages.json': '{}',
    ...Object.fromEntries(Object.values(ICONS).map((icon) => [icon, 'png'])),
  } as Record<string, string | Uint8Array>;
}

const sourcesFiles = () =>
  Object.fromEntries(REQUIRED_IN_SOURCES.map((name) => [name, 'x'])) as Record<string, string>;

describe('readZipEntries', () => {
  it('lists the entries and inflates their bytes', () => {
    const zip = readZipEntries(makeZip({ 'a.txt': 'hello', 'dir/b.bin': TABLE }));
    expect(zip.names).toEqual(['a.txt', 'dir/b.bin']);
    expect(zip.read('a.txt')?.toString()).toBe('hello');
    expect([...(zip.read('dir/b.bin') ?? [])]).toEqual([...TABLE]);
    expect(zip.read('missing')).toBeUndefined();
  });

  it('refuses a file that is not a zip', () => {
    expect(() => readZipEntries(Buffer.from('not a zip at all, just text'))).toThrow(/not a zip/);
  });
});

describe('checkExtensionZip', () => {
  it.each(['chrome', 'firefox'] as const)('passes a complete %s zip', (browser) => {
    const zip = makeZip(extensionFiles(browser));
    expect(checkExtensionZip('x.zip', zip, { table: TABLE, browser })).toEqual([]);
  });

  it('names each missing file: the table, the manifest, the English messages', () => {
    for (const missing of ['prefix-table.bin', 'manifest.json', '_locales/en/messages.json']) {
      const files = extensionFiles('chrome');
      delete files[missing];
      expect(
        checkExtensionZip('x.zip', makeZip(files), { table: TABLE, browser: 'chrome' }),
      ).toContain(`x.zip: no ${missing}`);
    }
  });

  it('checks every icon the manifest names, and that it names some', () => {
    const files = extensionFiles('chrome');
    delete files['icon/48.png'];
    expect(checkExtensionZip('x.zip', makeZip(files), { table: TABLE, browser: 'chrome' })).toEqual(
      ['x.zip: no icon/48.png (an icon the manifest names)'],
    );
    const noIcons = makeZip(extensionFiles('chrome', { icons: {} }));
    expect(checkExtensionZip('x.zip', noIcons, { table: TABLE, browser: 'chrome' })).toEqual([
      'x.zip: the manifest names no icons',
    ]);
  });

  it('refuses a table that is not the built one, and a Firefox manifest without its id', () => {
    const zip = makeZip(extensionFiles('chrome'));
    expect(
      checkExtensionZip('x.zip', zip, { table: new Uint8Array([9, 9]), browser: 'chrome' }),
    ).toEqual(['x.zip: prefix-table.bin differs from public/prefix-table.bin']);
    expect(checkExtensionZip('x.zip', zip, { table: TABLE, browser: 'firefox' })).toEqual([
      'x.zip: the manifest has no browser_specific_settings.gecko.id',
    ]);
  });
});

describe('checkSourcesZip', () => {
  it('passes the rebuildable sources and refuses generated or installed files', () => {
    expect(checkSourcesZip('s.zip', makeZip(sourcesFiles()))).toEqual([]);
    const withGenerated = makeZip({
      ...sourcesFiles(),
      'node_modules/wxt/package.json': '{}',
      'public/prefix-table.bin': TABLE,
      'dist/cli.mjs': '',
    });
    expect(checkSourcesZip('s.zip', withGenerated)).toEqual([
      's.zip: holds node_modules/wxt/package.json, which the build generates or installs',
      's.zip: holds dist/cli.mjs, which the build generates or installs',
      's.zip: holds public/prefix-table.bin, which the build generates or installs',
    ]);
    const files = sourcesFiles();
    delete files['package-lock.json'];
    expect(checkSourcesZip('s.zip', makeZip(files))).toEqual(['s.zip: no package-lock.json']);
  });
});

describe('checkPackagedZips', () => {
  it('finds the three zips by package name and version, and says which is missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'carrierflag-zips-'));
    mkdirSync(join(root, '.output'));
    mkdirSync(join(root, 'public'));
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'carrierflag', version: '9.8.7' }),
    );
    writeFileSync(join(root, 'public/prefix-table.bin'), TABLE);
    const names = zipNames('carrierflag', '9.8.7');
    expect(names).toEqual({
      chrome: 'carrierflag-9.8.7-chrome.zip',
      firefox: 'carrierflag-9.8.7-firefox.zip',
      sources: 'carrierflag-9.8.7-sources.zip',
    });
    writeFileSync(join(root, '.output', names.chrome), makeZip(extensionFiles('chrome')));
    writeFileSync(join(root, '.output', names.sources), makeZip(sourcesFiles()));
    expect(checkPackagedZips(root).problems).toEqual([
      '.output/carrierflag-9.8.7-firefox.zip is missing',
    ]);
    writeFileSync(join(root, '.output', names.firefox), makeZip(extensionFiles('firefox')));
    expect(checkPackagedZips(root).problems).toEqual([]);
  });
});
