import type { PrefixTable, TableCodec } from '../prefix-table';
import { normalizeRanges, type SourceProblem, type SourceRow } from '../sources';
import type { WatchGroup } from '../watchlist/model';
import { buildTableFromRanges } from './build';
import { isoDay, publishedAtOf, versionStampOf } from './dates';
import {
  downloadRoutingFile,
  type ConditionalState,
  type DownloadLimits,
  type FetchLike,
} from './download';
import { refusalReasons, type UpdateGuardLimits } from './guards';
import { ROUTING_DATA_FILES, routingFileUrl, validateRoutingDataUrl } from './source-url';

/** Where a downloaded table came from: stored with it, in the same IndexedDB record. */
export interface DownloadRecord {
  /** The routing data folder, as `validateRoutingDataUrl` gives it. */
  url: string;
  /** Each file's validators, for the next update's conditional requests. */
  files: ({ name: string } & ConditionalState)[];
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
  /** The server said both files are unchanged (304): the table in use stays. */
  | { kind: 'unchanged' }
  /** A new table passed every guard; the caller stores it and switches to it. */
  | {
      kind: 'built';
      table: PrefixTable;
      /** The table as a file (format.md), for a caller that keeps files (the CLI's cache). */
      file: Uint8Array;
      download: DownloadRecord;
      summary: string;
    }
  /** Nothing changes: why, in plain words. */
  | { kind: 'refused'; reason: string };

export interface UpdateDeps {
  fetch: FetchLike;
  /** The "Routing data URL" setting. */
  sourceUrl: string;
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
  signal?: AbortSignal;
  /** The file's compressor; default stored blocks (the worker keeps only the decoded columns). */
  deflateRaw?: (bytes: Uint8Array) => Uint8Array;
}

/**
 * One update attempt: downloads the two files (conditionally when the table in use came from the
 * same folder), reads them with the readers `npm run data` uses, normalises and builds the table
 * with the existing encoder and decoder, then applies the guards. Never throws and never stores
 * anything: the caller switches only on 'built'.
 */
export async function fetchRoutingUpdate(deps: UpdateDeps): Promise<UpdateOutcome> {
  const checkedUrl = validateRoutingDataUrl(deps.sourceUrl);
  if (!checkedUrl.ok)
    return { kind: 'refused', reason: `The routing data URL is not usable: ${checkedUrl.reason}.` };
  const folder = checkedUrl.url;
  const previous = deps.currentDownload?.url === folder ? deps.currentDownload : undefined;
  const fetchFile = (name: string, family: 4 | 6, conditional: boolean) => {
    const state = previous?.files.find((f) => f.name === name);
    return downloadRoutingFile({
      fetch: deps.fetch,
      url: routingFileUrl(folder, name),
      file: name,
      family,
      ...(conditional && state ? { previous: state } : {}),
      ...(deps.downloadLimits ? { limits: deps.downloadLimits } : {}),
      onBytes: (receivedBytes, totalBytes) =>
        deps.onProgress?.({
          phase: 'downloading',
          file: name,
          receivedBytes,
          ...(totalBytes !== undefined ? { totalBytes } : {}),
        }),
      ...(deps.yieldToEvents ? { yieldToEvents: deps.yieldToEvents } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  };

  const files = ROUTING_DATA_FILES.map((name, i) => ({ name, family: (i === 0 ? 4 : 6) as 4 | 6 }));
  const results = [];
  for (const f of files) {
    const result = await fetchFile(f.name, f.family, true);
    if (result.kind === 'failed')
      return { kind: 'refused', reason: `Download failed: ${result.reason}.` };
    results.push(result);
  }
  if (results.every((r) => r.kind === 'unchanged')) return { kind: 'unchanged' };
  // One file changed and the other did not: the table is built from both, so the unchanged one
  // is fetched again in full (its copy was not kept: only the table built from it was).
  for (let i = 0; i < results.length; i++) {
    if (results[i]!.kind !== 'unchanged') continue;
    const again = await fetchFile(files[i]!.name, files[i]!.family, false);
    if (again.kind === 'failed')
      return { kind: 'refused', reason: `Download failed: ${again.reason}.` };
    if (again.kind === 'unchanged') {
      return {
        kind: 'refused',
        reason: `Download failed: ${files[i]!.name}: the server sent no data.`,
      };
    }
    results[i] = again;
  }

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
    downloadFiles.push({ name: files[i]!.name, ...r.state });
    if (r.publishedAt !== undefined) publishedAt = Math.max(publishedAt ?? 0, r.publishedAt);
    if (r.rows.length === 0) {
      return {
        kind: 'refused',
        reason: `The new data is unusable: ${files[i]!.name} holds no address ranges.`,
      };
    }
  }
  const published = publishedAt ?? deps.now();
  const currentPublished = deps.current
    ? publishedAtOf(deps.current.meta.sourceVersion)
    : undefined;
  if (currentPublished !== undefined && published < currentPublished) {
    return {
      kind: 'refused',
      reason: `The data at this address was published on ${isoDay(published)}, before the data in use (${isoDay(currentPublished)}).`,
    };
  }

  deps.onProgress?.({ phase: 'building' });
  await deps.yieldToEvents?.();
  let table: PrefixTable;
  let file: Uint8Array;
  try {
    const normalized = normalizeRanges(rows, { reportOverlaps: true });
    // The rows are no longer needed: let them go before the encoder allocates.
    rows.length = 0;
    results.length = 0;
    await deps.yieldToEvents?.();
    ({ table, file } = await buildTableFromRanges(
      normalized.ranges,
      {
        source: folder,
        sourceVersion: versionStampOf(published),
        builtFrom: ROUTING_DATA_FILES.join(', '),
      },
      deps.codec,
      deps.deflateRaw,
    ));
  } catch (error) {
    return {
      kind: 'refused',
      reason: `The new data could not be turned into a table: ${error instanceof Error ? error.message : String(error)}.`,
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
  if (reasons.length > 0) return { kind: 'refused', reason: reasons.join(' ') };
  const summary =
    `${table.meta.v4Ranges} IPv4 and ${table.meta.v6Ranges} IPv6 ranges, published ${isoDay(published)}` +
    (malformed > 0 ? `; ${malformed} unreadable rows skipped` : '');
  return {
    kind: 'built',
    table,
    file,
    download: { url: folder, files: downloadFiles, publishedAt: published, fetchedAt: deps.now() },
    summary,
  };
}
