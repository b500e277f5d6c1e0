import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Strips comments so a doc comment that mentions `chrome.storage` is not a violation. */
function code(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('project conventions', () => {
  const lib = sourceFiles('lib');

  it('keeps lib/ free of browser globals, so it runs in Node and in the worker alike', () => {
    const offenders = lib.filter((path) =>
      /\b(chrome|browser|indexedDB|window|document|localStorage)\s*[.[]/.test(code(path)),
    );
    expect(offenders).toEqual([]);
  });

  it('lets only the Node codec and the CLI import node: modules from lib/', () => {
    const allowed = (path: string) =>
      path === join('lib', 'prefix-table', 'node-codec.ts') || path.startsWith(join('lib', 'cli'));
    const offenders = lib.filter((path) => !allowed(path) && /from ['"]node:/.test(code(path)));
    expect(offenders).toEqual([]);
  });

  it('names module files in kebab-case and components in PascalCase', () => {
    const badLib = lib.filter(
      (path) => !/^[a-z0-9-]+(\.d)?\.ts$/.test(relative('lib', path).split('/').pop()!),
    );
    expect(badLib).toEqual([]);
    // Components are PascalCase .tsx; a plain helper beside them is a kebab-case .ts module.
    const badComponents = sourceFiles('components').filter(
      (path) => !/^([A-Z][A-Za-z0-9]+\.tsx|[a-z0-9-]+\.ts)$/.test(path.split('/').pop()!),
    );
    expect(badComponents).toEqual([]);
  });

  it('never writes HTML as text: no innerHTML, outerHTML, insertAdjacentHTML or dangerouslySetInnerHTML', () => {
    // `web-ext lint` warns about the one innerHTML in the built extension: it is Preact's own
    // support for dangerouslySetInnerHTML (node_modules/preact/src/diff/index.js), never reached
    // because nothing of ours sets that prop. This keeps it that way.
    const offenders = [...sourceFiles('entrypoints'), ...sourceFiles('components'), ...lib].filter(
      (path) =>
        /\b(innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML)\b/.test(code(path)),
    );
    expect(offenders).toEqual([]);
  });

  it('does not let the extension fetch anything but the resolver, its own package and the routing data', () => {
    const fetchers = [...sourceFiles('entrypoints'), ...sourceFiles('components'), ...lib]
      .filter((path) => !path.startsWith(join('lib', 'cli')))
      .filter((path) => /\b(fetch|fetchFn)\s*\(/.test(code(path)));
    // The worker fetches the bundled table and hands fetch to the DoH client, to the resolver test
    // (messages.ts) and to the routing data download (data-updates.ts: the "Routing data sources"
    // setting, every redirect hop checked); those call it.
    expect(fetchers.sort()).toEqual(
      [
        join('entrypoints', 'background', 'worker.ts'),
        join('entrypoints', 'background', 'messages.ts'),
        join('entrypoints', 'background', 'data-updates.ts'),
        join('lib', 'dns', 'doh-client.ts'),
        join('lib', 'data-update', 'redirects.ts'),
      ].sort(),
    );
  });
});

describe('manifest permissions', () => {
  it('asks for exactly the permissions the README justifies', () => {
    const config = readFileSync(join(ROOT, 'wxt.config.ts'), 'utf8');
    const permissions = /permissions: \[([^\]]*)\]/.exec(config)?.[1]?.match(/'[^']+'/g) ?? [];
    expect(permissions.map((p) => p.slice(1, -1)).sort()).toEqual([
      'alarms',
      'storage',
      'webNavigation',
      'webRequest',
    ]);
    // Host permissions: web pages only (what the worker observes and the DoH resolver it fetches),
    // their WebSockets included.
    const hosts = /host_permissions: \[([^\]]*)\]/.exec(config)?.[1]?.match(/'[^']+'/g) ?? [];
    expect(hosts.map((h) => h.slice(1, -1)).sort()).toEqual([
      'http://*/*',
      'https://*/*',
      'ws://*/*',
      'wss://*/*',
    ]);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const permission of [
      'alarms',
      'storage',
      'webNavigation',
      'webRequest',
      'http://*/*',
      'https://*/*',
      'ws://*/*',
      'wss://*/*',
    ]) {
      expect(readme).toContain(`\`${permission}\``);
    }
  });
});
