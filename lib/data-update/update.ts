import type { PrefixTable, TableCodec } from '../prefix-table';
import { namesByAsn, pairsOf } from '../prefix-table/pairs';
import { normalizeRanges, type SourceProblem, type SourceRow } from '../sources';
import type { WatchGroup } from '../watchlist/model';
import { findUnlistedCarrierNetworks, type UnlistedCarrierNetwork } from '../watchlist/name-match';
import { buildTableFromRanges } from './build';
import {
  carrierAsnSet,
  carrierSpaceOf,
  crossCheckCarriers,
  type CarrierSpace,
  type CrossCheckLimits,
} from './cross-check';
import { isoDay, publishedAtOf, saneDate, versionStampOf } from './dates';
import {
  downloadRoutingFile,
  type ConditionalState,
  type DownloadLimits,
  type FetchLike,
  type FileDownload,
} from './download';
import { DEFAULT_GUARD_LIMITS, refusalReasons, type UpdateGuardLimits } from './guards';
import type { RedirectMode, RedirectWatch } from './redirects';
import { hostOfUrl, parseRoutingSource, type RoutingSource } from './source-url';

/** Where a downloaded table came from: stored with it, in the same IndexedDB record. */
export interface DownloadRecord {
  /** The source it came from, as the setting lists it (`validateRoutingDataUrl`'s form). */
  url: string;
  /** Each file's validators, for the next update's conditional requests, and who served it. */
  files: ({ name: string; servedBy?: string } & ConditionalState)[];
  /** The newest Last-Modified (else Date) of the files: when this data was published. */
  publishedAt: number;
  fetchedAt: number;
}

export type UpdateProgress =
  | { phase: 'downloading'; file: string; receivedBytes: number; totalBytes?: number }
  | { phase: 'building' }
  | { phase: 'checking' }
  /** The caller's step after a built table: writing it and switching to it (one transaction). */
  | { phase: 'storing' };

export type UpdateOutcome =
  /** The server said the files are unchanged (304): the table in use stays. */
  | { kind: 'unchanged' }
  /** A new table passed every guard; the caller stores it and switches to it. */
  | {
      kind: 'built';
      table: PrefixTable;
      /** The table as a file (format.md), for a caller that keeps files (the CLI's cache). */
      file: Uint8Array;
      download: DownloadRecord;
      summary: string;
      /**
       * Networks the new data names like a carrier's that the built-in list lacks: flagged as
       * "likely (name match)", low confidence, wherever their carrier's group is on.
       */
      likelyCarrierNetworks: UnlistedCarrierNetwork[];
    }
  /** Nothing changes: why, in plain words (English), and as a code for the pages' own words. */
  | { kind: 'refused'; reason: string; refusal: UpdateRefusal };

/**
 * Why an update was refused, for code: the extension's pages word it in the user's language
 * (`reason` keeps the English detail, which the CLI prints and English pages show).
 */
export type UpdateRefusal =
  /** A routing data source in the settings cannot be used (not https, unreadable). */
  | 'bad-source'
  /** No routing data source is set. */
  | 'no-source'
  /** The newer data disagrees with the next source about the carriers' ranges. */
  | 'cross-check'
  /** No source gave usable newer data (download failed, a guard refused it, older, not dated). */
  | 'sources-failed';

export interface UpdateDeps {
  fetch: FetchLike;
  /** The "Routing data sources" setting, in order: the first that gives usable data is used. */
  sources: readonly string[];
  /** 'browser' in the extension's worker; 'manual' (the default) where hops can be read. */
  redirects?: RedirectMode;
  /** In 'browser' mode, the redirects the browser reports as they happen (redirects.ts). */
  watchRedirects?: RedirectWatch;
  /** The table in use, to guard against; null when none is loaded. */
  current: PrefixTable | null;
  /** The download the table in use came from, if it did: its validators make the requests conditional. */
  currentDownload?: DownloadRecord;
  /** The built-in carrier groups whose coverage the new table must keep. */
  carrierGroups: readonly Pick<WatchGroup, 'id' | 'name' | 'asns'>[];
  codec: TableCodec;
  now(): number;
  onProgress?(progress: UpdateProgress): void;
  yieldToEvents?(): Promise<void>;
  downloadLimits?: Partial<DownloadLimits>;
  guardLimits?: Partial<UpdateGuardLimits>;
  crossCheckLimits?: Partial<CrossCheckLimits>;
  signal?: AbortSignal;
  /** The file's compressor; default stored blocks (the worker keeps only the decoded columns). */
  deflateRaw?: (bytes: Uint8Array) => Uint8Array;
}

