/**
 * What the watchlist's parts (group editor, ASN list, import and export) share: the counts in
 * words and how an edit is applied and reported. Apart from the components, so none of them
 * imports another only for these (no import circle).
 */
import { i18n } from '#i18n';
import type { Watchlist, WatchlistResult } from '../../lib/watchlist/model';
import { watchlistRefusalWords } from '../lib-words';
import type { AreaFeedback } from './Feedback';
import type { SaveWatchlist } from './options-api';

/** "153 ASNs · 2 prefixes", in words that agree with the counts. */
export function countsOf(asns: number, prefixes: number): string {
  return `${i18n.t('options.count.asns', asns)} · ${i18n.t('options.count.prefixes', prefixes)}`;
}

/**
 * Applies an edit and says how it went on `feedback`: the reason when it was refused or could not
 * be saved (nothing changed then), else `done`, with an Undo that restores `undoTo` if given.
 * Resolves to the problem, or null.
 */
export async function applyEdit(
  feedback: AreaFeedback,
  saveWatchlist: SaveWatchlist,
  edit: WatchlistResult,
  done: string,
  undoTo?: Watchlist,
): Promise<string | null> {
  const problem = edit.ok ? await saveWatchlist(edit.watchlist) : watchlistRefusalWords(edit);
  if (problem) {
    const text = i18n.t('options.notSaved', [problem]);
    feedback.show({ kind: 'error', text });
    return text;
  }
  const undo = undoTo && {
    label: i18n.t('options.undo'),
    run: () => {
      feedback.start();
      void saveWatchlist(undoTo).then((failed) =>
        feedback.show(
          failed
            ? { kind: 'error', text: i18n.t('options.notSaved', [failed]) }
            : { kind: 'ok', text: i18n.t('options.undone') },
        ),
      );
    },
  };
  feedback.show({ kind: 'ok', text: done, ...(undo ? { actions: [undo] } : {}) });
  return null;
}
