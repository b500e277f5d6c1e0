import { createContext, Fragment, type ComponentChildren } from 'preact';
import { useCallback, useContext, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import { speaksEnglish } from '../lib-words';

/**
 * Feedback next to the control that caused it. Each area of the settings page (a group, the import
 * controls, the resolver, the allowlist …) has its own status line; starting any action anywhere
 * clears every line, so what the page shows is always about the last thing the user did.
 */

export type FeedbackKind = 'busy' | 'ok' | 'warning' | 'error';

/** The language of a detail: lib's and the browser's error messages are English. */
const DETAIL_LANGUAGE = 'en';

export interface FeedbackAction {
  label: string;
  run: () => void;
}

export interface FeedbackState {
  kind: FeedbackKind;
  text: string;
  /** Expert detail (the resolver's own words, say, in English), one click away. */
  detail?: string;
  actions?: FeedbackAction[];
}

/** Which action is the latest, page-wide; `claim` starts a new one. */
export interface FeedbackHub {
  latest: number;
  claim(): number;
}

export const FeedbackContext = createContext<FeedbackHub>({ latest: 0, claim: () => 0 });

export interface AreaFeedback {
  /** What this area shows now (null once another action has started anywhere). */
  current: FeedbackState | null;
  /** Starts an action here: every area's feedback is cleared; `busy` says what is under way. */
  start(busy?: string): void;
  show(state: FeedbackState): void;
}

/** One area's status line, tied to the page-wide "latest action". */
export function useFeedback(): AreaFeedback {
  const hub = useContext(FeedbackContext);
  const [state, setState] = useState<{ seq: number; value: FeedbackState | null }>({
    seq: -1,
    value: null,
  });
  const start = useCallback(
    (busy?: string) => {
      const seq = hub.claim();
      setState({ seq, value: busy ? { kind: 'busy', text: busy } : null });
    },
    [hub],
  );
  const show = useCallback((value: FeedbackState) => setState((s) => ({ ...s, value })), []);
  return { current: state.seq === hub.latest ? state.value : null, start, show };
}

/**
 * The status line itself: always in the page (an empty live region), so a screen reader hears what
 * appears in it. An error is also an alert. `data-state` lets tests wait on the outcome in any
 * language.
 */
export function Feedback({
  feedback,
  testId,
  id,
}: {
  feedback: AreaFeedback;
  testId: string;
  id?: string;
}) {
  const state = feedback.current;
  return (
    <div
      id={id}
      class={`feedback${state ? ` feedback-${state.kind}` : ''}`}
      role="status"
      aria-live="polite"
      data-testid={testId}
      data-state={state?.kind ?? 'idle'}
    >
      {state && <FeedbackBody state={state} />}
    </div>
  );
}

function FeedbackBody({ state }: { state: FeedbackState }): ComponentChildren {
  return (
    <>
      {state.kind === 'error' ? (
        <span role="alert" class="error">
          {state.text}
        </span>
      ) : (
        <span>{state.text}</span>
      )}
      {state.actions?.map((action) => (
        <Fragment key={action.label}>
          {' '}
          <button type="button" onClick={action.run}>
            {action.label}
          </button>
        </Fragment>
      ))}
      {state.detail && (
        <details class="feedback-detail">
          {/* A detail is lib's or the browser's own English (a resolver's error): said so. */}
          <summary>
            {speaksEnglish()
              ? i18n.t('options.feedback.details')
              : i18n.t('words.detailsInEnglish')}
          </summary>
          <code lang={DETAIL_LANGUAGE}>{state.detail}</code>
        </details>
      )}
    </>
  );
}
