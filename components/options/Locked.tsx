/**
 * Settings the administrator's policy locks (lib/policy): the page learns them with the settings
 * ('get-settings') and provides them once (Options.tsx); any section marks its controls with
 * `<Lockable field="…">`, which disables them and says "Set by your organisation". The worker
 * enforces the lock on every save; this only shows it.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { i18n } from '#i18n';
import type { LockableField } from '../../lib/policy';

export const LockedContext = createContext<ReadonlySet<LockableField>>(new Set());

/** True when the policy locks `field`. */
export function useLocked(field: LockableField): boolean {
  return useContext(LockedContext).has(field);
}

/**
 * The controls of one setting: a fieldset disabled while the policy locks `field` (every input and
 * button inside follows), with the note above them.
 */
export function Lockable({
  field,
  note = true,
  children,
}: {
  field: LockableField;
  /** false: the section shows the note itself, once for several parts (LockedNote). */
  note?: boolean;
  children: ComponentChildren;
}) {
  const locked = useLocked(field);
  return (
    <fieldset class="lockable" disabled={locked} data-locked={locked ? field : undefined}>
      {note && <LockedNote field={field} />}
      {children}
    </fieldset>
  );
}

/** "Set by your organisation", when the policy locks `field`; nothing otherwise. */
export function LockedNote({ field }: { field: LockableField }) {
  if (!useLocked(field)) return null;
  return (
    <p class="locked-note" data-testid={`locked-${field}`}>
      {i18n.t('policy.setByOrganisation')}
    </p>
  );
}

/**
 * The words for a save whose changes to locked fields were not applied (the sections show them as
 * "Not saved, nothing changed: …": each section saves only its own setting); null when none were.
 */
export function ignoredLockedText(fields: readonly LockableField[] | undefined): string | null {
  if (!fields || fields.length === 0) return null;
  return i18n.t('policy.ignored', [fields.map((f) => i18n.t(`policy.fields.${f}`)).join(', ')]);
}
