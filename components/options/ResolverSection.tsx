import { useState } from 'preact/hooks';
import { i18n } from '#i18n';
import {
  RESOLVER_PRESETS,
  resolverUrlOf,
  validateResolverUrl,
  type DnsError,
  type ResolverChoice,
  type ResolverPreset,
  type ResolverTestResult,
} from '../../lib/dns';
import { displayValue } from '../../lib/display-text';
import type { Settings } from '../../lib/settings';
import type { OptionsApi, SaveFn } from './options-api';
import { EntryForm } from './EntryForm';
import { Feedback, useFeedback, type AreaFeedback, type FeedbackState } from './Feedback';
import { Lockable } from './Locked';

/** What went wrong in the test, in plain words; the resolver's own message is the detail. */
function errorWords(error: DnsError): string {
  switch (error.kind) {
    case 'timeout':
      return i18n.t('options.resolver.error.timeout');
    case 'network':
      return i18n.t('options.resolver.error.network');
    case 'http-status':
      return i18n.t('options.resolver.error.httpStatus');
    case 'content-type':
      return i18n.t('options.resolver.error.contentType');
    case 'redirect':
      return i18n.t('options.resolver.error.redirect');
    case 'malformed':
      return i18n.t('options.resolver.error.malformed');
    case 'servfail':
      return i18n.t('options.resolver.error.servfail');
    case 'refused':
      return i18n.t('options.resolver.error.refused');
    case 'invalid-resolver':
      return i18n.t('options.resolver.error.invalid');
    default:
      return i18n.t('options.resolver.error.other');
  }
}

/** The test's answer, for the status line. */
function answerWords(result: Extract<ResolverTestResult, { ok: true }>): string {
  if (result.answer === 'addresses') {
    const shown = result.addresses.slice(0, 3).join(', ');
    return i18n.t('options.resolver.answered', [result.name, shown, result.ms]);
  }
  return i18n.t('options.resolver.answeredNoAddress', [result.name, result.ms]);
}

function nameOf(choice: ResolverChoice): string {
  if (choice.kind === 'custom') return choice.url;
  return RESOLVER_PRESETS.find((p) => p.id === choice.id)?.name ?? choice.id;
}

/**
 * The DoH resolver: the one in use always shown and selected (a custom one too), the presets, a
 * custom URL that is tested before it is saved (a failing one is saved only if the user says so),
 * and "Test resolver" for the one in use.
 */
export function ResolverSection({
  settings,
  save,
  api,
}: {
  settings: Settings;
  save: SaveFn;
  api: OptionsApi;
}) {
  const current = settings.resolver;
  const feedback = useFeedback();
  const [lastCustom, setLastCustom] = useState(current.kind === 'custom' ? current.url : '');
  const customUrl = current.kind === 'custom' ? current.url : lastCustom;

  async function use(choice: ResolverChoice, done: string, status: AreaFeedback) {
    const problem = await save({ ...settings, resolver: choice });
    status.show(
      problem
        ? { kind: 'error', text: i18n.t('options.notSaved', [problem]) }
        : { kind: 'ok', text: done },
    );
  }

  function choosePreset(preset: ResolverPreset) {
    feedback.start();
    const saved = i18n.t('options.resolver.saved', [preset.name]);
    void use({ kind: 'preset', id: preset.id }, saved, feedback);
  }

  function chooseCustom(url: string) {
    feedback.start();
    void use({ kind: 'custom', url }, i18n.t('options.resolver.saved', [url]), feedback);
  }

  async function runTest(url: string): Promise<ResolverTestResult | null> {
    try {
      // The answer carries the resolver's own text (names, error messages): it enters display here.
      return displayValue(await api.testResolver(url));
    } catch (error) {
      feedback.show({
        kind: 'error',
        text: i18n.t('options.resolver.testFailed', [i18n.t('options.resolver.error.other')]),
        detail: String(error),
      });
      return null;
    }
  }

  return (
    <section aria-labelledby="resolver-heading">
      <h2 id="resolver-heading">{i18n.t('options.resolver.heading')}</h2>
      <p>{i18n.t('options.resolver.intro')}</p>
      <p data-testid="resolver-in-use">
        {settings.privacyMode
          ? i18n.t('options.resolver.inUsePrivacy', [nameOf(current)])
          : i18n.t('options.resolver.inUse', [nameOf(current)])}
      </p>
      <Lockable field="resolver">
        <fieldset disabled={settings.privacyMode}>
          <legend>{i18n.t('options.resolver.legend')}</legend>
          {RESOLVER_PRESETS.map((preset) => (
            <label key={preset.id} class="choice">
              <input
                type="radio"
                name="resolver"
                checked={current.kind === 'preset' && current.id === preset.id}
                onChange={() => choosePreset(preset)}
              />{' '}
              {preset.name} <small>({preset.url})</small>
            </label>
          ))}
          {customUrl && (
            <label class="choice">
              <input
                type="radio"
                name="resolver"
                checked={current.kind === 'custom'}
                onChange={() => chooseCustom(customUrl)}
              />{' '}
              {i18n.t('options.resolver.custom', [customUrl])}
            </label>
          )}
          <EntryForm
            id="custom-resolver"
            label={i18n.t('options.resolver.customLabel')}
            inputMode="url"
            placeholder={i18n.t('options.resolver.customPlaceholder')}
            buttonText={i18n.t('options.resolver.save')}
            initial={current.kind === 'custom' ? current.url : ''}
            feedback={feedback}
            feedbackId="resolver-status"
            submit={async (text) => {
              const checked = validateResolverUrl(text.trim());
              if (!checked.ok) return i18n.t('options.resolver.badUrl', [checked.reason]);
              const url = checked.url;
              feedback.start(i18n.t('options.resolver.testing', [url]));
              const result = await runTest(url);
              if (!result) return '';
              const choice: ResolverChoice = { kind: 'custom', url };
              if (result.ok) {
                setLastCustom(url);
                await use(
                  choice,
                  i18n.t('options.resolver.savedTested', [url, answerWords(result)]),
                  feedback,
                );
                return null;
              }
              // Warn before it is used: every site would show "?" with a resolver that fails.
              const warning: FeedbackState = {
                kind: 'warning',
                text: i18n.t('options.resolver.notSavedFailed', [url, errorWords(result.error)]),
                detail: result.error.message,
                actions: [
                  {
                    label: i18n.t('options.resolver.useAnyway'),
                    run: () => {
                      feedback.start();
                      setLastCustom(url);
                      void use(choice, i18n.t('options.resolver.savedUntested', [url]), feedback);
                    },
                  },
                  {
                    label: i18n.t('options.resolver.keepCurrent'),
                    run: () =>
                      feedback.show({
                        kind: 'ok',
                        text: i18n.t('options.resolver.kept', [nameOf(current)]),
                      }),
                  },
                ],
              };
              feedback.show(warning);
              return '';
            }}
          />
          <button
            type="button"
            onClick={() => {
              const url = resolverUrlOf(current);
              feedback.start(i18n.t('options.resolver.testing', [url]));
              void runTest(url).then((result) => {
                if (!result) return;
                feedback.show(
                  result.ok
                    ? { kind: 'ok', text: i18n.t('options.resolver.works', [answerWords(result)]) }
                    : {
                        kind: 'error',
                        text: i18n.t('options.resolver.testFailed', [errorWords(result.error)]),
                        detail: result.error.message,
                      },
                );
              });
            }}
          >
            {i18n.t('options.resolver.test')}
          </button>
        </fieldset>
      </Lockable>
      <Feedback feedback={feedback} testId="resolver-status" id="resolver-status" />
    </section>
  );
}
