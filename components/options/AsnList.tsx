import { useMemo, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import { groupName, speaksEnglish } from '../lib-words';
import { displayText } from '../../lib/display-text';
import { removeAsn, removePrefix } from '../../lib/watchlist/edit';
import type { Confidence, WatchAsn, WatchGroup, Watchlist } from '../../lib/watchlist/model';
import type { AreaFeedback } from './Feedback';
import { applyEdit } from './watchlist-edits';
import { Pager, usePage } from './Pager';
import type { SaveWatchlist } from './options-api';

type Entry =
  | { kind: 'asn'; asn: WatchAsn; key: string; text: string }
  | { kind: 'prefix'; prefix: string; key: string; text: string };

const CONFIDENCE_WORDS: Record<Confidence, () => string> = {
  high: () => i18n.t('common.confidence.high'),
  medium: () => i18n.t('common.confidence.medium'),
  low: () => i18n.t('common.confidence.low'),
};

/**
 * A group's ASNs (with the note that says what each network is, and how sure the claim is) and
 * prefixes: searchable by number, name or prefix, one page of rows (and Remove buttons) at a time.
 */
export function AsnList({
  group,
  watchlist,
  saveWatchlist,
  feedback,
}: {
  group: WatchGroup;
  watchlist: Watchlist;
  saveWatchlist: SaveWatchlist;
  feedback: AreaFeedback;
}) {
  const name = groupName(group);
  const [query, setQuery] = useState('');
  const entries = useMemo<Entry[]>(
    () => [
      ...group.asns.map((asn) => ({
        kind: 'asn' as const,
        asn,
        key: `as${asn.asn}`,
        text: `as${asn.asn} ${asn.note ?? ''} ${asn.confidence ?? ''}`.toLowerCase(),
      })),
      ...group.prefixes.map((prefix) => ({
        kind: 'prefix' as const,
        prefix,
        key: prefix,
        text: prefix,
      })),
    ],
    [group],
  );
  const needle = query
    .trim()
    .toLowerCase()
    .replace(/^as\s+/, 'as');
  const matching = needle ? entries.filter((e) => e.text.includes(needle)) : entries;
  const pager = usePage(matching);
  const searchId = `search-${group.id}`;
  const remove = (entry: Entry) => {
    feedback.start();
    const edit =
      entry.kind === 'asn'
        ? removeAsn(watchlist, group.id, entry.asn.asn)
        : removePrefix(watchlist, group.id, entry.prefix);
    const shown = entry.kind === 'asn' ? `AS${entry.asn.asn}` : entry.prefix;
    void applyEdit(
      feedback,
      saveWatchlist,
      edit,
      i18n.t('options.list.removed', [shown, name]),
      watchlist,
    );
  };
  return (
    <div class="group-entries">
      <label for={searchId}>{i18n.t('options.list.search', [name])}</label>{' '}
      <input
        id={searchId}
        type="search"
        value={query}
        placeholder={i18n.t('options.list.searchPlaceholder')}
        autoComplete="off"
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          pager.setPage(0);
        }}
      />
      <ul class="asn-list" aria-label={i18n.t('options.list.label', [name])}>
        {pager.rows.map((entry) => (
          <EntryRow
            key={entry.key}
            entry={entry}
            groupName={name}
            builtin={group.builtin}
            onRemove={remove}
          />
        ))}
      </ul>
      {matching.length === 0 && <p>{i18n.t('options.list.noMatches')}</p>}
      <Pager pager={pager} label={i18n.t('options.list.label', [name])} />
    </div>
  );
}

/** The language of the built-in entries' notes (lib/watchlist/carriers-research.json). */
const RESEARCH_NOTES_LANGUAGE = 'en';

/** One row: the ASN with its note and confidence (or the prefix), and its Remove button. */
function EntryRow({
  entry,
  groupName,
  builtin,
  onRemove,
}: {
  entry: Entry;
  groupName: string;
  /** A built-in entry's note is English research text (lib-words.ts). */
  builtin: boolean;
  onRemove: (entry: Entry) => void;
}) {
  const shown = entry.kind === 'asn' ? `AS${entry.asn.asn}` : entry.prefix;
  const confidence = entry.kind === 'asn' ? entry.asn.confidence : undefined;
  return (
    <li data-testid="asn-row">
      {entry.kind === 'asn' ? (
        <>
          <strong>AS{entry.asn.asn}</strong>
          {/* A note may come from an imported file: shown through displayText (lib/display-text.ts). */}
          {entry.asn.note && (
            <span class="asn-note">
              {' '}
              {builtin && !speaksEnglish() && (
                <small class="label">{i18n.t('words.researchNote')} </small>
              )}
              <span lang={builtin ? RESEARCH_NOTES_LANGUAGE : undefined}>
                {displayText(entry.asn.note)}
              </span>
            </span>
          )}
        </>
      ) : (
        <strong>{entry.prefix}</strong>
      )}
      {confidence && <ConfidenceNote level={confidence} />}{' '}
      <button
        type="button"
        aria-label={i18n.t('options.list.removeEntry', [shown, groupName])}
        onClick={() => onRemove(entry)}
      >
        {i18n.t('options.remove')}
      </button>
    </li>
  );
}

function ConfidenceNote({ level }: { level: Confidence }) {
  const className = `confidence confidence-${level}`;
  return <small class={className}> · {CONFIDENCE_WORDS[level]()}</small>;
}
