import { render } from 'preact';
import browser from 'webextension-polyfill';
import { createHostAccessApi } from '../../components/host-access-api';
import { Welcome, type WelcomeApi } from '../../components/Welcome';
import '../../assets/styles.css';
import '../../assets/welcome.css';
import { i18n } from '#i18n';
import { localizePage } from '../../components/localize-page';

localizePage(i18n.t('welcome.title'));

const api: WelcomeApi = {
  hostAccess: createHostAccessApi(browser),
  openSettings: () => browser.runtime.openOptionsPage(),
};

// The build's browser (WXT): the pinning steps use that browser's own words.
const kind = import.meta.env.FIREFOX ? 'firefox' : 'chromium';

render(<Welcome browser={kind} api={api} />, document.getElementById('app')!);
