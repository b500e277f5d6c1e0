import { render } from 'preact';
import browser from 'webextension-polyfill';
import { Warning, type WarningApi } from '../../components/Warning';
import { readWarningPageUrl } from '../../lib/flag-action';
import { request } from '../../lib/messages';
import '../../assets/styles.css';
import '../../assets/warning.css';
import { i18n } from '#i18n';
import { localizePage } from '../../components/localize-page';

localizePage(i18n.t('warning.pageTitle'));

const send = (message: unknown) => browser.runtime.sendMessage(message);
const { siteUrl, after } = readWarningPageUrl(location.href);

const api: WarningApi = {
  getWarning: () =>
    siteUrl === null
      ? Promise.resolve(null)
      : request(send, { type: 'get-warning', siteUrl, after }),
  continueOnce: async () =>
    siteUrl !== null && (await request(send, { type: 'continue-once', siteUrl })).ok,
  alwaysAllow: async (hostname) => {
    const result = await request(send, { type: 'always-allow', hostname });
    if (!result.ok) return { ok: false, reason: result.reason };
    // The administrator's policy locks the allowlist: nothing was added.
    if (result.ignoredLocked?.includes('allowlist')) {
      return { ok: false, reason: i18n.t('policy.setByOrganisation') };
    }
    return { ok: true };
  },
  // Replaces this page, so Back from the site does not land here again.
  openSite: () => {
    if (siteUrl !== null) location.replace(siteUrl);
  },
  // Sent here after the site loaded, the entry before this one is the flagged page itself.
  goBack: () => {
    const steps = after ? 2 : 1;
    if (history.length > steps) history.go(-steps);
    else location.replace('about:blank');
  },
  openSettings: () => void browser.runtime.openOptionsPage(),
};

// The page is web-accessible (a redirect must be able to land here), so a site could frame it and
// trick a click on "Always allow": framed, it shows nothing and offers nothing.
if (window.top === window.self) {
  render(<Warning siteUrl={siteUrl} after={after} api={api} />, document.getElementById('app')!);
}
