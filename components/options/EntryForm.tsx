import { useState } from 'preact/hooks';
import { i18n } from '#i18n';
import type { AreaFeedback } from './Feedback';

/**
 * A labelled text field whose Enter or button applies it. Submitting starts an action on the
 * area's `feedback` (clearing the page's other feedback); `submit` resolves to null when the entry
 * was taken (it reports its own success on `feedback`; the field empties unless it holds a setting
 * such as the resolver URL) or to the reason it was not, which the area's status line shows as an
 * error the field points to (aria-describedby); '' when `submit` has reported the problem itself.
 * Nothing is saved then.
 */
export function EntryForm({
  id,
  label,
  placeholder,
  submit,
  feedback,
  feedbackId,
  buttonText,
  initial = '',
  inputMode,
}: {
  id: string;
  label: string;
  placeholder?: string;
  submit: (text: string) => Promise<string | null>;
  feedback: AreaFeedback;
  /** The id of the area's status line. */
  feedbackId: string;
  buttonText?: string;
  initial?: string;
  inputMode?: 'url' | 'text';
}) {
  const [value, setValue] = useState(initial);
  const [failed, setFailed] = useState(false);
  const invalid = failed && feedback.current?.kind === 'error';
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        feedback.start();
        setFailed(false);
        void submit(value).then((problem) => {
          if (problem !== null) {
            setFailed(true);
            if (problem) feedback.show({ kind: 'error', text: problem });
          } else if (!initial) {
            setValue('');
          }
        });
      }}
    >
      <label for={id}>{label}</label>
      <input
        id={id}
        // Our own validation gives the reason in words; the browser's type="url" check would
        // block the submit silently in some browsers.
        type="text"
        inputMode={inputMode}
        spellcheck={false}
        autoComplete="off"
        value={value}
        placeholder={placeholder}
        aria-invalid={invalid ? 'true' : 'false'}
        aria-describedby={invalid ? feedbackId : undefined}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit">{buttonText ?? i18n.t('options.add')}</button>
    </form>
  );
}
