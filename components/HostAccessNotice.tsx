import { i18n } from '#i18n';
import { useEffect, useState } from 'preact/hooks';
import type { HostAccessApi } from './host-access-api';
import '../assets/host-access.css';

type Outcome = { kind: 'granted' | 'refused' | 'error'; text: string } | null;

/**
 * "CarrierFlag cannot see the sites you visit" and a Grant access button, shown only while the
 * extension lacks its host permissions (lib/host-access.ts); nothing at all otherwise, nor before
 * the browser has answered. The popup shows it as its first line, the first-run page at its top.
 * After a grant it says so until the page is closed: the next page load is checked normally.
 */
export function HostAccessNotice({ api }: { api: HostAccessApi }) {
  const [granted, setGranted] = useState<boolean | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome>(null);

  useEffect(() => {
    let live = true;
    const refresh = () =>
      void api.contains().then(
        (has) => live && setGranted(has),
        // A browser that cannot say leaves the notice out rather than raise a false alarm.
        () => live && setGranted(true),
      );
    refresh();
    const unsubscribe = api.subscribe(refresh);
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);

  const grant = () => {
    setOutcome(null);
    // Called right here, in the click's handler: the browser accepts the request only then.
    api.request().then(
      (ok) => {
        setGranted(ok);
        setOutcome(
          ok
            ? { kind: 'granted', text: i18n.t('hostAccess.granted') }
            : { kind: 'refused', text: i18n.t('hostAccess.refused') },
        );
      },
      (error: unknown) =>
        setOutcome({
          kind: 'error',
          text: i18n.t('hostAccess.requestFailed', { error: String(error) }),
        }),
    );
  };

  if (granted !== false) {
    return outcome?.kind === 'granted' ? (
      <p class="host-access-granted" role="status" data-testid="host-access-granted">
        {outcome.text}
      </p>
    ) : null;
  }
  return (
    <div class="host-access" role="alert" data-testid="host-access">
      <p>
        <strong>{i18n.t('hostAccess.missing')}</strong> {i18n.t('hostAccess.why')}
      </p>
      <button type="button" onClick={grant} data-testid="grant-host-access">
        {i18n.t('hostAccess.grant')}
      </button>
      {outcome && (
        <p class="feedback" role="status" data-testid="host-access-outcome">
          {outcome.text}
        </p>
      )}
    </div>
  );
}
