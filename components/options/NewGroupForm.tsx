import { useState } from 'preact/hooks';
import { i18n } from '#i18n';
import { watchlistRefusalWords } from '../lib-words';
import { addGroup } from '../../lib/watchlist/edit';
import type { Watchlist } from '../../lib/watchlist/model';
import { Feedback, useFeedback } from './Feedback';
import type { SaveWatchlist } from './options-api';

/** A new, empty group of the user's own, with its badge code. */
export function NewGroupForm({
  watchlist,
  saveWatchlist,
}: {
  watchlist: Watchlist;
  saveWatchlist: SaveWatchlist;
}) {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const feedback = useFeedback();
  return (
    <form
      class="inline-form new-group"
      onSubmit={(e) => {
        e.preventDefault();
        feedback.start();
        const added = addGroup(watchlist, name, code);
        if (!added.ok) {
          feedback.show({
            kind: 'error',
            text: i18n.t('options.notSaved', [watchlistRefusalWords(added)]),
          });
          return;
        }
        const shown = name.trim();
        void saveWatchlist(added.watchlist).then((problem) => {
          if (problem) {
            feedback.show({ kind: 'error', text: i18n.t('options.notSaved', [problem]) });
            return;
          }
          feedback.show({ kind: 'ok', text: i18n.t('options.group.added', [shown]) });
          setName('');
          setCode('');
        });
      }}
    >
      <label>
        {i18n.t('options.group.newName')}{' '}
        <input type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {i18n.t('options.group.code')}{' '}
        <input type="text" value={code} size={4} onInput={(e) => setCode(e.currentTarget.value)} />
      </label>
      <button type="submit">{i18n.t('options.group.add')}</button>
      <Feedback feedback={feedback} testId="new-group-status" />
    </form>
  );
}
