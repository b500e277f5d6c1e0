import { readSource } from '../sources';
import type { SourceProblem, SourceRow } from '../sources';
import {
  fetchFollowingRedirects,
  type FetchLike,
  type RedirectMode,
  type RedirectWatch,
} from './redirects';
import { hostOfUrl, type RoutingSourceFormat } from './source-url';

export type { FetchLike } from './redirects';

/** What a conditional request needs from the last download of a file. */
export interface ConditionalState {
  etag?: string;
  lastModified?: string;
}

/** The bounds of one file's download (README, "Fresh routing data"). */
export interface DownloadLimits {
  /**
   * A file larger than this is refused, by its Content-Length before a byte is read, or as soon as
   * the body passes it. 64 MiB: three times the largest upstream file (the IPv4 one, about 21 MB).
   * A gzip file is held to it twice: its bytes on the wire, and the text they unpack to.
   */
  maxFileBytes: number;
  /** No byte for this long (before the headers or during the body): the server is hanging. */
  stallTimeoutMs: number;
  /** The whole file must arrive within this, however slowly it trickles. */
  totalTimeoutMs: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  stallTimeoutMs: 20_000,
  totalTimeoutMs: 5 * 60_000,
};

/**
 * Text handed to the reader at a time: the body is decoded as it arrives and read in slices that
 * end at a line break, so the whole file never sits in memory as one string (21 MB of CSV would be
 * 42 MB as a JavaScript string); only the rows read from it are kept.
 */
const SLICE_CHARS = 1 << 20;

export type FileDownload =
  | { kind: 'unchanged' }
  | {
      kind: 'read';
      rows: SourceRow[];
      problems: SourceProblem[];
      /** Malformed rows left out (each is also an 'error' problem). */
      skipped: number;
      bytes: number;
      state: ConditionalState;
      /** The server's Last-Modified: when this copy was published, as far as we know. */
      publishedAt?: number;
      /** The server's Date header: its clock when it answered (for a file without Last-Modified). */
      servedAt?: number;
      /** The host (with port) that served the file, after any redirects. */
      servedBy: string;
    }
  | { kind: 'failed'; reason: string };

