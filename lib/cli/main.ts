/**
 * Node entry point of `carrierflag`: wires files, stdin/stdout and fetch into runCli.
 * Bundled to dist/cli.mjs by scripts/build-cli.mjs; bin/carrierflag.mjs imports it and calls
 * `main`, and `node dist/cli.mjs ...` runs it directly.
 */
import {
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { once } from 'node:events';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DownloadRecord } from '../data-update';
import { decodeTable, type PrefixTable } from '../prefix-table';
import { nodeTableCodec, nodeTableEncoderCodec } from '../prefix-table/node-codec';
import { linesOf } from './lines';
import { oneLine, runCli, type CliIo, type TableCache } from './run';

let crashHandled = false;

/**
 * Makes any error that escapes (a throw in a callback, a rejection nobody awaited, a crash in
 * `main` itself) one line on stderr and exit status 2. Node's own default is a stack trace and
 * exit status 1, which means "flagged" to a script that gates on this command.
 */
export function exitTwoOnCrash(): void {
  if (crashHandled) return;
  crashHandled = true;
  const crash = (error: unknown) => {
    process.stderr.write(`carrierflag: internal error: ${oneLine(error)}\n`);
    process.exit(2);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

/** Runs the command with Node's I/O and returns the exit status. */
export async function main(
  argv: readonly string[],
  options: { packageRoot: string },
): Promise<number> {
  exitTwoOnCrash();
  const io: CliIo = {
    // A full pipe (a slow reader) makes write() return false: wait for it to drain, so output
    // queued in memory stays small however much is printed.
    stdout: (text) => (process.stdout.write(text) ? undefined : waitForDrain(process.stdout)),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTerminal: process.stderr.isTTY === true,
    stdoutIsTerminal: process.stdout.isTTY === true,
    stdinLines: () => linesOf(process.stdin),
    fetch: globalThis.fetch,
    loadTable,
    readTextFile,
    defaultTablePath: resolve(options.packageRoot, 'public/prefix-table.bin'),
    cache: createTableCache(cacheDir(process.env)),
    codec: nodeTableCodec,
    deflateRaw: nodeTableEncoderCodec.deflateRaw,
    now: Date.now,
    packageVersion: await packageVersion(options.packageRoot),
  };
  // `carrierflag ... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return runCli(argv, io);
}

async function packageVersion(root: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: string })
      .version;
  } catch {
    return undefined;
  }
}

/** `$XDG_CACHE_HOME/carrierflag`, or `~/.cache/carrierflag` where it is unset or not absolute (XDG). */
export function cacheDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(
    xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.cache'),
    'carrierflag',
  );
}

const TABLE_PREFIX = 'prefix-table-';

/**
 * Tables saved by `carrierflag update`: `prefix-table-<version>-<sha256 prefix>.bin`, each with a
 * `.json` download record beside it (validators for the next conditional request). Files are
 * written under a temporary name and renamed, so a run stopped half-way leaves no partial table.
 */
export function createTableCache(dir: string): TableCache {
  return {
    dir,
    async newest() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return undefined;
      }
      // Newest first by the version stamp in the name; the first that decodes wins.
      const tables = names
        .filter((n) => n.startsWith(TABLE_PREFIX) && n.endsWith('.bin'))
        .sort()
        .reverse();
      for (const name of tables) {
        const path = join(dir, name);
        const loaded = await loadTable(path);
        if (!loaded.ok) continue;
        const download = await readFile(path.replace(/\.bin$/, '.json'), 'utf8')
          .then((text) => JSON.parse(text) as DownloadRecord)
          .catch(() => undefined);
        return { path, table: loaded.table, ...(download ? { download } : {}) };
      }
      return undefined;
    },
    async save(file, table, download) {
      await mkdir(dir, { recursive: true });
      const base = `${TABLE_PREFIX}${table.meta.sourceVersion.replace(/[^0-9A-Za-z.]/g, '_')}-${table.meta.sha256.slice(0, 12)}`;
      const path = join(dir, `${base}.bin`);
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(`${temporary}.json`, JSON.stringify(download, null, 2));
      await writeFile(temporary, file);
      await rename(`${temporary}.json`, join(dir, `${base}.json`));
      await rename(temporary, path);
      for (const name of await readdir(dir)) {
        if (name.startsWith(TABLE_PREFIX) && !name.startsWith(base))
          await unlink(join(dir, name)).catch(() => undefined);
      }
      return path;
    },
  };
}

export async function loadTable(
  path: string,
): Promise<{ ok: true; table: PrefixTable } | { ok: false; reason: string }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { ok: false, reason: `no prefix table at ${path}: run npm run build` };
    }
    return {
      ok: false,
      reason: `cannot read the prefix table ${path}: ${(error as Error).message}`,
    };
  }
  try {
    return { ok: true, table: await decodeTable(bytes, nodeTableCodec) };
  } catch (error) {
    return {
      ok: false,
      reason: `the prefix table ${path} is unusable (${(error as Error).message}): run npm run build`,
    };
  }
}

/** Refuses a file over `maxBytes` by its size on disk, before reading a byte of it. */
export async function readTextFile(
  path: string,
  maxBytes: number,
): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, reason: 'not a file' };
    if (info.size > maxBytes) {
      const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;
      return {
        ok: false,
        reason: `the file is ${mb(info.size)}, more than the ${mb(maxBytes)} this command reads`,
      };
    }
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: 'no such file' };
    return { ok: false, reason: `cannot read it: ${(error as Error).message}` };
  }
}

async function waitForDrain(stream: NodeJS.WritableStream): Promise<void> {
  // An error (EPIPE) while waiting is handled by the stream's 'error' listener set in main.
  await once(stream, 'drain').catch(() => undefined);
}

async function isEntryPoint(): Promise<boolean> {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return (await realpath(script)) === (await realpath(fileURLToPath(import.meta.url)));
  } catch {
    return false;
  }
}

if (await isEntryPoint()) {
  // dist/cli.mjs sits in dist/, one level below the package root.
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  exitTwoOnCrash();
  process.exitCode = await main(process.argv.slice(2), { packageRoot });
}
