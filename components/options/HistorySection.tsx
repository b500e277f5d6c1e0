import type { JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import {
  historyToCsv,
  historyToJson,
  MAX_HISTORY_IMPORT_CHARS,
  type HistoryAction,
  type HistoryFilter,
  type VisitRow,
} from '../../lib/history';
import type { HistoryImportResult } from '../../lib/messages';
import { HISTORY_LIMITS, type Settings } from '../../lib/settings';
import { groupName } from '../lib-words';
import { ConfirmStep } from './ConfirmStep';
import { Feedback, useFeedback } from './Feedback';
import type { HistoryApi, SaveFn } from './options-api';
import { Pager, usePage } from './Pager';

const CSV_FILENAME = 'carrierflag-history.csv';
const JSON_FILENAME = 'carrierflag-history.json';
const MIB = 1024 * 1024;
const DAY_MS = 86_400_000;

function actionWords(action: HistoryAction): string {
  switch (action) {
    case 'shown':
      return i18n.t('history.action.shown');
    case 'warned':
      return i18n.t('history.action.warned');
    case 'blocked':
      return i18n.t('history.action.blocked');
    case 'continued':
      return i18n.t('history.action.continued');
  }
}

/** A date input's value (YYYY-MM-DD) as the local midnight starting it, in ms; undefined if empty. */
function dayStart(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime();
}

/** A file made in the page: its link stays, so it can be saved again (and read by the e2e tests). */
interface MadeFile {
  name: string;
  url: string;
  testId: string;
}

/**
 * The local history of flagged visits: its switches and bounds, a table filtered by carrier and
 * date, CSV and JSON export of what the table shows, JSON import, and Clear (after a confirm
 * step). Everything stays in this browser.
 */
export function HistorySection({
  settings,
  save,
  api,
}: {
  settings: Settings;
  save: SaveFn;
  api: HistoryApi;
}) {
  const feedback = useFeedback();
  const tableFeedback = useFeedback();
  const [rows, setRows] = useState<VisitRow[] | null>(null);
  const [total, setTotal] = useState(0);
  const [carrier, setCarrier] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [confirmingClear, setConfirmingClear] = useState(false);
  const [made, setMade] = useState<MadeFile | null>(null);
  const [maxEntries, setMaxEntries] = useState(String(settings.history.maxEntries));
  const [maxAgeDays, setMaxAgeDays] = useState(String(settings.history.maxAgeDays));
  const pager = usePage(rows ?? []);
  const madeUrl = useRef<string | null>(null);

  const filter = useCallback((): HistoryFilter => {
    const f: HistoryFilter = {};
    if (carrier) f.carrier = carrier;
    const start = dayStart(from);
    const end = dayStart(to);
    if (start !== undefined) f.from = start;
    if (end !== undefined) f.to = end + DAY_MS; // the whole "to" day is in
    return f;
  }, [carrier, from, to]);

  const refresh = useCallback(() => {
    api.list(filter()).then(
      (result) => {
        setRows(result.rows);
        setTotal(result.total);
      },
      (error: unknown) =>
        tableFeedback.show({ kind: 'error', text: i18n.t('history.loadFailed', [String(error)]) }),
    );
  }, [api, filter, tableFeedback.show]);

  useEffect(refresh, [refresh]);
  // The last made file's URL is released when the page goes (or the next file replaces it).
  useEffect(() => () => void (madeUrl.current && URL.revokeObjectURL(madeUrl.current)), []);

  const history = settings.history;
  const apply = (next: Settings['history'], done: string) => {
    feedback.start();
    void save({ ...settings, history: next }).then((problem) => {
      feedback.show(
        problem
          ? { kind: 'error', text: i18n.t('options.notSaved', [problem]) }
          : { kind: 'ok', text: done },
      );
      if (!problem) refresh(); // lowered bounds apply at once
    });
  };

  const download = (name: string, text: string, type: string, testId: string) => {
    if (madeUrl.current) URL.revokeObjectURL(madeUrl.current);
    const url = URL.createObjectURL(new Blob([text], { type }));
    madeUrl.current = url;
    setMade({ name, url, testId });
    Object.assign(document.createElement('a'), { href: url, download: name }).click();
  };

  const exportAs = (kind: 'csv' | 'json') => {
    feedback.start();
    const shown = rows ?? [];
    if (kind === 'csv') {
      download(
        CSV_FILENAME,
        historyToCsv(shown, groupName),
        'text/csv;charset=utf-8',
        'history-csv-link',
      );
    } else {
      download(
        JSON_FILENAME,
        historyToJson(shown, Date.now()),
        'application/json',
        'history-json-link',
      );
    }
    const name = kind === 'csv' ? CSV_FILENAME : JSON_FILENAME;
    feedback.show({
      kind: 'ok',
      text: i18n.t('history.exported', shown.length, [shown.length, name]),
    });
  };

  async function onPick(event: JSX.TargetedEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const picked = input.files?.[0];
    if (!picked) return;
    input.value = '';
    setConfirmingClear(false);
    feedback.start(i18n.t('history.importing'));
    if (picked.size > MAX_HISTORY_IMPORT_CHARS) {
      const size = (picked.size / MIB).toFixed(1);
      feedback.show({
        kind: 'error',
        text: i18n.t('history.importTooLarge', [size, MAX_HISTORY_IMPORT_CHARS / MIB]),
      });
      return;
    }
    let text: string;
    try {
      text = await picked.text();
    } catch {
      feedback.show({ kind: 'error', text: i18n.t('history.unreadable') });
      return;
    }
    let result: HistoryImportResult;
    try {
      result = await api.import(text);
    } catch (error) {
      result = { ok: false, reason: String(error) };
    }
    if (!result.ok) {
      feedback.show({ kind: 'error', text: i18n.t('history.importRejected', [result.reason]) });
      return;
    }
    feedback.show({
      kind: 'ok',
      text: i18n.t('history.imported', result.imported, [result.imported, result.stored]),
    });
    refresh();
  }

  const clearAll = () => {
    setConfirmingClear(false);
    feedback.start();
    api.clear().then(
      ({ cleared }) => {
        feedback.show({ kind: 'ok', text: i18n.t('history.cleared', cleared, [cleared]) });
        refresh();
      },
      (error: unknown) =>
        feedback.show({ kind: 'error', text: i18n.t('history.loadFailed', [String(error)]) }),
    );
  };

  const carriers = settings.watchlist.groups;
  return (
    <section aria-labelledby="history-heading" data-testid="history-section">
      <h2 id="history-heading">{i18n.t('history.heading')}</h2>
      <p class="hint">{i18n.t('history.intro')}</p>
      <label class="choice">
        <input
          type="checkbox"
          checked={history.enabled}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            apply({ ...history, enabled: on }, i18n.t(on ? 'history.on' : 'history.off'));
          }}
        />{' '}
        {i18n.t('history.enabled')}
      </label>
      <label class="choice">
        <input
          type="checkbox"
          checked={history.inPrivacyMode}
          disabled={!history.enabled}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            apply(
              { ...history, inPrivacyMode: on },
              i18n.t(on ? 'history.privacyOn' : 'history.privacyOff'),
            );
          }}
        />{' '}
        {i18n.t('history.inPrivacyMode')}
      </label>
      <p class="hint">{i18n.t('history.privateWindows')}</p>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          apply(
            { ...history, maxEntries: Number(maxEntries), maxAgeDays: Number(maxAgeDays) },
            i18n.t('history.boundsSaved'),
          );
        }}
      >
        <label>
          {i18n.t('history.maxEntries')}{' '}
          <input
            type="number"
            min={HISTORY_LIMITS.minEntries}
            max={HISTORY_LIMITS.maxEntries}
            value={maxEntries}
            onInput={(e) => setMaxEntries(e.currentTarget.value)}
          />
        </label>{' '}
        <label>
          {i18n.t('history.maxAgeDays')}{' '}
          <input
            type="number"
            min={HISTORY_LIMITS.minAgeDays}
            max={HISTORY_LIMITS.maxAgeDays}
            value={maxAgeDays}
            onInput={(e) => setMaxAgeDays(e.currentTarget.value)}
          />
        </label>{' '}
        <button type="submit">{i18n.t('history.saveBounds')}</button>
      </form>

      <div class="inline-form">
        <label>
          {i18n.t('history.filter.carrier')}{' '}
          <select value={carrier} onChange={(e) => setCarrier(e.currentTarget.value)}>
            <option value="">{i18n.t('history.filter.allCarriers')}</option>
            {carriers.map((group) => (
              <option key={group.id} value={group.id}>
                {groupName(group)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {i18n.t('history.filter.from')}{' '}
          <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>{' '}
        <label>
          {i18n.t('history.filter.to')}{' '}
          <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>{' '}
        <button type="button" onClick={refresh}>
          {i18n.t('history.refresh')}
        </button>
      </div>

      <HistoryTable rows={pager.rows} loaded={rows !== null} total={total} />
      {rows !== null && rows.length > 0 && (
        <p class="hint" data-testid="history-count">
          {i18n.t('history.shown', rows.length, [rows.length, total])}
        </p>
      )}
      <Pager pager={pager} label={i18n.t('history.heading')} />
      <Feedback feedback={tableFeedback} testId="history-table-status" />

      <div class="inline-form">
        <button type="button" onClick={() => exportAs('csv')}>
          {i18n.t('history.exportCsv')}
        </button>{' '}
        <button type="button" onClick={() => exportAs('json')}>
          {i18n.t('history.exportJson')}
        </button>{' '}
        <label>
          {i18n.t('history.import')}{' '}
          <input
            type="file"
            accept="application/json,.json"
            onChange={onPick}
            data-testid="history-import-file"
          />
        </label>{' '}
        {!confirmingClear && (
          <button
            type="button"
            onClick={() => {
              feedback.start();
              setConfirmingClear(true);
            }}
          >
            {i18n.t('history.clear')}
          </button>
        )}
      </div>
      {made && (
        <p>
          <a href={made.url} download={made.name} data-testid={made.testId}>
            {i18n.t('history.saveAgain', [made.name])}
          </a>
        </p>
      )}
      {confirmingClear && (
        <ConfirmStep
          testId="confirm-history-clear"
          question={i18n.t('history.clearQuestion')}
          confirmLabel={i18n.t('history.clearConfirm')}
          onCancel={() => setConfirmingClear(false)}
          onConfirm={clearAll}
        />
      )}
      <Feedback feedback={feedback} testId="history-status" />
    </section>
  );
}

/** The rows as a table: site, time, carriers, networks, flagged hosts, action. */
function HistoryTable({
  rows,
  loaded,
  total,
}: {
  rows: VisitRow[];
  loaded: boolean;
  total: number;
}) {
  if (!loaded) return <p class="hint">{i18n.t('options.loading')}</p>;
  if (rows.length === 0) {
    return (
      <p class="hint" data-testid="history-empty">
        {total === 0 ? i18n.t('history.empty') : i18n.t('history.noMatch')}
      </p>
    );
  }
  return (
    <div class="history-scroll">
      <table class="history-table" data-testid="history-table">
        <thead>
          <tr>
            <th scope="col">{i18n.t('history.columns.site')}</th>
            <th scope="col">{i18n.t('history.columns.time')}</th>
            <th scope="col">{i18n.t('history.columns.carriers')}</th>
            <th scope="col">{i18n.t('history.columns.networks')}</th>
            <th scope="col">{i18n.t('history.columns.flaggedHosts')}</th>
            <th scope="col">{i18n.t('history.columns.action')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-testid="history-row" data-site={row.site}>
              <td>{row.site}</td>
              <td>
                <time dateTime={new Date(row.at).toISOString()}>
                  {new Date(row.at).toLocaleString()}
                </time>
              </td>
              <td>{row.carriers.map(groupName).join(', ')}</td>
              {/* The organisations' names are the routing data's own, in English. */}
              <td lang="en">{row.networks.map((n) => `AS${n.asn} ${n.org}`).join(', ')}</td>
              <td>{row.flaggedHosts.join(', ')}</td>
              <td>{actionWords(row.action)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
