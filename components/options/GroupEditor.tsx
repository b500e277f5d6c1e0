import { useState } from 'preact/hooks';
import { i18n } from '#i18n';
import { groupName } from '../lib-words';
import { addAsn, addPrefix, removeGroup, setGroupEnabled } from '../../lib/watchlist/edit';
import type { WatchGroup, Watchlist } from '../../lib/watchlist/model';
import { AsnList } from './AsnList';
import { ConfirmStep } from './ConfirmStep';
import { EntryForm } from './EntryForm';
import { Feedback, useFeedback, type AreaFeedback } from './Feedback';
import type { SaveWatchlist } from './options-api';
import { applyEdit, countsOf } from './watchlist-edits';

/** One group: watch it or not, its entries (on demand), add an entry, remove the group. */
export function GroupEditor({
  group,
  watchlist,
  saveWatchlist,
  removalFeedback,
}: {
  group: WatchGroup;
  watchlist: Watchlist;
  saveWatchlist: SaveWatchlist;
  /** The section's status line below the groups: a removed group's own block is gone. */
  removalFeedback: AreaFeedback;
}) {
  // A built-in group in the user's language (中国电信), a custom one as typed (lib-words.ts).
  const name = groupName(group);
  const headingId = `group-${group.id}`;
  const statusId = `status-${group.id}`;
  const confirmId = `confirm-remove-${group.id}`;
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const feedback = useFeedback();
  return (
    <div class="group" role="group" aria-labelledby={headingId} data-testid={`group-${group.id}`}>
      <h3 id={headingId}>
        {name} <small>{i18n.t('options.group.badge', [group.code])}</small>
      </h3>
      <label>
        <input
          type="checkbox"
          checked={group.enabled}
          onChange={(e) => {
            const enabled = e.currentTarget.checked;
            feedback.start();
            void applyEdit(
              feedback,
              saveWatchlist,
              setGroupEnabled(watchlist, group.id, enabled),
              enabled
                ? i18n.t('options.group.watching', [name])
                : i18n.t('options.group.notWatching', [name]),
            );
          }}
        />{' '}
        {i18n.t('options.group.watch', [name])}
      </label>
      {!group.builtin && !confirming && (
        <button
          type="button"
          onClick={() => {
            feedback.start();
            setConfirming(true);
          }}
        >
          {i18n.t('options.group.remove', [name])}
        </button>
      )}
      {confirming && (
        <ConfirmStep
          testId={confirmId}
          question={i18n.t('options.group.removeQuestion', [
            name,
            countsOf(group.asns.length, group.prefixes.length),
          ])}
          confirmLabel={i18n.t('options.group.removeConfirm')}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            removalFeedback.start();
            void applyEdit(
              removalFeedback,
              saveWatchlist,
              removeGroup(watchlist, group.id),
              i18n.t('options.group.removed', [name]),
              watchlist,
            );
          }}
        />
      )}
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>{countsOf(group.asns.length, group.prefixes.length)}</summary>
        {/* Rendered only while open, a page at a time: a group may hold thousands of entries. */}
        {open && (
          <AsnList
            group={group}
            watchlist={watchlist}
            saveWatchlist={saveWatchlist}
            feedback={feedback}
          />
        )}
      </details>
      <EntryForm
        id={`add-${group.id}`}
        label={i18n.t('options.group.addEntry', [name])}
        placeholder={i18n.t('options.group.addEntryPlaceholder')}
        feedback={feedback}
        feedbackId={statusId}
        submit={(text) => {
          const edit = text.includes('/')
            ? addPrefix(watchlist, group.id, text)
            : addAsn(watchlist, group.id, text);
          return applyEdit(
            feedback,
            saveWatchlist,
            edit,
            i18n.t('options.group.entryAdded', [text.trim(), name]),
          ).then((problem) => (problem ? '' : null));
        }}
      />
      <Feedback feedback={feedback} testId={`status-${group.id}`} id={statusId} />
    </div>
  );
}
