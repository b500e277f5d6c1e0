import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import type { Settings, SettingsResult } from '../lib/settings';
import { describeSaveFailure } from '../lib/watchlist/import-export';
import { DataUpdate } from './DataUpdate';
import { AllowlistSection } from './options/AllowlistSection';
import { FeedbackContext, type FeedbackHub } from './options/Feedback';
import { HistorySection } from './options/HistorySection';
import type { OptionsApi, SaveFn } from './options/options-api';
import { PrivacySection } from './options/PrivacySection';
import { ResolverSection } from './options/ResolverSection';
import { WatchlistSection } from './options/WatchlistSection';

// The page's API and save function are typed in options/options-api.ts, which the sections
// import without importing this page (no import circle); re-exported for main.tsx.
export type { OptionsApi, SaveFn } from './options/options-api';

/**
 * The settings page: watchlist (groups, import and export), privacy, allowlist, then the expert
 * parts: resolver and routing data. Every change is validated before it is saved; each section says
 * what happened next to its controls.
 */
export function Options({ api }: { api: OptionsApi }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [loadError, setLoadError] = useState<string>('');
  const [latest, setLatest] = useState(0);
  const actions = useRef(0);
  const hub = useMemo<FeedbackHub>(
    () => ({
      latest,
      claim: () => {
        actions.current += 1;
        setLatest(actions.current);
        return actions.current;
      },
    }),
    [latest],
  );

  useEffect(() => {
    api.load().then(setSettings, (e: unknown) => setLoadError(String(e)));
  }, [api]);

  if (loadError) return <p role="alert">{i18n.t('options.loadFailed', [loadError])}</p>;
  if (!settings) return <p>{i18n.t('options.loading')}</p>;

  const save: SaveFn = async (next) => {
    let result: SettingsResult;
    try {
      result = await api.save(next);
    } catch (error) {
      // The worker could not store the settings (e.g. a full storage quota): it kept the old ones.
      return describeSaveFailure(error);
    }
    if (!result.ok) return result.reason;
    setSettings(result.settings);
    return null;
  };

  return (
    <FeedbackContext.Provider value={hub}>
      <main class="options">
        <h1>{i18n.t('options.title')}</h1>
        {/* The parts people use most come first: what is watched, privacy, the sites never
            checked; the expert fields (resolver URL, routing data sources) follow. */}
        <WatchlistSection settings={settings} save={save} api={api} />
        <PrivacySection settings={settings} save={save} />
        <AllowlistSection settings={settings} save={save} />
        <HistorySection settings={settings} save={save} api={api.history} />
        <ResolverSection settings={settings} save={save} api={api} />
        <DataUpdate />
      </main>
    </FeedbackContext.Provider>
  );
}
