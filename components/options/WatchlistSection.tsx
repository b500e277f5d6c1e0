import { i18n } from '#i18n';
import type { Settings } from '../../lib/settings';
import type { OptionsApi, SaveFn, SaveWatchlist } from './options-api';
import { Feedback, useFeedback } from './Feedback';
import { GroupEditor } from './GroupEditor';
import { ImportExport } from './ImportExport';
import { NewGroupForm } from './NewGroupForm';

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
      <ImportExport watchlist={watchlist} saveWatchlist={saveWatchlist} api={api} />
    </section>
  );
}
