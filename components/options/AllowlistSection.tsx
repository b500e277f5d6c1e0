import { i18n } from '#i18n';
import { hostnameToUnicode } from '../../lib/punycode';
import {
  MAX_ALLOWLIST_ENTRIES,
  parseAllowlistEntry,
  type AllowlistRefusal,
  type Settings,
} from '../../lib/settings';
import type { SaveFn } from './options-api';
import { EntryForm } from './EntryForm';
import { Feedback, useFeedback } from './Feedback';
import { Pager, usePage } from './Pager';
import { Lockable, LockedNote, useLocked } from './Locked';

/** Why an entry was refused, in the user's language. */
function refusalWords(refusal: AllowlistRefusal, input: string): string {
  const shown = input.trim().slice(0, 80);
  switch (refusal) {
    case 'empty':
      return i18n.t('options.allowlist.refused.empty');
    case 'not-a-hostname':
      return i18n.t('options.allowlist.refused.notHostname', [shown]);
    case 'has-path':
      return i18n.t('options.allowlist.refused.hasPath', [shown]);
    case 'has-port':
      return i18n.t('options.allowlist.refused.hasPort', [shown]);
    case 'ip-address':
      return i18n.t('options.allowlist.refused.ipAddress', [shown]);
    case 'localhost':
      return i18n.t('options.allowlist.refused.localhost', [shown]);
    case 'local-name':
      return i18n.t('options.allowlist.refused.localName', [shown]);
    case 'top-level':
      return i18n.t('options.allowlist.refused.topLevel', [shown]);
    case 'public-suffix':
      return i18n.t('options.allowlist.refused.publicSuffix', [shown]);
  }
}

/**
 * Sites never looked up. Entries are host names only, stored as punycode (what the browser's URL
 * parser gives, so they match what the worker sees) and shown in Unicode, with the punycode beside
 * an internationalised name so a lookalike cannot hide.
 */
export function AllowlistSection({ settings, save }: { settings: Settings; save: SaveFn }) {
  const locked = useLocked('allowlist');
  const feedback = useFeedback();
  const pager = usePage(settings.allowlist);
  const remove = (host: string) => {
    feedback.start();
    const before = settings.allowlist;
    void save({ ...settings, allowlist: before.filter((h) => h !== host) }).then((problem) =>
      feedback.show(
        problem
          ? { kind: 'error', text: i18n.t('options.notSaved', [problem]) }
          : {
              kind: 'ok',
              text: i18n.t('options.allowlist.removed', [hostnameToUnicode(host)]),
              actions: [
                {
                  label: i18n.t('options.undo'),
                  run: () => {
                    feedback.start();
                    void save({ ...settings, allowlist: before }).then((failed) =>
                      feedback.show(
                        failed
                          ? { kind: 'error', text: i18n.t('options.notSaved', [failed]) }
                          : { kind: 'ok', text: i18n.t('options.undone') },
                      ),
                    );
                  },
                },
              ],
            },
      ),
    );
  };
  return (
    <section aria-labelledby="allowlist-heading">
      <h2 id="allowlist-heading">{i18n.t('options.allowlist.heading')}</h2>
      <p>{i18n.t('options.allowlist.intro')}</p>
      <LockedNote field="allowlist" />
      {settings.allowlist.length === 0 && <p>{i18n.t('options.allowlist.empty')}</p>}
      <ul aria-label={i18n.t('options.allowlist.label')} data-testid="allowlist">
        {pager.rows.map((host) => {
          const unicode = hostnameToUnicode(host);
          return (
            <li key={host} data-testid="allowlist-entry" data-hostname={host}>
              <span>{unicode}</span>
              {unicode !== host && <small class="punycode"> ({host})</small>}{' '}
              <button
                type="button"
                disabled={locked}
                aria-label={i18n.t('options.allowlist.remove', [unicode])}
                onClick={() => remove(host)}
              >
                {i18n.t('options.remove')}
              </button>
            </li>
          );
        })}
      </ul>
      <Pager pager={pager} label={i18n.t('options.allowlist.label')} />
      <Lockable field="allowlist" note={false}>
        <EntryForm
          id="allowlist-add"
          label={i18n.t('options.allowlist.add')}
          placeholder={i18n.t('options.allowlist.placeholder')}
          feedback={feedback}
          feedbackId="allowlist-status"
          submit={async (text) => {
            const parsed = parseAllowlistEntry(text);
            if (!parsed.ok) return refusalWords(parsed.refusal, text);
            const shown = hostnameToUnicode(parsed.hostname);
            if (settings.allowlist.includes(parsed.hostname)) {
              return i18n.t('options.allowlist.already', [shown]);
            }
            if (settings.allowlist.length >= MAX_ALLOWLIST_ENTRIES) {
              return i18n.t('options.allowlist.full', [MAX_ALLOWLIST_ENTRIES]);
            }
            const problem = await save({
              ...settings,
              allowlist: [...settings.allowlist, parsed.hostname],
            });
            if (problem) return i18n.t('options.notSaved', [problem]);
            feedback.show({
              kind: 'ok',
              text:
                shown === parsed.hostname
                  ? i18n.t('options.allowlist.added', [shown])
                  : i18n.t('options.allowlist.addedIdn', [shown, parsed.hostname]),
            });
            return null;
          }}
        />
      </Lockable>
      <Feedback feedback={feedback} testId="allowlist-status" id="allowlist-status" />
    </section>
  );
}
