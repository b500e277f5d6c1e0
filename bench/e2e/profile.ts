// The worker's CPU profile (CDP Profiler on the service-worker target), reduced to the functions
// with the most self time, and their places in the sources: the built worker is minified, so the
// bench builds the same extension once more with a source map (`wxt build -c` with a config that
// only adds `build.sourcemap` and another output directory), checks the bundle is the same code, and
// maps each function's start through the map.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CACHE_DIR } from '../paths';

/** The parts of a CDP Profiler.Profile used here. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  /** The function's name ('(anonymous)' when it has none; '(program)', '(garbage collector)'). */
  name: string;
  /** url:line:column, 1-based, of the function's start; '' for the VM's own entries. */
  location: string;
  ms: number;
  /** Share of the profile's non-idle time, %. */
  percent: number;
  /** `file:line` in the sources, through the source map (see mapToSources). */
  source?: string;
  /** That source line, trimmed and cut to 60 characters: which function it is. */
  sourceText?: string;
}

/**
 * Self time per function (same name and location merged across call paths), biggest first.
 * Sample i lasts until sample i + 1 (timeDeltas[i + 1]), as DevTools counts it. '(idle)' is left
 * out of the list and of the total.
 */
export function topSelfTime(
  profile: CpuProfile,
  count: number,
): { top: SelfTime[]; busyMs: number } {
  const frameOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byFunction = new Map<string, SelfTime>();
  let busyUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const frame = frameOf.get(samples[i]!);
    if (!frame || frame.functionName === '(idle)') continue;
    const us = deltas[i + 1] ?? 0;
    busyUs += us;
    const name = frame.functionName || '(anonymous)';
    const file = frame.url.replace(/^chrome-extension:\/\/[a-p]{32}\//, '');
    const location = file ? `${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : '';
    const key = `${name} ${location}`;
    const entry = byFunction.get(key) ?? { name, location, ms: 0, percent: 0 };
    entry.ms += us / 1000;
    byFunction.set(key, entry);
  }
  const busyMs = busyUs / 1000;
  const top = [...byFunction.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((e) => ({ ...e, percent: busyMs > 0 ? (100 * e.ms) / busyMs : 0 }));
  return { top, busyMs };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One source map (v3) segment list per generated line: [column, source, line, column] (0-based). */
function decodeMappings(mappings: string): number[][][] {
  const lines: number[][][] = [];
  const state = [0, 0, 0, 0];
  for (const line of mappings.split(';')) {
    state[0] = 0;
    const segments: number[][] = [];
    for (const text of line.split(',')) {
      if (!text) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of text) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = shift = 0;
        }
      }
      for (let i = 0; i < Math.min(fields.length, 4); i++) state[i]! += fields[i]!;
      if (fields.length >= 4) segments.push([...state]);
    }
    lines.push(segments);
  }
  return lines;
}

/**
 * Maps a 1-based line and column of the generated file to `source:line` of the original, from a
 * source map's JSON text; undefined where the map says nothing.
 */
export function sourceMapper(
  mapJson: string,
): (line: number, column: number) => string | undefined {
  const map = JSON.parse(mapJson) as { sources: string[]; mappings: string };
  const lines = decodeMappings(map.mappings);
  return (line, column) => {
    const segments = lines[line - 1] ?? [];
    let best: number[] | undefined;
    for (const segment of segments) {
      if (segment[0]! <= column - 1) best = segment;
      else break;
    }
    if (!best) return undefined;
    const source = (map.sources[best[1]!] ?? '?').replace(/^(\.\.\/)+/, '');
    return `${source}:${best[2]! + 1}`;
  };
}

const SOURCEMAP_BUILD = resolve(CACHE_DIR, 'wxt-sourcemap');
const SOURCEMAP_CONFIG = resolve(CACHE_DIR, 'wxt.sourcemap.config.ts');

/**
 * Adds `source` to the entries of the extension's own worker bundle (background.js), from a build
 * of the same sources with a source map. Returns why it could not, or undefined.
 */
export function mapToSources(top: SelfTime[], extensionPath: string): string | undefined {
  const bundle = (dir: string) =>
    readFileSync(join(dir, 'background.js'), 'utf8')
      .replace(/\/\/# sourceMappingURL=.*\s*$/, '')
      .trimEnd();
  const mapped = join(SOURCEMAP_BUILD, 'chrome-mv3');
  const same = () =>
    existsSync(join(mapped, 'background.js.map')) && bundle(mapped) === bundle(extensionPath);
  if (!same()) {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(
      SOURCEMAP_CONFIG,
      "// Written by bench/e2e/profile.ts: the project's config plus a source map, elsewhere.\n" +
        "import base from '../../wxt.config';\n" +
        'const config = base as Record<string, unknown> & { vite: (env: unknown) => object };\n' +
        'export default {\n  ...config,\n' +
        `  outDir: ${JSON.stringify(SOURCEMAP_BUILD)},\n` +
        '  vite: (env: unknown) => ({ ...config.vite(env), build: { sourcemap: true } }),\n};\n',
    );
    const build = spawnSync('npx', ['wxt', 'build', '-b', 'chrome', '-c', SOURCEMAP_CONFIG], {
      encoding: 'utf8',
      timeout: 5 * 60_000,
    });
    if (build.status !== 0) return `the source-mapped build failed: ${build.stderr.slice(-300)}`;
    if (!same()) return `the source-mapped build differs from ${extensionPath} (rebuild it)`;
  }
  const toSource = sourceMapper(readFileSync(join(mapped, 'background.js.map'), 'utf8'));
  for (const entry of top) {
    const match = /^background\.js:(\d+):(\d+)$/.exec(entry.location);
    if (match) entry.source = toSource(Number(match[1]), Number(match[2]));
    const [file, line] = entry.source?.split(':') ?? [];
    if (file && line && existsSync(file)) {
      const text = readFileSync(file, 'utf8').split('\n')[Number(line) - 1]?.trim() ?? '';
      entry.sourceText = text.length > 60 ? `${text.slice(0, 59)}…` : text;
    }
  }
  return undefined;
}