export interface FileDownloadOptions {
  fetch: FetchLike;
  url: string;
  /** The file's name as problems show it (asn-ipv4-num.csv). */
  file: string;
  /** Its rows' format, and for ip-location-db's numeric files which family they hold. */
  format: RoutingSourceFormat;
  family: 4 | 6 | 'both';
  /** 'browser' in the extension's worker, 'manual' where hops can be read (Node). */
  redirects?: RedirectMode;
  /** In 'browser' mode, the hops as the browser reports them (redirects.ts). */
  watchRedirects?: RedirectWatch;
  /** Keeps only the rows whose AS number passes (a cross-check needs the carriers' rows alone). */
  keepAsn?(asn: number): boolean;
  /**
   * Rows kept beyond this refuse the file as soon as a slice passes it: a flood of tiny rows
   * (or a small gzip file that unpacks to one) must cost no more memory than the real data does.
   */
  maxRows?: number;
  /** Sent as If-None-Match / If-Modified-Since; omit to download unconditionally. */
  previous?: ConditionalState;
  limits?: Partial<DownloadLimits>;
  /** Bytes of the body received so far, and the total when the server said it. */
  onBytes?(received: number, total: number | undefined): void;
  /** Lets the caller's other work run between slices (the worker's badge, messages). */
  yieldToEvents?(): Promise<void>;
  signal?: AbortSignal;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function parseHttpDate(text: string | null): number | undefined {
  if (!text) return undefined;
  const time = Date.parse(text);
  return Number.isFinite(time) ? time : undefined;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** A longer line is not routing data (a row is under 200 characters; a CSV quote can't span lines). */
export const MAX_LINE_CHARS = 4096;

/**
 * Downloads one routing data file and reads it with the same readers `npm run data` uses
 * (lib/sources: ip-location-db or iptoasn format), as it arrives; a gzip file (iptoasn's
 * `.tsv.gz`, recognised by its first bytes) is unpacked as it streams. Never throws: every failure
 * is a reason in plain words — a refused redirect, an HTTP error, a web page instead of data, a
 * file over the size cap, a server that stops sending, text that is not UTF-8, a file cut off.
 */
export async function downloadRoutingFile(options: FileDownloadOptions): Promise<FileDownload> {
  const limits = { ...DEFAULT_DOWNLOAD_LIMITS, ...options.limits };
  const controller = new AbortController();
  let stalled = false;
  let overdue = false;
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  const armStall = () => {
    if (stallTimer !== undefined) clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, limits.stallTimeoutMs);
  };
  const totalTimer = setTimeout(() => {
    overdue = true;
    controller.abort();
  }, limits.totalTimeoutMs);
  const onCallerAbort = () => controller.abort();
  // Raced against every await that a hanging server could hold: a fetch or a body stream that
  // ignores the signal (some fakes, some engines once headers are in) must not hang the update.
  const aborted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
  );
  aborted.catch(() => undefined);
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timeoutReason = () =>
    stalled
      ? `the server sent nothing for ${Math.round(limits.stallTimeoutMs / 100) / 10} seconds`
      : overdue
        ? `the download took longer than ${Math.round(limits.totalTimeoutMs / 60_000)} minutes`
        : options.signal?.aborted
          ? 'the update was stopped'
          : undefined;
  const name = options.file;
  try {
    armStall();
    const headers: Record<string, string> = {};
    if (options.previous?.etag) headers['If-None-Match'] = options.previous.etag;
    if (options.previous?.lastModified)
      headers['If-Modified-Since'] = options.previous.lastModified;
    let response: Response;
    let servedBy = hostOfUrl(options.url);
    try {
      // 'no-cache': revalidate with the server (our own If-None-Match does the saving), so the
      // browser's HTTP cache never answers for it with a stale copy.
      const followed = await Promise.race([
        fetchFollowingRedirects(
          options.fetch,
          options.url,
          { headers, signal: controller.signal, cache: 'no-cache' },
          options.redirects ?? 'manual',
          options.watchRedirects,
        ),
        aborted,
      ]);
      if (!followed.ok) return { kind: 'failed', reason: `${name}: ${followed.reason}` };
      response = followed.response;
      servedBy = hostOfUrl(followed.finalUrl);
    } catch (error) {
      return {
        kind: 'failed',
        reason: `${name}: ${timeoutReason() ?? `the server could not be reached (${messageOf(error)})`}`,
      };
    }
    armStall();
    if (response.status === 304) {
      void response.body?.cancel().catch(() => undefined);
      return { kind: 'unchanged' };
    }
    if (!response.ok) {
      void response.body?.cancel().catch(() => undefined);
      return {
        kind: 'failed',
        reason: `${name}: the server answered with an error (HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''})`,
      };
    }
    const type = (response.headers.get('content-type') ?? '').toLowerCase();
    if (type.includes('text/html') || type.includes('application/xhtml')) {
      void response.body?.cancel().catch(() => undefined);
      return { kind: 'failed', reason: `${name}: the server sent a web page, not the data file` };
    }
    // Content-Length counts the bytes on the wire: with a Content-Encoding (gzip, br) the body fetch
    // hands over is larger, so the length is then neither a size check nor a completeness check.
    const encoding = (response.headers.get('content-encoding') ?? 'identity').toLowerCase();
    const declared = Number(response.headers.get('content-length') ?? NaN);
    const total =
      encoding === 'identity' && Number.isFinite(declared) && declared >= 0 ? declared : undefined;
    if (total !== undefined && total > limits.maxFileBytes) {
      void response.body?.cancel().catch(() => undefined);
      return {
        kind: 'failed',
        reason: `${name}: the file is ${mb(total)}, more than the ${mb(limits.maxFileBytes)} an update accepts`,
      };
    }
    if (!response.body) return { kind: 'failed', reason: `${name}: the server sent no data` };

    const rows: SourceRow[] = [];
    const problems: SourceProblem[] = [];
    let skipped = 0;
    let linesBefore = 0;
    let pending = '';
    let sniffed = false;
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    // One copy of each organisation name, detached from the slice it was read from: a substring
    // keeps its whole source text alive in V8, so without this every slice of the file would stay
    // in memory until the table is built. About 80,000 distinct names for half a million rows.
    const names = new Map<string, string>();
    const intern = (org: string): string => {
      let name = names.get(org);
      if (name === undefined) {
        name = detachedCopy(org);
        names.set(name, name);
      }
      return name;
    };
    const readOptions = {
      file: name,
      ...(options.family !== 'both' ? { family: options.family } : {}),
    };
    const readSlice = (text: string) => {
      const result = readSource(options.format, text, readOptions);
      // The reader numbers lines from the slice's start; these row objects are fresh and ours,
      // so they are renumbered in place rather than copied (half a million of them).
      for (const row of result.rows) {
        if (options.keepAsn && !options.keepAsn(row.asn)) continue;
        (row as { line: number }).line += linesBefore;
        (row as { org: string }).org = intern(row.org);
        rows.push(row);
      }
      for (const p of result.problems) problems.push({ ...p, line: p.line + linesBefore });
      skipped += result.skipped;
      let breaks = 0;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks++;
      linesBefore += breaks;
    };
    const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
    const tooManyRows = () =>
      `the file holds more than ${maxRows} address ranges, far more than the data in use, so it is not taken`;
    const wire = response.body.getReader();
    let received = 0;
    /** Why the body stream was stopped from our side (a limit), in words. */
    let stopped: string | undefined;
    let first: ReadableStreamReadResult<Uint8Array>;
    try {
      first = await Promise.race([wire.read(), aborted]);
    } catch (error) {
      void wire.cancel().catch(() => undefined);
      return {
        kind: 'failed',
        reason: `${name}: ${timeoutReason() ?? `the download broke off (${messageOf(error)})`}`,
      };
    }
    if (first.done) return { kind: 'failed', reason: `${name}: the file is empty` };
    const gzip = first.value[0] === GZIP_MAGIC[0] && first.value[1] === GZIP_MAGIC[1];
    let unread: Uint8Array | undefined = first.value;
    // The bytes as they come off the wire, counted and capped before anything unpacks them.
    const counted = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        if (unread) {
          chunk = { done: false, value: unread };
          unread = undefined;
        } else chunk = await wire.read();
        if (chunk.done) {
          controller.close();
          return;
        }
        received += chunk.value.length;
        if (received > limits.maxFileBytes) {
          stopped = `the file is larger than the ${mb(limits.maxFileBytes)} an update accepts`;
          controller.error(new Error(stopped));
          void wire.cancel().catch(() => undefined);
          return;
        }
        armStall();
        options.onBytes?.(received, total);
        controller.enqueue(chunk.value);
      },
      cancel: (reason) => wire.cancel(reason),
    });
    const reader = (
      gzip
        ? counted.pipeThrough(
            // lib.dom types the writable side as BufferSource; the chunks are Uint8Array.
            new DecompressionStream('gzip') as unknown as ReadableWritablePair<
              Uint8Array,
              Uint8Array
            >,
          )
        : counted
    ).getReader();
    let unpacked = 0;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await Promise.race([reader.read(), aborted]);
      } catch (error) {
        void reader.cancel().catch(() => undefined);
        const broke = gzip
          ? 'the compressed file is damaged or was cut short'
          : `the download broke off (${messageOf(error)})`;
        return { kind: 'failed', reason: `${name}: ${stopped ?? timeoutReason() ?? broke}` };
      }
      armStall();
      if (chunk.done) break;
      unpacked += chunk.value.length;
      if (gzip && unpacked > limits.maxFileBytes) {
        void reader.cancel().catch(() => undefined);
        return {
          kind: 'failed',
          reason: `${name}: the file unpacks to more than the ${mb(limits.maxFileBytes)} an update accepts`,
        };
      }
      try {
        pending += decoder.decode(chunk.value, { stream: true });
      } catch {
        void reader.cancel().catch(() => undefined);
        return { kind: 'failed', reason: `${name}: the file is not text (not valid UTF-8)` };
      }
      if (!sniffed && pending.trimStart().length > 0) {
        sniffed = true;
        if (pending.trimStart().startsWith('<')) {
          void reader.cancel().catch(() => undefined);
          return {
            kind: 'failed',
            reason: `${name}: the server sent a web page, not the data file`,
          };
        }
      }
      if (pending.length >= SLICE_CHARS) {
        const cut = pending.lastIndexOf('\n');
        if (cut >= 0) {
          readSlice(pending.slice(0, cut + 1));
          pending = pending.slice(cut + 1);
          await options.yieldToEvents?.();
        }
        // What is left is part of one line: a routing row is under 200 characters, so a line
        // this long is not routing data, and reading on would only cost memory and time.
        if (pending.length > MAX_LINE_CHARS) {
          void reader.cancel().catch(() => undefined);
          return {
            kind: 'failed',
            reason: `${name}: a line is longer than ${MAX_LINE_CHARS} characters, so this is not routing data`,
          };
        }
        if (rows.length > maxRows) {
          void reader.cancel().catch(() => undefined);
          return { kind: 'failed', reason: `${name}: ${tooManyRows()}` };
        }
      }
    }
    try {
      pending += decoder.decode();
    } catch {
      return { kind: 'failed', reason: `${name}: the file is not text (not valid UTF-8)` };
    }
    if (total !== undefined && received !== total) {
      return {
        kind: 'failed',
        reason: `${name}: the download was cut short (${received} of ${total} bytes)`,
      };
    }
    if (received === 0 || (gzip && unpacked === 0))
      return { kind: 'failed', reason: `${name}: the file is empty` };
    if (pending.length > 0 && !pending.endsWith('\n')) {
      return {
        kind: 'failed',
        reason: `${name}: the file ends in the middle of a line, so it was cut short`,
      };
    }
    // What is left is under a slice (the loop cut every full one), so its lines are bounded too.
    if (pending.length > 0) readSlice(pending);
    if (rows.length > maxRows) return { kind: 'failed', reason: `${name}: ${tooManyRows()}` };
    const state: ConditionalState = {};
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (etag) state.etag = etag;
    if (lastModified) state.lastModified = lastModified;
    const publishedAt = parseHttpDate(lastModified);
    const servedAt = parseHttpDate(response.headers.get('date'));
    return {
      kind: 'read',
      rows,
      problems,
      skipped,
      bytes: received,
      state,
      ...(publishedAt !== undefined ? { publishedAt } : {}),
      ...(servedAt !== undefined ? { servedAt } : {}),
      servedBy,
    };
  } finally {
    if (stallTimer !== undefined) clearTimeout(stallTimer);
    clearTimeout(totalTimer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** A string with its own storage (not a view into a larger one), whatever the engine does with slices. */
function detachedCopy(text: string): string {
  return text.length === 0 ? '' : (JSON.parse(JSON.stringify(text)) as string);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
