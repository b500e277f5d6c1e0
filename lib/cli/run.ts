/**
 * The `carrierflag` command with its surroundings passed in (output, stdin, fetch, table loading),
 * so tests and the Node entry point (main.ts) share every line of behaviour.
 */
import { createDohClient, type DohClient } from '../dns/doh-client';
import type { DnsError } from '../dns/types';
import { checkQueryableName, validateResolverUrl } from '../dns/names';
import { DEFAULT_RESOLVER_ID, resolverUrlOf } from '../dns/resolvers';
import { formatIp, parseIp } from '../ip/parse';
import {
  buildVerdict,
  isOnWatchedNetwork,
  watchedConnectionSentence,
  type PrefixLookup,
} from '../verdict';
import { DEFAULT_WATCHLIST } from '../watchlist/defaults';
import { compileWatchlist, type CompiledWatchlist } from '../watchlist/match';
import { parseArgs, USAGE } from './args';
import { MAX_HAR_BYTES, parseHar, type HarHost, type HarResult } from './har';
import { canonicalIp, proxiesInHar } from '../proxy';
import { targetOfLine } from './lines';
import {
  countReport,
  createTableWriter,
  emptyTotals,
  isUnchecked,
  toJson,
  totalsLine,
  type TargetReport,
} from './output';
import { createProgress, NO_PROGRESS, type Progress } from './progress';
import { parseTarget } from './target';
import { jsonLine, safeForTerminal } from './terminal-text';
import {
  ageInDays,
  DEFAULT_ROUTING_SOURCES,
  fetchRoutingUpdate,
  isoDay,
  isStale,
  publishedAtOf,
  STALE_AFTER_DAYS,
  type DownloadRecord,
  type FetchLike,
} from '../data-update';
import type { PrefixTable, TableCodec } from '../prefix-table';

export interface CliIo {
  /** Writes to standard output; a promise means "wait before writing more" (a full pipe). */
  stdout(text: string): void | Promise<void>;
  stderr(text: string): void;
  /**
   * Whether standard error and standard output are terminals: a progress line is shown only on a
   * terminal's standard error, and erased before output that goes to the same screen.
   */
  stderrIsTerminal?: boolean;
  stdoutIsTerminal?: boolean;
  /** Standard input's lines, read as they are taken (see lines.ts); asked for at most once. */
  stdinLines(): AsyncIterable<string>;
  fetch: typeof fetch;
  /** Loads the prefix table; a reason when it is missing or unreadable. */
  loadTable(
    path: string,
  ): Promise<{ ok: true; table: PrefixTable } | { ok: false; reason: string }>;
  /** Tables saved by `carrierflag update`; absent where there is no cache folder (some tests). */
  cache?: TableCache;
  /** What `update` needs besides fetch: the decoder codec and the file's compressor. */
  codec?: TableCodec;
  deflateRaw?: (bytes: Uint8Array) => Uint8Array;
  now?: () => number;
  /** This package's version, for --version. */
  packageVersion?: string;
  /** public/prefix-table.bin of the installed package. */
  defaultTablePath: string;
  /** Reads a text file, refusing one larger than `maxBytes` before reading it. */
  readTextFile(
    path: string,
    maxBytes: number,
  ): Promise<{ ok: true; text: string } | { ok: false; reason: string }>;
}

/** The folder of tables saved by `carrierflag update` ($XDG_CACHE_HOME/carrierflag). */
export interface TableCache {
  readonly dir: string;
  /** The newest saved table that decodes and passes its checksum, with its download record. */
  newest(): Promise<{ path: string; table: PrefixTable; download?: DownloadRecord } | undefined>;
  /** Saves a table file and its download record (atomically, by rename) and drops older ones. */
  save(file: Uint8Array, table: PrefixTable, download: DownloadRecord): Promise<string>;
}

type ChosenTable =
  | { ok: true; table: PrefixTable; path: string; download?: DownloadRecord }
  | { ok: false; reason: string };

