import { i18n } from '#i18n';
import type { Settings } from '../../lib/settings';
import type { OptionsApi, SaveFn, SaveWatchlist } from './options-api';
import { Feedback, useFeedback } from './Feedback';
import { GroupEditor } from './GroupEditor';
import { ImportExport } from './ImportExport';
import { NewGroupForm } from './NewGroupForm';
import { Lockable, LockedNote } from './Locked';

/** The watchlist: one block per group, a form for a new group, import, export and reset. */
export function WatchlistSection({
  settings,
  save,
  api,
}: {
  settings: Settings;
  save: SaveFn;
  api: OptionsApi;
}) {
  const watchlist = settings.watchlist;
  const saveWatchlist: SaveWatchlist = (next) => save({ ...settings, watchlist: next });
  const removalFeedback = useFeedback();
  return (
    <section aria-labelledby="watchlist-heading">
      <h2 id="watchlist-heading">{i18n.t('options.watchlist.heading')}</h2>
      <p>{i18n.t('options.watchlist.intro')}</p>
      <LockedNote field="watchlist" />
      {/* Locked: the groups cannot be edited; export stays, and an import or a reset is refused
          by the worker, which the page then says (Options.tsx). */}
      <Lockable field="watchlist" note={false}>
        {watchlist.groups.map((group) => (
          <GroupEditor
            key={group.id}
            group={group}
            watchlist={watchlist}
            saveWatchlist={saveWatchlist}
            removalFeedback={removalFeedback}
          />
        ))}
        <Feedback feedback={removalFeedback} testId="groups-status" />
        <NewGroupForm watchlist={watchlist} saveWatchlist={saveWatchlist} />
      </Lockable>
      <ImportExport watchlist={watchlist} saveWatchlist={saveWatchlist} api={api} />
    </section>
  );
}