/** Data older than this (by its publication date) is what makes a 304 worth a look elsewhere. */
const STALE_MS = 30 * 24 * 60 * 60 * 1000;

type SourceAttempt =
  | { kind: 'unchanged' }
  | { kind: 'failed'; reason: string }
  | {
      kind: 'built';
      table: PrefixTable;
      file: Uint8Array;
      download: DownloadRecord;
      malformed: number;
      carriers: CarrierSpace;
      likelyCarrierNetworks: UnlistedCarrierNetwork[];
    };

/**
 * One update attempt over the ordered sources: the first source that answers with data newer
 * than the table in use, which passes every guard, is taken, checked against the next source's
 * carrier ranges when that one answers too (a disagreement beyond the bound refuses it), and
 * returned. A source that fails, is refused or is older is reported and the next one is tried.
 * Never throws and never stores anything: the caller switches only on 'built'.
 */
export async function fetchRoutingUpdate(deps: UpdateDeps): Promise<UpdateOutcome> {
  const sources: RoutingSource[] = [];
  for (const [i, text] of deps.sources.entries()) {
    const parsed = parseRoutingSource(text);
    if (!parsed.ok) {
      return {
        kind: 'refused',
        reason: `Routing data source ${i + 1} is not usable: ${parsed.reason}.`,
        refusal: 'bad-source',
      };
    }
    sources.push(parsed.source);
  }
  if (sources.length === 0) {
    return { kind: 'refused', reason: 'No routing data source is set.', refusal: 'no-source' };
  }
  const now = deps.now();
  const currentPublished = saneDate(
    deps.currentDownload?.publishedAt ??
      (deps.current ? publishedAtOf(deps.current.meta.sourceVersion) : undefined),
    now,
  );
  const currentIsStale = currentPublished !== undefined && now - currentPublished > STALE_MS;

  const failures: string[] = [];
  let unchangedSomewhere = false;
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i]!;
    const attempt = await tryBuild(deps, source, currentPublished);
    if (attempt.kind === 'unchanged') {
      // The data in use is this source's newest. Old data is worth a look at the next source.
      if (!currentIsStale) return { kind: 'unchanged' };
      unchangedSomewhere = true;
      failures.push(`${hostOfUrl(source.url)}: unchanged since the data in use.`);
      continue;
    }
    if (attempt.kind === 'failed') {
      failures.push(`${hostOfUrl(source.url)}: ${attempt.reason}`);
      continue;
    }
    const notes: string[] = [];
    if (failures.length > 0) notes.push(`used instead of the first source (${failures.join(' ')})`);
    const witness = sources[i + 1];
    if (witness) {
      deps.onProgress?.({ phase: 'checking' });
      const other = await carrierSpaceFrom(deps, witness);
      if (other.ok) {
        const check = crossCheckCarriers(
          attempt.carriers,
          other.space,
          deps.carrierGroups,
          { candidate: hostOfUrl(source.url), other: hostOfUrl(witness.url) },
          deps.crossCheckLimits,
        );
        if (check.reasons.length > 0) {
          return { kind: 'refused', reason: check.reasons.join(' '), refusal: 'cross-check' };
        }
        notes.push(`its carrier ranges agree with ${hostOfUrl(witness.url)}`);
      } else {
        notes.push(
          `not cross-checked: ${hostOfUrl(witness.url)}: ${other.reason.replace(/\.+$/, '')}`,
        );
      }
    } else {
      notes.push('not cross-checked: no second source is set');
    }
    const { table, file, download, malformed, likelyCarrierNetworks } = attempt;
    if (likelyCarrierNetworks.length > 0) {
      const shown = likelyCarrierNetworks
        .slice(0, 5)
        .map((n) => `AS${n.asn} ${n.org} (${n.carrier})`)
        .join(', ');
      const more =
        likelyCarrierNetworks.length > 5 ? ` and ${likelyCarrierNetworks.length - 5} more` : '';
      notes.push(
        `${likelyCarrierNetworks.length} networks named like a carrier's, not on the built-in list, are flagged as likely (name match): ${shown}${more}`,
      );
    }
    const served = [...new Set(download.files.map((f) => f.servedBy ?? hostOfUrl(source.url)))];
    const summary =
      `${table.meta.v4Ranges} IPv4 and ${table.meta.v6Ranges} IPv6 ranges, published ${isoDay(download.publishedAt)}, from ${served.join(' and ')}` +
      (malformed > 0 ? `; ${malformed} unreadable rows skipped` : '') +
      `; ${notes.join('; ')}`;
    return { kind: 'built', table, file, download, summary, likelyCarrierNetworks };
  }
  // Nothing newer anywhere: "unchanged" when a source confirmed the data in use is its newest.
  return unchangedSomewhere
    ? { kind: 'unchanged' }
    : { kind: 'refused', reason: failures.join(' '), refusal: 'sources-failed' };
}