/**
 * The table a run uses: `--table FILE` if given; else the newest saved by `carrierflag update`,
 * unless the bundled table's data was published later (a newer release replaces an old download).
 */
async function chooseTable(explicit: string | undefined, io: CliIo): Promise<ChosenTable> {
  if (explicit !== undefined) {
    const loaded = await io.loadTable(explicit);
    return loaded.ok ? { ...loaded, path: explicit } : loaded;
  }
  const [bundled, cached] = await Promise.all([
    io.loadTable(io.defaultTablePath),
    io.cache?.newest().catch(() => undefined),
  ]);
  if (cached) {
    const bundledAt = bundled.ok ? publishedAtOf(bundled.table.meta.sourceVersion) : undefined;
    const cachedAt = cached.download?.publishedAt ?? publishedAtOf(cached.table.meta.sourceVersion);
    if (
      !bundled.ok ||
      bundledAt === undefined ||
      (cachedAt !== undefined && cachedAt >= bundledAt)
    ) {
      return { ok: true, ...cached };
    }
  }
  return bundled.ok ? { ...bundled, path: io.defaultTablePath } : bundled;
}

function describeData(
  table: PrefixTable,
  download: DownloadRecord | undefined,
  now: number,
): string {
  const published = download?.publishedAt ?? publishedAtOf(table.meta.sourceVersion);
  const date =
    published === undefined
      ? 'publication date unknown'
      : `published ${isoDay(published)} (${ageInDays(published, now)} days old` +
        (isStale(published, now)
          ? `: stale, older than ${STALE_AFTER_DAYS} days; run carrierflag update`
          : '') +
        ')';
  const served = download?.files
    .map((f) => f.servedBy)
    .filter((host): host is string => host !== undefined);
  const via = served?.length ? `, served by ${[...new Set(served)].join(' and ')}` : '';
  // The source, version and host come from a table file and a server: escaped for the terminal.
  return safeForTerminal(`${table.meta.source} ${table.meta.sourceVersion}, ${date}${via}`);
}

/** `carrierflag --version`: the package and the data a run would use. */
async function runVersion(io: CliIo): Promise<number> {
  const chosen = await chooseTable(undefined, io);
  await io.stdout(`carrierflag ${io.packageVersion ?? 'unknown version'}\n`);
  if (!chosen.ok) {
    await io.stdout(`routing data: none (${safeForTerminal(chosen.reason)})\n`);
    return 2;
  }
  await io.stdout(
    `routing data: ${describeData(chosen.table, chosen.download, (io.now ?? Date.now)())}\n`,
  );
  await io.stdout(`table file: ${safeForTerminal(chosen.path)}\n`);
  return 0;
}

/** `carrierflag update [--from URL]`: the extension's update, saved into the cache folder. */
async function runUpdate(from: readonly string[] | undefined, io: CliIo): Promise<number> {
  if (!io.cache || !io.codec) {
    io.stderr('carrierflag: update: no cache folder to save the table in\n');
    return 2;
  }
  const current = await chooseTable(undefined, io);
  const sources = from ?? DEFAULT_ROUTING_SOURCES;
  io.stderr(
    `carrierflag: fetching routing data from ${sources.map(safeForTerminal).join(', then ')}\n`,
  );
  const outcome = await fetchRoutingUpdate({
    fetch: io.fetch as FetchLike,
    sources,
    redirects: 'manual',
    current: current.ok ? current.table : null,
    ...(current.ok && current.download ? { currentDownload: current.download } : {}),
    carrierGroups: DEFAULT_WATCHLIST.groups.filter((g) => g.builtin),
    codec: io.codec,
    now: io.now ?? Date.now,
    ...(io.deflateRaw ? { deflateRaw: io.deflateRaw } : {}),
  });
  if (outcome.kind === 'unchanged') {
    await io.stdout(
      `Routing data unchanged since the last update: ${current.ok ? safeForTerminal(current.path) : ''}\n`,
    );
    return 0;
  }
  if (outcome.kind === 'refused') {
    // The reason quotes the server (its status line, addresses it redirected to): escaped.
    io.stderr(
      `carrierflag: not updated, the data in use stays. ${safeForTerminal(outcome.reason)}\n`,
    );
    return 2;
  }
  let path: string;
  try {
    path = await io.cache.save(outcome.file, outcome.table, outcome.download);
  } catch (error) {
    io.stderr(
      `carrierflag: the new table could not be saved in ${safeForTerminal(`${io.cache.dir}: ${String(error)}`)}\n`,
    );
    return 2;
  }
  // The summary names networks found in the downloaded data and the hosts that served it.
  await io.stdout(
    `Updated: ${safeForTerminal(outcome.summary)}.\nSaved to ${safeForTerminal(path)}\n`,
  );
  return 0;
}

