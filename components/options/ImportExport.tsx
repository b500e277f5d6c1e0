import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import { displayText } from '../../lib/display-text';
import { DEFAULT_WATCHLIST } from '../../lib/watchlist/defaults';
import {
  exportWatchlist,
  readWatchlistFile,
  type WatchlistFile,
} from '../../lib/watchlist/import-export';
import {
  planImport,
  summarizeFile,
  type ImportMode,
  type ImportRefusal,
  type WatchedCarrier,
} from '../../lib/watchlist/merge';
import { MAX_IMPORT_CHARS, type Watchlist } from '../../lib/watchlist/model';
import type { OptionsApi } from './options-api';
import { ConfirmStep } from './ConfirmStep';
import { Feedback, useFeedback, type AreaFeedback } from './Feedback';
import { applyEdit, countsOf } from './watchlist-edits';
import type { SaveWatchlist } from './options-api';

const EXPORT_FILENAME = 'carrierflag-watchlist.json';
const MIB = 1024 * 1024;

/** A refusal of the import plan, in the user's language. */
function refusalText(refusal: ImportRefusal): string {
  switch (refusal.kind) {
    case 'too-many-groups':
      return i18n.t('options.import.refused.tooManyGroups', [refusal.count, refusal.limit]);
    case 'group-too-large':
      return refusal.what === 'asns'
        ? i18n.t('options.import.refused.groupAsns', [refusal.group, refusal.count, refusal.limit])
        : i18n.t('options.import.refused.groupPrefixes', [
            refusal.group,
            refusal.count,
            refusal.limit,
          ]);
    case 'total-too-large':
      return refusal.what === 'asns'
        ? i18n.t('options.import.refused.totalAsns', [refusal.count, refusal.limit])
        : i18n.t('options.import.refused.totalPrefixes', [refusal.count, refusal.limit]);
    case 'code-taken':
      return i18n.t('options.import.refused.codeTaken', [
        refusal.group,
        refusal.code,
        refusal.takenBy,
      ]);
    case 'invalid':
      return i18n.t('options.import.refused.invalid', [refusal.reason]);
  }
}

/** Export, import (see what a file holds, then merge or replace) and reset to the defaults. */
export function ImportExport({
  watchlist,
  saveWatchlist,
  api,
}: {
  watchlist: Watchlist;
  saveWatchlist: SaveWatchlist;
  api: OptionsApi;
}) {
  const feedback = useFeedback();
  const [pending, setPending] = useState<{ name: string; file: WatchlistFile } | null>(null);
  const [confirmingReset, setConfirmingReset] = useState(false);

  async function onPick(event: JSX.TargetedEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const picked = input.files?.[0];
    if (!picked) return;
    input.value = '';
    setPending(null);
    setConfirmingReset(false);
    feedback.start(i18n.t('options.import.reading'));
    // Checked before a byte is read: a huge file would freeze the page.
    if (picked.size > MAX_IMPORT_CHARS) {
      feedback.show({
        kind: 'error',
        text: i18n.t('options.import.tooLarge', [
          (picked.size / MIB).toFixed(1),
          MAX_IMPORT_CHARS / MIB,
        ]),
      });
      return;
    }
    let text: string;
    try {
      text = await picked.text();
    } catch {
      feedback.show({ kind: 'error', text: i18n.t('options.import.unreadable') });
      return;
    }
    const read = readWatchlistFile(text);
    if (!read.ok) {
      feedback.show({ kind: 'error', text: i18n.t('options.import.rejected', [read.reason]) });
      return;
    }
    feedback.show({ kind: 'ok', text: i18n.t('options.import.chooseHow') });
    setPending({ name: picked.name, file: read.file });
  }

  return (
    <div class="import-export">
      <h3>{i18n.t('options.import.heading')}</h3>
      <div class="inline-form">
        <button
          type="button"
          onClick={() => {
            feedback.start();
            api.download(EXPORT_FILENAME, exportWatchlist(watchlist));
            feedback.show({
              kind: 'ok',
              text: i18n.t('options.import.exported', watchlist.groups.length, [
                watchlist.groups.length,
                EXPORT_FILENAME,
              ]),
            });
          }}
        >
          {i18n.t('options.import.export')}
        </button>
        <label>
          {i18n.t('options.import.choose')}{' '}
          <input
            type="file"
            accept="application/json,.json"
            onChange={onPick}
            data-testid="import-file"
          />
        </label>
        {!confirmingReset && (
          <button
            type="button"
            onClick={() => {
              feedback.start();
              setPending(null);
              setConfirmingReset(true);
            }}
          >
            {i18n.t('options.reset.button')}
          </button>
        )}
      </div>
      {pending && (
        <ImportPreview
          key={pending.name}
          pending={pending}
          watchlist={watchlist}
          saveWatchlist={saveWatchlist}
          feedback={feedback}
          onDone={() => setPending(null)}
        />
      )}
      {confirmingReset && (
        <ConfirmStep
          testId="confirm-reset"
          question={i18n.t('options.reset.question')}
          confirmLabel={i18n.t('options.reset.confirm')}
          onCancel={() => setConfirmingReset(false)}
          onConfirm={() => {
            setConfirmingReset(false);
            feedback.start();
            void applyEdit(
              feedback,
              saveWatchlist,
              { ok: true, watchlist: structuredClone(DEFAULT_WATCHLIST) as Watchlist },
              i18n.t('options.reset.done'),
              watchlist,
            );
          }}
        />
      )}
      <Feedback feedback={feedback} testId="import-status" />
    </div>
  );
}

