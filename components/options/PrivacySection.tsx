import { i18n } from '#i18n';
import type { Settings } from '../../lib/settings';
import type { SaveFn } from './options-api';
import { Feedback, useFeedback } from './Feedback';
import { Lockable } from './Locked';

/** Privacy mode (no DoH at all) and whether the badge counts the page's third-party hosts. */
export function PrivacySection({ settings, save }: { settings: Settings; save: SaveFn }) {
  const feedback = useFeedback();
  const apply = (next: Settings, done: string) => {
    feedback.start();
    void save(next).then((problem) =>
      feedback.show(
        problem
          ? { kind: 'error', text: i18n.t('options.notSaved', [problem]) }
          : { kind: 'ok', text: done },
      ),
    );
  };
  return (
    <section aria-labelledby="privacy-heading">
      <h2 id="privacy-heading">{i18n.t('options.privacy.heading')}</h2>
      <Lockable field="privacyMode">
        <label class="choice">
          <input
            type="checkbox"
            data-testid="privacy-mode"
            checked={settings.privacyMode}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              apply(
                { ...settings, privacyMode: on },
                on ? i18n.t('options.privacy.on') : i18n.t('options.privacy.off'),
              );
            }}
          />{' '}
          {i18n.t('options.privacy.mode')}
        </label>
      </Lockable>
      <Lockable field="countThirdPartyHosts">
        <label class="choice">
          <input
            type="checkbox"
            checked={settings.countThirdPartyHosts}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              apply(
                { ...settings, countThirdPartyHosts: on },
                on ? i18n.t('options.privacy.countOn') : i18n.t('options.privacy.countOff'),
              );
            }}
          />{' '}
          {i18n.t('options.privacy.count')}
        </label>
      </Lockable>
      <Feedback feedback={feedback} testId="privacy-status" />
    </section>
  );
}