/** How many host names are resolved at once: enough to hide latency, few enough to be polite. */
export const CONCURRENCY = 8;

/**
 * How far past the oldest unfinished target work may start. Output keeps input order, so the
 * results after a slow name wait for it: at most this many, whatever the length of the input.
 */
export const REORDER_WINDOW = 1024;

/**
 * Runs the command and returns its exit status (see USAGE). Never rejects: an unexpected error is
 * one line on stderr and exit status 2, never 1, which means "flagged" to a script.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await runCommand(argv, io);
  } catch (error) {
    io.stderr(`carrierflag: internal error: ${oneLine(error)}\n`);
    return 2;
  }
}

/** An error as one line of safe text, for the last-resort messages. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return safeForTerminal(text);
}

async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    // One line that says what is wrong, and where the rest is: not the whole usage text.
    io.stderr(`carrierflag: ${safeForTerminal(parsed.reason)}; see carrierflag --help\n`);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    await io.stdout(USAGE);
    return 0;
  }
  if (options.command === 'version') return runVersion(io);
  if (options.command === 'update') return runUpdate(options.from, io);

  const resolverText =
    options.resolver ?? resolverUrlOf({ kind: 'preset', id: DEFAULT_RESOLVER_ID });
  const resolver = validateResolverUrl(resolverText);
  if (!resolver.ok) {
    io.stderr(
      `carrierflag: --resolver: ${safeForTerminal(resolver.reason)}; see carrierflag --help\n`,
    );
    return 2;
  }

  const loaded = await chooseTable(options.table, io);
  if (!loaded.ok) {
    io.stderr(`carrierflag: ${safeForTerminal(loaded.reason)}\n`);
    return 2;
  }

  const dns = createDohClient({ fetch: io.fetch, resolverUrl: resolver.url });
  const matcher = compileWatchlist(DEFAULT_WATCHLIST);
  if (options.har !== undefined) {
    return runHar(options.har, options.json, io, dns, loaded.table, matcher);
  }

  // Standard input is read as it is judged; its first target is awaited before anything runs,
  // so an empty input (a wrong file, a failed command before the pipe) is refused before any
  // output and never passes as "all clean".
  let stdin: { first: string; rest: AsyncIterator<string> } | undefined;
  if (options.targets.includes('-')) {
    const rest = io.stdinLines()[Symbol.asyncIterator]();
    const first = await nextTarget(rest);
    if (first === undefined) {
      io.stderr(
        "carrierflag: standard input ('-') held no targets (blank lines and # comments are skipped)\n",
      );
      return 2;
    }
    stdin = { first, rest };
  }

  const check = (target: string) => checkTarget(target, dns, loaded.table, matcher);

  let flagged = false;
  let unchecked = false;
  const totals = emptyTotals();
  // Standard input's length is unknown until it ends: the line then counts without a total.
  const progress = progressLine(io, stdin ? undefined : options.targets.length);
  const print = async (text: string) => {
    if (!text) return;
    if (io.stdoutIsTerminal) progress.pause();
    await io.stdout(text);
  };
  // JSON prints a line per target as soon as it and every earlier one are done; the table holds
  // its rows back so its columns fit them (up to TABLE_BUFFER_ROWS, then it streams too).
  const table = options.json ? undefined : createTableWriter();
  await mapInOrder(targetsOf(options.targets, stdin), CONCURRENCY, check, async (report) => {
    if (report.verdict?.status === 'flagged') flagged = true;
    if (isUnchecked(report)) unchecked = true;
    countReport(totals, report);
    progress.checked(report.verdict?.status === 'flagged');
    await print(table ? table.add(report) : `${jsonLine(toJson(report))}\n`);
  });
  progress.end();
  // The table ends with its totals; --json has none, a script counts the lines it wants.
  if (table) await io.stdout(`${table.end()}\n${totalsLine(totals)}`);
  return flagged ? 1 : unchecked ? 2 : 0;
}

/** The progress line for this run: shown only when standard error is a terminal. */
function progressLine(io: CliIo, total: number | undefined, lookupsOnly = false): Progress {
  if (!io.stderrIsTerminal) return NO_PROGRESS;
  return createProgress({
    write: (text) => io.stderr(text),
    now: io.now ?? Date.now,
    lookupsOnly,
    ...(total === undefined ? {} : { total }),
  });
}

