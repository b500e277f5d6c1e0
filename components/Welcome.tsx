import { i18n } from '#i18n';
import { BADGE_NEEDS_ACCESS_COLOR, BADGE_NEEDS_ACCESS_TEXT } from '../lib/host-access';
import { BADGE_THIRD_PARTY_COLOR } from '../lib/tabs/badge';
import { BADGE_FLAGGED_COLOR, BADGE_NEUTRAL_COLOR } from '../lib/verdict';
import { DEFAULT_WATCHLIST } from '../lib/watchlist/defaults';
import { HostAccessNotice } from './HostAccessNotice';
import type { HostAccessApi } from './host-access-api';

/** Which browser's own words the pinning steps use. */
export type WelcomeBrowser = 'chromium' | 'firefox';

export interface WelcomeApi {
  hostAccess: HostAccessApi;
  openSettings(): Promise<void>;
}

/** The three carriers' badge codes, from the built-in watchlist (the badge shows the same). */
const CARRIER_CODES = DEFAULT_WATCHLIST.groups
  .filter((group) => group.builtin)
  .slice(0, 3)
  .map((group) => group.code);
/** A sample count for the amber badge. */
const SAMPLE_COUNT = String(3);
const UNCHECKED_TEXT = '?';

/**
 * The first-run page, opened once at install (entrypoints/background/first-run.ts): the request
 * for access to sites when it is missing, how to pin the button in this browser (so the badge is
 * seen at all), what the badge says, what leaves the machine, and the way to the settings.
 */
export function Welcome({ browser, api }: { browser: WelcomeBrowser; api: WelcomeApi }) {
  return (
    <main class="welcome">
      <h1>{i18n.t('welcome.title')}</h1>
      <HostAccessNotice api={api.hostAccess} />
      <p>{i18n.t('welcome.intro')}</p>

      <section data-testid="welcome-pin">
        <h2>{i18n.t('welcome.pin.heading')}</h2>
        <p>
          {browser === 'firefox' ? i18n.t('welcome.pin.firefox') : i18n.t('welcome.pin.chromium')}
        </p>
      </section>

      <section>
        <h2>{i18n.t('welcome.badge.heading')}</h2>
        <dl class="badge-legend">
          <dt>
            {CARRIER_CODES.map((code) => (
              <Sample key={code} text={code} color={BADGE_FLAGGED_COLOR} />
            ))}
          </dt>
          <dd>{i18n.t('welcome.badge.flagged')}</dd>
          <dt>
            <Sample text={SAMPLE_COUNT} color={BADGE_THIRD_PARTY_COLOR} />
          </dt>
          <dd>{i18n.t('welcome.badge.thirdParty')}</dd>
          <dt>
            <Sample text={UNCHECKED_TEXT} color={BADGE_NEUTRAL_COLOR} />
          </dt>
          <dd>{i18n.t('welcome.badge.unchecked')}</dd>
          <dt>
            <Sample text={BADGE_NEEDS_ACCESS_TEXT} color={BADGE_NEEDS_ACCESS_COLOR} />
          </dt>
          <dd>{i18n.t('welcome.badge.needsAccess')}</dd>
          <dt class="badge-none">{i18n.t('welcome.badge.noBadge')}</dt>
          <dd>{i18n.t('welcome.badge.none')}</dd>
        </dl>
        <p>{i18n.t('welcome.badge.popup')}</p>
      </section>

      <section>
        <h2>{i18n.t('welcome.privacy.heading')}</h2>
        <ul>
          <li>{i18n.t('welcome.privacy.dns')}</li>
          <li>{i18n.t('welcome.privacy.privacyMode')}</li>
          <li>{i18n.t('welcome.privacy.updates')}</li>
          <li>{i18n.t('welcome.privacy.nothingElse')}</li>
        </ul>
      </section>

      <p>
        <button type="button" onClick={() => void api.openSettings()}>
          {i18n.t('welcome.settings')}
        </button>
      </p>
    </main>
  );
}

/** A badge as the toolbar draws it: white text on the state's colour. */
function Sample({ text, color }: { text: string; color: string }) {
  return (
    <span class="badge-sample" style={{ background: color }}>
      {text}
    </span>
  );
}
