import { i18n } from '#i18n';
import { useEffect, useState } from 'preact/hooks';
import type { WarningInfo } from '../lib/flag-action';
import { restsOnLowConfidence } from '../lib/verdict';
import { groupName } from './lib-words';
import { AddressSentences } from './popup/AddressSentences';

export interface WarningApi {
  /** What to show for the site (the worker's answer); null when the address names no site. */
  getWarning(): Promise<WarningInfo | null>;
  /** Lets this tab's next visit to the site through; false when that is not allowed (block). */
  continueOnce(): Promise<boolean>;
  /** Adds the site to the allowlist; the reason when refused. */
  alwaysAllow(hostname: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Opens the site in this tab, replacing this page. */
  openSite(): void;
  /** Leaves this page for the one before the flagged site. */
  goBack(): void;
  openSettings(): void;
}

/**
 * The page a flagged site's navigation is sent to when the action is warn or block
 * (entrypoints/background/flag-action.ts): which carrier and network, why, and what the person can
 * do. `after`: the tab was sent here once the page had loaded (Chromium's first visit, or a check
 * that took too long), so its first requests may already have reached the site.
 */
export function Warning({
  siteUrl,
  after,
  api,
}: {
  siteUrl: string | null;
  after: boolean;
  api: WarningApi;
}) {
  const [info, setInfo] = useState<WarningInfo | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    api.getWarning().then(setInfo, (error: unknown) => setFailure(String(error)));
  }, [api]);

  if (siteUrl === null) {
    return (
      <main class="warning">
        <h1 data-testid="warning-title">{i18n.t('warning.noSite')}</h1>
      </main>
    );
  }
  if (failure !== null) {
    return (
      <main class="warning">
        <h1 data-testid="warning-title">{i18n.t('warning.failed')}</h1>
        <p class="hint">{failure}</p>
        <Actions api={api} canContinue={false} hostname={null} />
      </main>
    );
  }
  // Nothing until the first answer (no flash of a wrong state).
  if (info === undefined) return null;
  if (info === null || info.response === null || info.site === null) {
    return (
      <main class="warning">
        <h1 data-testid="warning-title">
          {i18n.t('warning.notActedOn', { host: info?.hostname ?? siteUrl })}
        </h1>
        <div class="actions">
          <button type="button" data-testid="open-site" onClick={() => api.openSite()}>
            {i18n.t('warning.openSite')}
          </button>
        </div>
      </main>
    );
  }
  const { verdict } = info.site;
  const groups = verdict.groups.map((g) => groupName(g)).join(', ');
  const probably = restsOnLowConfidence(verdict);
  const blocked = info.response === 'block';
  return (
    <main
      class={`warning warning-${info.response}`}
      data-testid="warning"
      data-response={info.response}
    >
      <h1 data-testid="warning-title">
        {probably
          ? i18n.t('warning.titleProbably', { host: info.hostname, groups })
          : i18n.t('warning.title', { host: info.hostname, groups })}
      </h1>
      <p data-testid="warning-what">
        {blocked ? i18n.t('warning.blockedWhy') : i18n.t('warning.warnedWhy')}
      </p>
      {after && (
        <p class="hint" data-testid="first-request-note">
          {i18n.t('warning.after')}
        </p>
      )}
      <h2>{i18n.t('warning.why')}</h2>
      <AddressSentences verdict={verdict} />
      <Actions api={api} canContinue={!blocked} hostname={info.hostname} />
    </main>
  );
}

function Actions({
  api,
  canContinue,
  hostname,
}: {
  api: WarningApi;
  canContinue: boolean;
  hostname: string | null;
}) {
  const [refused, setRefused] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = (work: () => Promise<void>) => {
    setBusy(true);
    work()
      .catch((error: unknown) => setRefused(String(error)))
      .finally(() => setBusy(false));
  };
  return (
    <>
      <div class="actions">
        <button type="button" class="primary" data-testid="go-back" onClick={() => api.goBack()}>
          {i18n.t('warning.goBack')}
        </button>
        {canContinue && (
          <button
            type="button"
            data-testid="continue-once"
            disabled={busy}
            onClick={() =>
              act(async () => {
                if (await api.continueOnce()) api.openSite();
                else setRefused(i18n.t('warning.continueRefused'));
              })
            }
          >
            {i18n.t('warning.continueOnce')}
          </button>
        )}
        {hostname !== null && (
          <button
            type="button"
            data-testid="always-allow"
            disabled={busy}
            onClick={() =>
              act(async () => {
                const result = await api.alwaysAllow(hostname);
                if (result.ok) api.openSite();
                else setRefused(result.reason);
              })
            }
          >
            {i18n.t('warning.alwaysAllow')}
          </button>
        )}
      </div>
      {refused !== null && (
        <p class="hint" role="alert" data-testid="warning-refused">
          {refused}
        </p>
      )}
      <p class="hint">
        <button type="button" class="link" onClick={() => api.openSettings()}>
          {i18n.t('warning.settings')}
        </button>
      </p>
    </>
  );
}
