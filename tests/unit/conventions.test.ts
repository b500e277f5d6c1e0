import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SESSION_KEYS } from '../../lib/storage/session-keys';

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

/** Every module specifier a source imports or re-exports from (static and dynamic). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  // `import x from '…'`, `import type { … } from '…'` (across lines), `export * from '…'`, `import '…'`.
  for (const m of source.matchAll(
    /\b(?:import|export)\s+(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g,
  )) {
    found.push(m[1]!);
  }
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

/**
 * The import graph of the sources under `dirs`: each file (relative to the root) to the files it
 * imports, relative specifiers resolved the way the bundler does (`x`, `x.ts`, `x.tsx`,
 * `x/index.ts`). Packages, aliases (`#i18n`) and non-source files (styles) are left out.
 */
function importGraph(dirs: string[]): Map<string, string[]> {
  const files = dirs.flatMap(sourceFiles);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiers(code(file))
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => {
        const base = join(dirname(file), specifier);
        const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')];
        return candidates.find((candidate) => known.has(candidate));
      })
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every import circle found by a depth-first walk, each as `a → b → … → a`. */
function importCircles(graph: Map<string, string[]>): string[] {
  const circles = new Set<string>();
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (file: string): void => {
    path.push(file);
    onPath.add(file);
    for (const next of graph.get(file) ?? []) {
      if (onPath.has(next)) {
        const circle = path.slice(path.indexOf(next));
        // Rotated to start at its smallest file, so one circle is reported once.
        const start = circle.indexOf([...circle].sort()[0]!);
        const rotated = [...circle.slice(start), ...circle.slice(0, start)];
        circles.add([...rotated, rotated[0]].join(' → '));
      } else if (!done.has(next)) {
        visit(next);
      }
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return [...circles].sort();
}

/** The chain of imports by which `from` reaches a file that `forbidden` matches, if it does. */
function forbiddenReach(
  graph: Map<string, string[]>,
  from: string,
  forbidden: (file: string) => boolean,
): string[] | undefined {
  const cameFrom = new Map<string, string>();
  const queue = [from];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const next of graph.get(file) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      cameFrom.set(next, file);
      if (forbidden(next)) {
        const chain = [next];
        while (chain[0] !== from) chain.unshift(cameFrom.get(chain[0]!)!);
        return chain;
      }
      queue.push(next);
    }
  }
  return undefined;
}

describe('project conventions', () => {
  const lib = sourceFiles('lib');

  it('keeps lib/ free of browser globals, so it runs in Node and in the worker alike', () => {
    const offenders = lib.filter((path) =>
      /\b(chrome|browser|indexedDB|IDBKeyRange|window|document|localStorage)\s*[.[]/.test(
        code(path),
      ),
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

describe('layering', () => {
  it('has no import circle under lib/ and components/ (type-only imports included)', () => {
    // A circle makes the order modules initialise in depend on who imports first, and says two
    // modules are one. Shared types go to a module of their own (lib/tabs/types.ts).
    expect(importCircles(importGraph(['lib', 'components']))).toEqual([]);
  });

  it("keeps the CLI clear of the extension's settings and per-tab code, however indirectly", () => {
    // The CLI judges addresses with lib/verdict.ts, lib/dns and the table; the resolver presets are
    // in lib/dns/resolvers.ts. Settings, lib/tabs (the site report included) and the managed
    // policy (lib/policy: an administrator's policy is the browser's, never the CLI's) are the
    // extension's.
    const graph = importGraph(['lib']);
    const forbidden = (file: string) =>
      file === join('lib', 'settings.ts') ||
      file.startsWith(join('lib', 'tabs') + '/') ||
      file.startsWith(join('lib', 'policy') + '/');
    const reached = [...graph.keys()]
      .filter((file) => file.startsWith(join('lib', 'cli') + '/'))
      .map((file) => forbiddenReach(graph, file, forbidden))
      .filter((chain) => chain !== undefined)
      .map((chain) => chain.join(' → '));
    expect(reached).toEqual([]);
  });

  it("names every storage.session key in the worker's lifecycle comment, each defined once", () => {
    const index = readFileSync(join(ROOT, 'entrypoints', 'background', 'index.ts'), 'utf8');
    const lifecycle = /^\/\*\*[\s\S]*?\*\//.exec(index)?.[0] ?? '';
    expect(SESSION_KEYS.filter((key) => !lifecycle.includes(`\`${key}`))).toEqual([]);

    // No other module spells out a key: each imports it from lib/storage/session-keys.ts, so the
    // list above is every key in use. Any string literal starting with a listed key counts…
    const home = join('lib', 'storage', 'session-keys.ts');
    const others = [
      ...sourceFiles('lib'),
      ...sourceFiles('entrypoints'),
      ...sourceFiles('components'),
    ].filter((path) => path !== home);
    const spelled = others.flatMap((path) =>
      [...code(path).matchAll(/['"`]([^'"`\n]*)/g)]
        .map((m) => m[1]!)
        .filter((text) => SESSION_KEYS.some((key) => text.startsWith(key)))
        .map((text) => `${path}: ${text}`),
    );
    expect(spelled).toEqual([]);
    // …and so does a storage key constant defined anywhere else in lib/ (storage.local's few keys
    // are the worker's, in entrypoints/).
    const constants = sourceFiles('lib')
      .filter((path) => path !== home)
      .flatMap((path) =>
        [...code(path).matchAll(/\b([A-Z][A-Z0-9_]*_KEY(?:_PREFIX)?)\s*=\s*['"`]/g)].map(
          (m) => `${path}: ${m[1]}`,
        ),
      );
    expect(constants).toEqual([]);
  });
});

describe('manifest permissions', () => {
  it('asks for exactly the permissions the README justifies', () => {
    const config = readFileSync(join(ROOT, 'wxt.config.ts'), 'utf8');
    const permissions = /permissions: \[([^\]]*)\]/.exec(config)?.[1]?.match(/'[^']+'/g) ?? [];
    expect(permissions.map((p) => p.slice(1, -1)).sort()).toEqual([
      'alarms',
      'declarativeNetRequestWithHostAccess',
      'storage',
      'webNavigation',
      'webRequest',
    ]);
    const firefoxOnly =
      /FIREFOX_ONLY_PERMISSIONS = \[([^\]]*)\]/.exec(config)?.[1]?.match(/'[^']+'/g) ?? [];
    expect(firefoxOnly.map((p) => p.slice(1, -1))).toEqual(['webRequestBlocking']);
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
      'declarativeNetRequestWithHostAccess',
      'webRequestBlocking',
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
