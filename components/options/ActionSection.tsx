import { i18n } from '#i18n';
import { FLAG_ACTIONS, type FlagAction, type Settings } from '../../lib/settings';
import type { SaveFn } from './options-api';
import { Feedback, useFeedback } from './Feedback';
import { Lockable } from './Locked';

const ACTION_WORDS: Record<FlagAction, () => string> = {
  nothing: () => i18n.t('flagAction.nothing'),
  warn: () => i18n.t('flagAction.warn'),
  block: () => i18n.t('flagAction.block'),
};

const TEST_IDS: Record<FlagAction, string> = {
  nothing: 'on-flagged-nothing',
  warn: 'on-flagged-warn',
  block: 'on-flagged-block',
};

/**
 * "When a site is flagged": the badge only, a warning page first, or a block; and whether a page's
 * requests to flagged third-party hosts are blocked. Says how this browser can stop a site.
 */
export function ActionSection({
  settings,
  save,
  browser,
}: {
  settings: Settings;
  save: SaveFn;
  browser: 'chromium' | 'firefox';
}) {
  const feedback = useFeedback();
  const apply = (next: Settings) => {
    feedback.start();
    void save(next).then((problem) =>
      feedback.show(
        problem
          ? { kind: 'error', text: i18n.t('options.notSaved', [problem]) }
          : { kind: 'ok', text: i18n.t('flagAction.saved') },
      ),
    );
  };
  return (
    <section aria-labelledby="on-flagged-heading" data-testid="on-flagged">
      <h2 id="on-flagged-heading">{i18n.t('flagAction.heading')}</h2>
      <p class="hint">{i18n.t('flagAction.intro')}</p>
      <Lockable field="onFlagged">
        <fieldset class="choices">
          <legend class="visually-hidden">{i18n.t('flagAction.heading')}</legend>
          {FLAG_ACTIONS.map((action) => (
            <label class="choice" key={action}>
              <input
                type="radio"
                name="on-flagged"
                value={action}
                data-testid={TEST_IDS[action]}
                checked={settings.onFlagged === action}
                onChange={() => apply({ ...settings, onFlagged: action })}
              />{' '}
              {ACTION_WORDS[action]()}
            </label>
          ))}
        </fieldset>
        {settings.onFlagged !== 'nothing' && (
          <p class="hint" data-testid="on-flagged-note">
            {browser === 'firefox'
              ? i18n.t('flagAction.firefoxNote')
              : i18n.t('flagAction.chromiumNote')}
          </p>
        )}
      </Lockable>
      <Lockable field="blockFlaggedHosts">
        <label class="choice">
          <input
            type="checkbox"
            data-testid="block-flagged-hosts"
            checked={settings.blockFlaggedHosts}
            onChange={(e) => apply({ ...settings, blockFlaggedHosts: e.currentTarget.checked })}
          />{' '}
          {i18n.t('flagAction.blockHosts')}
        </label>
        <p class="hint">{i18n.t('flagAction.blockHostsHint')}</p>
      </Lockable>
      <Feedback feedback={feedback} testId="on-flagged-status" />
    </section>
  );
}
