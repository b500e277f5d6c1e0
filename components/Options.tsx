import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import type { SaveSettingsResult } from '../lib/messages';
import type { LockableField } from '../lib/policy';
import type { Settings } from '../lib/settings';
import { describeSaveFailure } from '../lib/watchlist/import-export';
import { DataUpdate } from './DataUpdate';
import { ActionSection } from './options/ActionSection';
import { AllowlistSection } from './options/AllowlistSection';
import { FeedbackContext, type FeedbackHub } from './options/Feedback';
import { ignoredLockedText, LockedContext } from './options/Locked';
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
export function Options({
  api,
  browser = 'chromium',
}: {
  api: OptionsApi;
  /** The build's browser: how it can stop a flagged site is said in its terms. */
  browser?: 'chromium' | 'firefox';
}) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [locked, setLocked] = useState<ReadonlySet<LockableField>>(new Set());
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
    api.load().then(
      (loaded) => {
        setSettings(loaded.settings);
        setLocked(new Set(loaded.locked));
      },
      (e: unknown) => setLoadError(String(e)),
    );
  }, [api]);

  if (loadError) return <p role="alert">{i18n.t('options.loadFailed', [loadError])}</p>;
  if (!settings) return <p>{i18n.t('options.loading')}</p>;

  const save: SaveFn = async (next) => {
    let result: SaveSettingsResult;
    try {
      result = await api.save(next);
    } catch (error) {
      // The worker could not store the settings (e.g. a full storage quota): it kept the old ones.
      return describeSaveFailure(error);
    }
    if (!result.ok) return result.reason;
    setSettings(result.settings);
    // The worker keeps a locked field as the policy has it (an import, an older page): say so.
    return ignoredLockedText(result.ignoredLocked);
  };

  return (
    <FeedbackContext.Provider value={hub}>
      <LockedContext.Provider value={locked}>
        <main class="options">
          <h1>{i18n.t('options.title')}</h1>
          {/* The parts people use most come first: what is watched, what happens to a flagged
              site, privacy, the sites never checked; the expert fields (resolver URL, routing
              data sources) follow. */}
          <WatchlistSection settings={settings} save={save} api={api} />
          <ActionSection settings={settings} save={save} browser={browser} />
          <PrivacySection settings={settings} save={save} />
          <AllowlistSection settings={settings} save={save} />
          <HistorySection settings={settings} save={save} api={api.history} />
          <ResolverSection settings={settings} save={save} api={api} />
          <DataUpdate />
        </main>
      </LockedContext.Provider>
    </FeedbackContext.Provider>
  );
}
