/**
 * Node entry point of `carrierflag`: wires files, stdin/stdout and fetch into runCli.
 * Bundled to dist/cli.mjs by scripts/build-cli.mjs; bin/carrierflag.mjs imports it and calls
 * `main`, and `node dist/cli.mjs ...` runs it directly.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTable } from '../prefix-table';
import { nodeTableCodec } from '../prefix-table/node-codec';
import type { PrefixLookup } from '../verdict';
import { runCli, type CliIo } from './run';

/** Runs the command with Node's I/O and returns the exit status. */
export async function main(
  argv: readonly string[],
  options: { packageRoot: string },
): Promise<number> {
  let stdinText: Promise<string> | undefined;
  const io: CliIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: () => (stdinText ??= readAll(process.stdin)),
    fetch: globalThis.fetch,
    loadTable,
    readTextFile,
    defaultTablePath: resolve(options.packageRoot, 'public/prefix-table.bin'),
  };
  // `carrierflag ... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return runCli(argv, io);
}

export async function loadTable(
  path: string,
): Promise<{ ok: true; table: PrefixLookup } | { ok: false; reason: string }> {
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

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
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
  process.exitCode = await main(process.argv.slice(2), { packageRoot });
}