/** The next target among standard input's lines (blank lines and # comments skipped). */
async function nextTarget(lines: AsyncIterator<string>): Promise<string | undefined> {
  for (;;) {
    const line = await lines.next();
    if (line.done) return undefined;
    const target = targetOfLine(line.value);
    if (target !== undefined) return target;
  }
}

/** The targets in command-line order, standard input's where '-' stands, one at a time. */
async function* targetsOf(
  args: readonly string[],
  stdin: { first: string; rest: AsyncIterator<string> } | undefined,
): AsyncGenerator<string> {
  for (const arg of args) {
    if (arg !== '-' || !stdin) {
      yield arg;
      continue;
    }
    yield stdin.first;
    for (let target = await nextTarget(stdin.rest); target !== undefined;) {
      yield target;
      target = await nextTarget(stdin.rest);
    }
  }
}

/**
 * Reads and parses a HAR file in a function of its own, so that its text and parsed JSON (several
 * times the file's size) can be collected as soon as the hosts are out of them.
 */
async function readHar(path: string, io: CliIo): Promise<HarResult> {
  const file = await io.readTextFile(path, MAX_HAR_BYTES);
  return file.ok ? parseHar(file.text) : file;
}

/** `--har FILE`: every host of the page, then one summary line. */
async function runHar(
  path: string,
  json: boolean,
  io: CliIo,
  dns: DohClient,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
): Promise<number> {
  const har = await readHar(path, io);
  if (!har.ok) {
    // The reason can quote the file (JSON.parse shows the text around the error): escaped.
    io.stderr(`carrierflag: --har ${safeForTerminal(`${path}: ${har.reason}`)}\n`);
    return 2;
  }
  const { page } = har;
  let flagged = 0;
  let unchecked = 0;
  // DoH first for every host, so a proxy (one address for many unrelated sites, in none of their
  // answers) is known before any host is judged by the address the browser connected to.
  const asked: HarLookup[] = [];
  // Nothing is printed until every host is asked: the progress line counts the lookups.
  const progress = progressLine(io, page.hosts.length, true);
  await mapInOrder(
    page.hosts,
    CONCURRENCY,
    (host) => lookUpHarHost(host, dns),
    (lookup) => {
      asked.push(lookup);
      progress.checked(false);
    },
  );
  progress.end();
  const proxies = proxiesInHar(
    asked.map(({ host, doh }) => ({
      hostname: host.hostname,
      serverAddresses: host.serverAddresses,
      dohAddresses: doh && 'addresses' in doh ? doh.addresses : null,
    })),
    (ip) => isOnWatchedNetwork(ip, table, matcher),
  );
  const rows = json ? undefined : createTableWriter();
  const throughWatched: string[] = [];
  for (const lookup of asked) {
    const { host, report } = judgeHarHost(lookup, proxies, table, matcher);
    const watched = report.verdict?.watchedConnection;
    if (watched) throughWatched.push(`${host.hostname}: ${watchedConnectionSentence(watched)}`);
    if (report.verdict?.status === 'flagged') flagged++;
    if (isUnchecked(report)) unchecked++;
    const text = rows
      ? rows.add(report)
      : `${jsonLine({ ...toJson(report), requests: host.requests, ...proxyJson(report) })}\n`;
    if (text) await io.stdout(text);
  }
  if (rows) await io.stdout(rows.end());
  const total = page.hosts.length;
  if (json) {
    const summary = {
      page: page.pageUrl,
      site: page.siteHostname,
      hosts: total,
      flagged,
      unchecked,
      proxies: [...proxies],
    };
    await io.stdout(`${jsonLine(summary)}\n`);
  } else {
    const notChecked = unchecked > 0 ? `; ${unchecked} could not be checked` : '';
    const skipped =
      page.skippedEntries > 0 ? ` (${page.skippedEntries} entries without a web URL skipped)` : '';
    // The page URL is the file's text as written, not parsed: escaped (a newline in it included).
    await io.stdout(
      `\npage ${safeForTerminal(page.pageUrl)}: ${flagged} of ${total} ${total === 1 ? 'host' : 'hosts'} on watched networks${notChecked}${skipped}\n`,
    );
    for (const line of throughWatched) await io.stdout(`${safeForTerminal(line)}\n`);
    for (const proxy of proxies) {
      await io.stdout(
        `through a proxy: ${proxy} (the address the HAR records for several unrelated sites, in ` +
          `none of their DNS answers): not judged as any site's address\n`,
      );
    }
  }
  return flagged > 0 ? 1 : unchecked > 0 ? 2 : 0;
}

