// `npm pack` makes a tarball that runs outside a clone (`npx ./carrierflag-<version>.tgz ...`): it
// must hold what bin/carrierflag.mjs loads, the bundled command and its prefix table, and no
// install script that needs the development tools.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
};

/** What the command needs at run time, all built by `npm run build`. */
const RUNTIME = ['bin/carrierflag.mjs', 'dist/cli.mjs', 'public/prefix-table.bin'];

describe('the npm package', () => {
  it('holds the bin, the bundled command and the prefix table, and little else', () => {
    // --ignore-scripts: listing the files needs no `prepare`.
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path).sort();
    // npm lists only files that exist: the generated ones are there once built.
    const built = RUNTIME.filter((path) => existsSync(join(ROOT, path)));
    expect(files).toEqual(['LICENSE', 'README.md', 'package.json', ...built].sort());
    expect(pkg.files).toEqual(RUNTIME);
    // What the bin and the command load, relative to the package root.
    const bin = readFileSync(join(ROOT, pkg.bin.carrierflag!), 'utf8');
    expect(bin).toContain("new URL('../dist/cli.mjs', import.meta.url)");
    const main = readFileSync(join(ROOT, 'lib/cli/main.ts'), 'utf8');
    expect(main).toContain("resolve(options.packageRoot, 'public/prefix-table.bin')");
  });

  it('runs no install script where it is installed (wxt is a development tool)', () => {
    for (const hook of ['preinstall', 'install', 'postinstall']) {
      expect(pkg.scripts[hook], hook).toBeUndefined();
    }
  });
});
