/** Past this age the data is called stale (popup, settings page, `carrierflag --version`). */
export const STALE_AFTER_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The publication time inside a table's source version, when it carries one: ip-location-db's
 * npm versions end in YYYYMMDDHH (`2.3.2026061719`), and a downloaded table's version is that
 * stamp alone (`2026120112`). Undefined for sources whose version carries no date.
 */
export function publishedAtOf(sourceVersion: string): number | undefined {
  const match = /(20\d{2})(\d{2})(\d{2})(\d{2})$/.exec(sourceVersion);
  if (!match) return undefined;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]));
  return Number.isFinite(time) ? time : undefined;
}

/** The YYYYMMDDHH stamp (UTC) a downloaded table's version carries. */
export function versionStampOf(time: number): string {
  const d = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}`;
}

/**
 * A publication date may run ahead of this computer's clock by this much (clocks drift, servers
 * round); further ahead, the date is not believed: a feed dated 2099 would otherwise make every
 * honest update, and every newer release's bundled data, look older than it.
 */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/** The time when it is a believable publication date at `now`, else undefined (unknown). */
export function saneDate(time: number | undefined, now: number): number | undefined {
  return time !== undefined && Number.isFinite(time) && time <= now + MAX_CLOCK_SKEW_MS
    ? time
    : undefined;
}

/** `2026-06-17`, from a time. */
export function isoDay(time: number): string {
  const date = new Date(time);
  return Number.isFinite(date.getTime()) ? date.toISOString().slice(0, 10) : 'an unreadable date';
}

/** Whole days from `published` to `now` (never negative). */
export function ageInDays(published: number, now: number): number {
  return Math.max(0, Math.floor((now - published) / DAY_MS));
}

/** True when data published at `published` is older than STALE_AFTER_DAYS at `now`. */
export function isStale(published: number, now: number): boolean {
  return now - published > STALE_AFTER_DAYS * DAY_MS;
}