/** What was learnt about one HAR host before judging it: its DoH answer, if it could be asked. */
interface HarLookup {
  host: HarHost;
  /** The literal address when the host name is one. */
  literal?: string;
  /** null: not asked (a literal, or a private name, whose reason is `notQueried`). */
  doh: { addresses: string[]; aliases: readonly string[] } | { error: DnsError } | null;
  notQueried?: string;
  internalError?: string;
}

/** Asks DoH about a HAR host, as the extension would: never for an IP literal or a private name. */
async function lookUpHarHost(host: HarHost, dns: DohClient): Promise<HarLookup> {
  try {
    const literal = parseIp(host.hostname.replace(/^\[(.*)\]$/, '$1'));
    if (literal.ok) return { host, literal: formatIp(literal.address), doh: null };
    const name = checkQueryableName(host.hostname);
    if (!name.ok) return { host, doh: null, notQueried: name.reason };
    const result = await dns.resolve(name.name);
    return {
      host,
      doh: result.ok
        ? { addresses: result.addresses.map((a) => a.ip), aliases: result.cnameChain }
        : { error: result.error },
    };
  } catch (error) {
    return { host, doh: null, internalError: (error as Error)?.message ?? String(error) };
  }
}

/**
 * One host of a HAR, judged as the extension judges a page's host: the addresses the browser
 * connected to, plus its DoH answer; an address that is a proxy's is never the host's.
 */
function judgeHarHost(
  lookup: HarLookup,
  proxies: ReadonlySet<string>,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
): { host: HarHost; report: TargetReport } {
  const { host } = lookup;
  const hostname = host.hostname;
  if (lookup.internalError) {
    return {
      host,
      report: {
        target: hostname,
        error: `internal error: ${lookup.internalError}`,
        errorKind: 'internal',
      },
    };
  }
  const proxyAddress = host.serverAddresses.map(canonicalIp).find((ip) => proxies.has(ip));
  const direct = host.serverAddresses.filter((ip) => !proxies.has(canonicalIp(ip)));
  const [browserAddress, ...browserAddresses] = direct;
  const witness = {
    hostname,
    browserAddress,
    browserAddresses,
    ...(proxyAddress
      ? { proxy: { address: proxyAddress, detectedBy: 'repeated-address' as const } }
      : {}),
  };
  const { doh } = lookup;
  const input = lookup.literal
    ? { ...witness, literal: lookup.literal }
    : doh === null
      ? {
          ...witness,
          dnsError:
            browserAddress || proxyAddress
              ? undefined
              : { kind: 'private-name' as const, message: lookup.notQueried ?? '' },
        }
      : 'addresses' in doh
        ? { ...witness, dohAddresses: doh.addresses }
        : { ...witness, dnsError: doh.error };
  const verdict = buildVerdict(input, table, matcher);
  const aliases = doh && 'aliases' in doh ? doh.aliases : [];
  return { host, report: { target: hostname, verdict, aliases } };
}

