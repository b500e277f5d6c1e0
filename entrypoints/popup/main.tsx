import { render } from 'preact';
import browser from 'webextension-polyfill';
import { createHostAccessApi } from '../../components/host-access-api';
import { Popup, type PopupApi } from '../../components/Popup';
import { request } from '../../lib/messages';
import { HOSTS_KEY_PREFIX, TAB_KEY_PREFIX } from '../../lib/storage/session-keys';
import '../../assets/styles.css';
import { i18n } from '#i18n';
import { localizePage } from '../../components/localize-page';

localizePage(i18n.t('extension.name'));

const send = (message: unknown) => browser.runtime.sendMessage(message);

/** `popup.html?tab=<id>` shows that tab (deep links, tests); otherwise the active tab. */
async function targetTabId(): Promise<number | null> {
  const fromQuery = new URLSearchParams(location.search).get('tab');
  if (fromQuery !== null && /^\d+$/.test(fromQuery)) return Number(fromQuery);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

const tabId = targetTabId();
const api: PopupApi = {
  getReport: async () => {
    const id = await tabId;
    return id === null ? null : request(send, { type: 'get-tab-report', tabId: id });
  },
  getStatus: () => request(send, { type: 'get-status' }),
  updateDataNow: () => request(send, { type: 'update-data-now' }),
  getSettings: async () => (await request(send, { type: 'get-settings' })).settings,
  // The worker validates, stores and re-evaluates every tab, so the badge follows at once.
  saveSettings: (settings) => request(send, { type: 'save-settings', settings }),
  openSettings: () => browser.runtime.openOptionsPage(),
  copyText: (text) => navigator.clipboard.writeText(text),
  about: () => ({
    extensionVersion: browser.runtime.getManifest().version,
    browser: navigator.userAgent,
  }),
  getPageHosts: async () => {
    const id = await tabId;
    return id === null ? null : request(send, { type: 'get-page-hosts', tabId: id });
  },
  subscribe: (onChange) => {
    // This tab's report and host list live in storage.session: re-ask the worker when they change
    // (not for the DNS cache or other tabs, which change far more often).
    let keys: string[] | null = null;
    void tabId.then(
      (id) => (keys = id === null ? [] : [`${TAB_KEY_PREFIX}${id}`, `${HOSTS_KEY_PREFIX}${id}`]),
    );
    const listener = (changes: Record<string, unknown>, area: string) => {
      if (area !== 'session') return;
      if (keys === null || Object.keys(changes).some((key) => keys!.includes(key))) onChange();
    };
    browser.storage.onChanged.addListener(listener);
    return () => browser.storage.onChanged.removeListener(listener);
  },
  hostAccess: createHostAccessApi(browser),
};

render(<Popup api={api} />, document.getElementById('app')!);
