/**
 * The worker's answers to its own pages' messages (lib/messages.ts is the typed map). Only the
 * extension's pages may ask: the worker checks the sender before anything here runs.
 */
import { testResolver } from '../../lib/dns';
import type { EngineStatus, Message } from '../../lib/messages';
import { validateSettings, type Settings } from '../../lib/settings';
import type { LoadedTable } from '../../lib/table-loader';
import type { Tabs } from '../../lib/tabs';
import type { WorkerUpdates } from './data-updates';
import type { WorkerHistory } from './history';

export interface MessageDeps {
  tabs: Tabs;
  updates: WorkerUpdates;
  history: WorkerHistory;
  settings(): Settings;
  /** Stores settings (one record, one write: a failed write leaves the previous settings whole). */
  saveSettings(settings: Settings): Promise<void>;
  /** The table in use once start-up has tried to load it, or null. */
  table(): Promise<LoadedTable | null>;
  problems: readonly string[];
}

export function createMessageHandler(deps: MessageDeps) {
  const { tabs, updates } = deps;
  return async function handle(message: Message): Promise<unknown> {
    switch (message.type) {
      case 'get-tab-report':
        return tabs.getReport(message.tabId);
      case 'get-page-hosts':
        return tabs.getPageHosts(message.tabId);
      case 'get-status': {
        const loaded = await deps.table();
        const status: EngineStatus = {
          tableMeta: loaded?.table.meta ?? null,
          tableOrigin: loaded?.origin ?? 'none',
          problems: [...deps.problems],
          dataUpdate: await updates.updater.status(),
        };
        return status;
      }
      case 'update-data-now':
        await updates.updater.updateNow();
        return updates.updater.status();
      case 'get-data-update-status':
        return updates.updater.status();
      case 'save-data-update-settings': {
        const checked = validateSettings({ ...deps.settings(), dataUpdate: message.dataUpdate });
        if (!checked.ok) return checked;
        await deps.saveSettings(checked.settings);
        await updates.schedule(checked.settings.dataUpdate.automatic);
        return checked;
      }
      case 'get-settings':
        return { settings: deps.settings() };
      case 'save-settings': {
        // The update settings are 'save-data-update-settings'' own: a page's older copy keeps them.
        const checked = validateSettings({
          ...message.settings,
          dataUpdate: deps.settings().dataUpdate,
        });
        if (!checked.ok) return checked;
        await deps.saveSettings(checked.settings);
        await tabs.settingsChanged(checked.settings);
        await deps.history.settingsChanged();
        return checked;
      }
      case 'test-resolver':
        // The client refuses a URL validateResolverUrl would refuse, as an 'invalid-resolver' error.
        return testResolver({
          fetch: (input, init) => fetch(input, init),
          resolverUrl: typeof message.resolverUrl === 'string' ? message.resolverUrl : '',
          now: () => performance.now(),
        });
      case 'history-list':
        return deps.history.list(message.filter);
      case 'history-clear':
        return deps.history.clear();
      case 'history-import':
        return deps.history.import(message.text);
    }
  };
}