/** What the picked file holds, what importing it would do, and the choice of merge or replace. */
/** "After this import, China Mobile would no longer be watched.", one sentence per carrier. */
function unwatchedWords(carrier: WatchedCarrier): string {
  switch (carrier) {
    case 'china-telecom':
      return i18n.t('options.import.unwatched.chinaTelecom');
    case 'china-mobile':
      return i18n.t('options.import.unwatched.chinaMobile');
    case 'china-unicom':
      return i18n.t('options.import.unwatched.chinaUnicom');
  }
}

function ImportPreview({
  pending,
  watchlist,
  saveWatchlist,
  feedback,
  onDone,
}: {
  pending: { name: string; file: WatchlistFile };
  watchlist: Watchlist;
  saveWatchlist: SaveWatchlist;
  feedback: AreaFeedback;
  onDone: () => void;
}) {
  const [mode, setMode] = useState<ImportMode>('merge');
  const [noneEnabledOk, setNoneEnabledOk] = useState(false);
  const held = useMemo(() => summarizeFile(pending.file), [pending.file]);
  // Worked out once per choice: with the largest watchlist a plan checks 20,000 entries.
  const plan = useMemo(
    () => planImport(watchlist, pending.file, mode),
    [watchlist, pending.file, mode],
  );
  const needsConsent = plan.ok && plan.enabledGroups === 0;
  const unwatched = plan.ok ? plan.unwatchedCarriers.map(unwatchedWords) : [];
  const ready = plan.ok && (!needsConsent || noneEnabledOk);

  return (
    <div class="import-preview" data-testid="import-preview">
      <p>{i18n.t('options.import.holds', held.length, [pending.name, held.length])}</p>
      <ul data-testid="import-groups">
        {held.map((group) => (
          <li key={group.name}>
            {/* The file's own text: shown through displayText (lib/display-text.ts). */}
            <strong>{displayText(group.name)}</strong> — {countsOf(group.asns, group.prefixes)}
            {group.builtin && <small> · {i18n.t('options.import.builtIn')}</small>}
            {!group.enabled && <small> · {i18n.t('options.import.switchedOff')}</small>}
          </li>
        ))}
      </ul>
      <fieldset>
        <legend>{i18n.t('options.import.how')}</legend>
        <label class="choice">
          <input
            type="radio"
            name="import-mode"
            checked={mode === 'merge'}
            onChange={() => setMode('merge')}
            aria-describedby="import-merge-hint"
          />{' '}
          {i18n.t('options.import.merge')}
        </label>
        <small class="hint" id="import-merge-hint">
          {i18n.t('options.import.mergeHint')}
        </small>
        <label class="choice">
          <input
            type="radio"
            name="import-mode"
            checked={mode === 'replace'}
            onChange={() => setMode('replace')}
            aria-describedby="import-replace-hint"
          />{' '}
          {i18n.t('options.import.replace')}
        </label>
        <small class="hint" id="import-replace-hint">
          {i18n.t('options.import.replaceHint')}
        </small>
      </fieldset>
      {plan.ok ? (
        <ul class="import-plan" data-testid="import-plan">
          {plan.added.length > 0 && (
            <li>{i18n.t('options.import.willAdd', [plan.added.join(', ')])}</li>
          )}
          {plan.changed.length > 0 && (
            <li>{i18n.t('options.import.willChange', [plan.changed.join(', ')])}</li>
          )}
          {plan.removed.length > 0 && (
            <li>{i18n.t('options.import.willRemove', [plan.removed.join(', ')])}</li>
          )}
          {plan.added.length + plan.changed.length + plan.removed.length === 0 && (
            <li>{i18n.t('options.import.noChange')}</li>
          )}
        </ul>
      ) : (
        <p role="alert" class="error" data-testid="import-refused">
          {refusalText(plan.refusal)}
        </p>
      )}
      {unwatched.length > 0 && (
        <div class="warning" role="alert" data-testid="import-unwatched">
          {unwatched.map((sentence) => (
            <p key={sentence}>{sentence}</p>
          ))}
        </div>
      )}
      {needsConsent && (
        <div class="warning" data-testid="import-none-enabled">
          <p>{i18n.t('options.import.noneEnabled')}</p>
          <label>
            <input
              type="checkbox"
              checked={noneEnabledOk}
              onChange={(e) => setNoneEnabledOk(e.currentTarget.checked)}
            />{' '}
            {i18n.t('options.import.noneEnabledConsent')}
          </label>
        </div>
      )}
      <button
        type="button"
        class="primary"
        disabled={!ready}
        onClick={() => {
          if (!plan.ok) return;
          feedback.start(i18n.t('options.import.saving'));
          const count = held.length;
          void applyEdit(
            feedback,
            saveWatchlist,
            { ok: true, watchlist: plan.watchlist },
            // The confirmation repeats the warning, so it is still there once the preview is gone.
            [
              mode === 'merge'
                ? i18n.t('options.import.merged', count)
                : i18n.t('options.import.replaced', count),
              ...unwatched,
            ].join(' '),
            watchlist,
          ).then((problem) => {
            if (!problem) onDone();
          });
        }}
      >
        {mode === 'merge' ? i18n.t('options.import.doMerge') : i18n.t('options.import.doReplace')}
      </button>{' '}
      <button
        type="button"
        onClick={() => {
          feedback.start();
          onDone();
        }}
      >
        {i18n.t('options.cancel')}
      </button>
    </div>
  );
}
