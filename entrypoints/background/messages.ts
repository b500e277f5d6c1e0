/**
 * The worker's answers to its own pages' messages (lib/messages.ts is the typed map). Only the
 * extension's pages may ask: the worker checks the sender before anything here runs.
 */
import { testResolver } from '../../lib/dns';
import type { EngineStatus, Message } from '../../lib/messages';
import { guardLockedFields, type ManagedPolicy } from '../../lib/policy';
import {
  isAllowlisted,
  parseAllowlistEntry,
  validateSettings,
  type Settings,
} from '../../lib/settings';
import type { LoadedTable } from '../../lib/table-loader';
import type { Tabs } from '../../lib/tabs';
import type { WorkerUpdates } from './data-updates';
import type { FlagAction } from './flag-action';
import type { WorkerHistory } from './history';

export interface MessageDeps {
  tabs: Tabs;
  updates: WorkerUpdates;
  history: WorkerHistory;
  /** The settings in effect: the user's with the locked policy values applied. */
  settings(): Settings;
  /** The user's own settings, as stored. */
  storedSettings(): Settings;
  /** The administrator's policy in effect (lib/policy). */
  policy(): ManagedPolicy;
  /**
   * Stores the user's settings (one record, one write: a failed write leaves the previous settings
   * whole); resolves with the settings now in effect.
   */
  saveSettings(settings: Settings): Promise<Settings>;
  /** The table in use once start-up has tried to load it, or null. */
  table(): Promise<LoadedTable | null>;
  problems: readonly string[];
  flagAction: FlagAction;
}

export function createMessageHandler(deps: MessageDeps) {
  const { tabs, updates } = deps;
  /**
   * A save from a page or an import goes through here: a field the policy locks keeps the user's
   * stored value whatever was sent (the settings page disables those controls, but the worker is
   * what enforces it), and the answer names the locked fields the sender tried to change.
   */
  const saveGuarded = async (next: Settings) => {
    const guarded = guardLockedFields(
      next,
      deps.storedSettings(),
      deps.settings(),
      deps.policy().locked,
    );
    const settings = await deps.saveSettings(guarded.settings);
    return { ok: true as const, settings, ignoredLocked: guarded.ignored };
  };
  /** `senderTab`: the tab of the page that asked, when it is one (the warning page is). */
  return async function handle(message: Message, senderTab?: number): Promise<unknown> {
    switch (message.type) {
      case 'get-tab-report':
        return tabs.getReport(message.tabId);
      case 'get-page-hosts': {
        const view = await tabs.getPageHosts(message.tabId);
        if (!view || !deps.settings().blockFlaggedHosts) return view;
        const blocked = new Set(await deps.flagAction.blockedHosts());
        const blockedHosts = view.hosts.map((h) => h.hostname).filter((h) => blocked.has(h));
        return { ...view, blockedHosts };
      }
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
        const saved = await saveGuarded(checked.settings);
        await updates.schedule(saved.settings.dataUpdate.automatic);
        return saved;
      }
      case 'get-settings':
        return { settings: deps.settings(), locked: [...deps.policy().locked] };
      case 'save-settings': {
        // The update settings are 'save-data-update-settings'' own: a page's older copy keeps them.
        const checked = validateSettings({
          ...message.settings,
          dataUpdate: deps.settings().dataUpdate,
        });
        if (!checked.ok) return checked;
        const saved = await saveGuarded(checked.settings);
        await tabs.settingsChanged(saved.settings);
        // Lowered history bounds apply at once.
        await deps.history.settingsChanged();
        return saved;
      }
      case 'get-warning':
        return deps.flagAction.warningFor(
          String(message.siteUrl),
          message.after === true,
          senderTab,
        );
      case 'continue-once':
        if (senderTab === undefined) return { ok: false };
        return { ok: await deps.flagAction.continueOnce(String(message.siteUrl), senderTab) };
      case 'always-allow': {
        const entry = parseAllowlistEntry(String(message.hostname));
        if (!entry.ok) return { ok: false, reason: entry.reason };
        const current = deps.settings();
        if (isAllowlisted(entry.hostname, current.allowlist))
          return { ok: true, settings: current };
        const checked = validateSettings({
          ...current,
          allowlist: [...current.allowlist, entry.hostname],
        });
        if (!checked.ok) return checked;
        // A locked allowlist stays as the policy sets it: the answer names it (ignoredLocked).
        const saved = await saveGuarded(checked.settings);
        await tabs.settingsChanged(saved.settings);
        return saved;
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