/** Downloads one source's files (conditionally when the table in use came from it). */
async function downloadSource(
  deps: UpdateDeps,
  source: RoutingSource,
  options: { conditional: boolean; keepAsn?: (asn: number) => boolean },
): Promise<{ ok: true; results: FileDownload[] } | { ok: false; reason: string }> {
  const previous = deps.currentDownload?.url === source.url ? deps.currentDownload : undefined;
  const fetchFile = (index: number, conditional: boolean) => {
    const file = source.files[index]!;
    const state = previous?.files.find((f) => f.name === file.name);
    const maxRows = options.keepAsn ? undefined : rowLimit(deps, file.family);
    return downloadRoutingFile({
      ...(maxRows !== undefined ? { maxRows } : {}),
      fetch: deps.fetch,
      url: file.url,
      file: file.name,
      format: source.format,
      family: file.family,
      redirects: deps.redirects ?? 'manual',
      ...(deps.watchRedirects ? { watchRedirects: deps.watchRedirects } : {}),
      ...(options.keepAsn ? { keepAsn: options.keepAsn } : {}),
      ...(conditional && state ? { previous: state } : {}),
      ...(deps.downloadLimits ? { limits: deps.downloadLimits } : {}),
      onBytes: (receivedBytes, totalBytes) =>
        deps.onProgress?.({
          phase: 'downloading',
          file: file.name,
          receivedBytes,
          ...(totalBytes !== undefined ? { totalBytes } : {}),
        }),
      ...(deps.yieldToEvents ? { yieldToEvents: deps.yieldToEvents } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  };
  const results: FileDownload[] = [];
  for (let i = 0; i < source.files.length; i++) {
    const result = await fetchFile(i, options.conditional);
    if (result.kind === 'failed')
      return { ok: false, reason: `download failed: ${result.reason}.` };
    results.push(result);
  }
  if (results.every((r) => r.kind === 'unchanged')) return { ok: true, results };
  // One file changed and the other did not: the table is built from both, so the unchanged one
  // is fetched again in full (its copy was not kept: only the table built from it was).
  for (let i = 0; i < results.length; i++) {
    if (results[i]!.kind !== 'unchanged') continue;
    const again = await fetchFile(i, false);
    if (again.kind === 'failed') return { ok: false, reason: `download failed: ${again.reason}.` };
    if (again.kind === 'unchanged') {
      return {
        ok: false,
        reason: `download failed: ${source.files[i]!.name}: the server sent no data.`,
      };
    }
    results[i] = again;
  }
  return { ok: true, results };
}

/**
 * Rows one file may hold before it is refused while still downloading: the range-count guard's
 * upper band over the table in use (rows merge into ranges, so a little more), or, with no table
 * in use, twice today's whole data. Keeps a flood's memory to that of real data.
 */
function rowLimit(deps: UpdateDeps, family: 4 | 6 | 'both'): number {
  const band = { ...DEFAULT_GUARD_LIMITS, ...deps.guardLimits }.rangeBandHigh;
  const meta = deps.current?.meta;
  if (!meta) return ROW_LIMIT_WITHOUT_TABLE;
  const ranges =
    family === 4 ? meta.v4Ranges : family === 6 ? meta.v6Ranges : meta.v4Ranges + meta.v6Ranges;
  return Math.ceil(ranges * band * ROW_SLACK) + 1000;
}

/** Rows per range the limit allows beyond the band (adjacent rows of one AS merge into a range). */
const ROW_SLACK = 1.25;
/** About twice the whole of today's data (515,000 ranges). */
const ROW_LIMIT_WITHOUT_TABLE = 1_000_000;

/** One source, whole: download, read, build, date and guard checks. */
async function tryBuild(
  deps: UpdateDeps,
  source: RoutingSource,
  currentPublished: number | undefined,
): Promise<SourceAttempt> {
  const downloaded = await downloadSource(deps, source, { conditional: true });
  if (!downloaded.ok) return { kind: 'failed', reason: downloaded.reason };
  const results = downloaded.results;
  if (results.every((r) => r.kind === 'unchanged')) return { kind: 'unchanged' };

  const now = deps.now();
  const rows: SourceRow[] = [];
  const problems: SourceProblem[] = [];
  let malformed = 0;
  const downloadFiles: DownloadRecord['files'] = [];
  let publishedAt: number | undefined;
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (r.kind !== 'read') continue;
    for (const row of r.rows) rows.push(row);
    for (const p of r.problems) problems.push(p);
    malformed += r.skipped;
    downloadFiles.push({ name: source.files[i]!.name, servedBy: r.servedBy, ...r.state });
    // Without Last-Modified the server's Date stands in: a clock, not a claim, so never ahead of ours.
    const stamp =
      r.publishedAt ?? (r.servedAt !== undefined ? Math.min(r.servedAt, now) : undefined);
    if (stamp !== undefined) publishedAt = Math.max(publishedAt ?? 0, stamp);
    if (r.rows.length === 0) {
      return {
        kind: 'failed',
        reason: `the new data is unusable: ${source.files[i]!.name} holds no address ranges.`,
      };
    }
  }
  const published = publishedAt ?? now;
  if (saneDate(published, now) === undefined) {
    return {
      kind: 'failed',
      reason: `the data says it was published on ${isoDay(published)}, a date in the future, so it is not trusted.`,
    };
  }
  if (currentPublished !== undefined && published < currentPublished) {
    return {
      kind: 'failed',
      reason: `its data was published on ${isoDay(published)}, before the data in use (${isoDay(currentPublished)}).`,
    };
  }
  // A row without an organisation keeps the name the table in use has for its AS number.
  if (deps.current && rows.some((row) => row.org === '')) {
    const names = namesByAsn(deps.current.toColumns());
    for (const row of rows) {
      if (row.org === '') (row as { org: string }).org = names.get(row.asn) ?? '';
    }
  }

  deps.onProgress?.({ phase: 'building' });
  await deps.yieldToEvents?.();
  let table: PrefixTable;
  let file: Uint8Array;
  let carriers: CarrierSpace;
  try {
    const normalized = normalizeRanges(rows, { reportOverlaps: true });
    // The rows are no longer needed: let them go before the encoder allocates.
    rows.length = 0;
    results.length = 0;
    carriers = carrierSpaceOf(normalized.ranges, deps.carrierGroups);
    await deps.yieldToEvents?.();
    ({ table, file } = await buildTableFromRanges(
      normalized.ranges,
      {
        source: source.url,
        sourceVersion: versionStampOf(published),
        builtFrom: source.files.map((f) => f.name).join(', '),
      },
      deps.codec,
      deps.deflateRaw,
    ));
  } catch (error) {
    return {
      kind: 'failed',
      reason: `the new data could not be turned into a table: ${error instanceof Error ? error.message : String(error)}.`,
    };
  }

  deps.onProgress?.({ phase: 'checking' });
  await deps.yieldToEvents?.();
  // toColumns() rebuilds the 32-bit IPv4 keys on each call: once per table. With no table in use,
  // the new one is compared with itself, so only its own unreadable rows can refuse it.
  const candidate = { meta: table.meta, columns: table.toColumns() };
  const current = deps.current
    ? { meta: deps.current.meta, columns: deps.current.toColumns() }
    : candidate;
  const reasons = refusalReasons({
    current,
    candidate,
    malformedRows: malformed,
    carrierGroups: deps.current ? deps.carrierGroups : [],
    ...(deps.guardLimits ? { limits: deps.guardLimits } : {}),
  });
  if (reasons.length > 0) return { kind: 'failed', reason: reasons.join(' ') };
  return {
    kind: 'built',
    table,
    file,
    malformed,
    carriers,
    // The same classifier the lookups use, over the new data's networks, to say what it added.
    likelyCarrierNetworks: findUnlistedCarrierNetworks(pairsOf(candidate.columns)),
    download: { url: source.url, files: downloadFiles, publishedAt: published, fetchedAt: now },
  };
}

/** The carriers' ranges in a second source, read without building a table (their rows only). */
async function carrierSpaceFrom(
  deps: UpdateDeps,
  source: RoutingSource,
): Promise<{ ok: true; space: CarrierSpace } | { ok: false; reason: string }> {
  const asns = carrierAsnSet(deps.carrierGroups);
  const downloaded = await downloadSource(deps, source, {
    conditional: false,
    keepAsn: (asn) => asns.has(asn),
  });
  if (!downloaded.ok) return downloaded;
  const rows: SourceRow[] = [];
  for (const r of downloaded.results)
    if (r.kind === 'read') for (const row of r.rows) rows.push(row);
  if (rows.length === 0) return { ok: false, reason: 'it holds no carrier ranges at all.' };
  return { ok: true, space: carrierSpaceOf(rows, deps.carrierGroups) };
}