/** The proxy a HAR host was reached through, for --json. */
function proxyJson(report: TargetReport): { proxy?: string } {
  const proxy = report.verdict?.proxy?.address;
  return proxy ? { proxy } : {};
}

async function checkTarget(
  text: string,
  dns: DohClient,
  table: PrefixLookup,
  matcher: CompiledWatchlist,
): Promise<TargetReport> {
  try {
    const target = parseTarget(text);
    if (target.kind === 'invalid') {
      const errorKind = target.privateName ? 'blocked-name' : 'invalid-target';
      return { target: text, error: target.reason, errorKind };
    }
    if (target.kind === 'address') {
      return {
        target: text,
        verdict: buildVerdict({ hostname: target.hostname, literal: target.ip }, table, matcher),
      };
    }
    const result = await dns.resolve(target.hostname);
    if (!result.ok) {
      const verdict = buildVerdict(
        { hostname: target.hostname, dnsError: result.error },
        table,
        matcher,
      );
      return { target: text, verdict };
    }
    const verdict = buildVerdict(
      { hostname: target.hostname, dohAddresses: result.addresses.map((a) => a.ip) },
      table,
      matcher,
    );
    return { target: text, verdict, aliases: result.cnameChain };
  } catch (error) {
    // The modules used here do not throw; this keeps one bad target from hiding the others.
    return {
      target: text,
      error: `internal error: ${(error as Error)?.message ?? String(error)}`,
      errorKind: 'internal',
    };
  }
}

/**
 * Runs `work` over `items` (a list, or a stream such as standard input's lines) with at most
 * `limit` in flight, and hands results to `emit` in input order as soon as every earlier one is
 * done, so output streams but never reorders. Memory is bounded whatever the input's length:
 * items are taken only as workers are free, and no item is started more than `window` places past
 * the oldest one not yet emitted. A promise from `emit` (a full output pipe) is waited for before
 * more results are emitted.
 */
export async function mapInOrder<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<R>,
  emit: (result: R) => void | Promise<void>,
  window = Math.max(limit, REORDER_WINDOW),
): Promise<void> {
  const source =
    Symbol.asyncIterator in items
      ? items[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();
  const results = new Map<number, R>();
  let nextToStart = 0;
  let nextToEmit = 0;
  let exhausted = false;
  let emitting = false;
  let waiting: (() => void)[] = [];
  const wakeAll = () => {
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  // One emitter at a time: a worker that finds another emitting leaves its result to that one.
  const emitReady = async (): Promise<void> => {
    if (emitting) return;
    emitting = true;
    try {
      while (results.has(nextToEmit)) {
        const result = results.get(nextToEmit) as R;
        results.delete(nextToEmit);
        nextToEmit++;
        await emit(result);
        wakeAll();
      }
    } finally {
      emitting = false;
    }
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      while (!exhausted && nextToStart - nextToEmit >= window) {
        await new Promise<void>((wake) => waiting.push(wake));
      }
      if (exhausted) return;
      // The index is taken before the item: iterators answer next() calls in the order made.
      const index = nextToStart++;
      const next = await source.next();
      if (next.done) {
        exhausted = true;
        wakeAll();
        return;
      }
      results.set(index, await work(next.value));
      await emitReady();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
