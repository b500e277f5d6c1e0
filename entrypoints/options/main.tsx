import { render } from 'preact';
import browser from 'webextension-polyfill';
import { Options, type OptionsApi } from '../../components/Options';
import { request } from '../../lib/messages';
import '../../assets/styles.css';
import '../../assets/options.css';
import { i18n } from '#i18n';
import { localizePage } from '../../components/localize-page';

localizePage(i18n.t('options.title'));

const send = (message: unknown) => browser.runtime.sendMessage(message);

const api: OptionsApi = {
  load: () => request(send, { type: 'get-settings' }),
  save: (settings) => request(send, { type: 'save-settings', settings }),
  testResolver: (resolverUrl) => request(send, { type: 'test-resolver', resolverUrl }),
  history: {
    list: (filter) => request(send, { type: 'history-list', filter }),
    clear: () => request(send, { type: 'history-clear' }),
    import: (text) => request(send, { type: 'history-import', text }),
  },
  download: (filename, text) => {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: filename });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
};

render(
  <Options api={api} browser={import.meta.env.FIREFOX ? 'firefox' : 'chromium'} />,
  document.getElementById('app')!,
);
