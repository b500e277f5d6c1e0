import { i18n } from '#i18n';

/**
 * A question asked in the page before something that loses data (reset, removing a group): not
 * window.confirm, which blocks the page and which automation cannot always see.
 */
export function ConfirmStep({
  question,
  confirmLabel,
  onConfirm,
  onCancel,
  testId,
}: {
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  testId: string;
}) {
  return (
    <div class="confirm" role="group" aria-label={question} data-testid={testId}>
      <p>{question}</p>
      <button type="button" class="danger" onClick={onConfirm}>
        {confirmLabel}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        {i18n.t('options.cancel')}
      </button>
    </div>
  );
}
