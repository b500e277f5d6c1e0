import { useEffect, useMemo, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { RESOLVER_PRESETS, validateResolverUrl } from '../lib/dns';
import {
  defaultSettings,
  parseAllowlistEntry,
  type Settings,
  type SettingsResult,
} from '../lib/settings';
import {
  addAsn,
  addGroup,
  addPrefix,
  removeAsn,
  removeGroup,
  removePrefix,
  setGroupEnabled,
} from '../lib/watchlist/edit';
import type { WatchAsn, Watchlist, WatchGroup } from '../lib/watchlist/model';
import {
  describeSaveFailure,
  exportWatchlist,
  importWatchlistFile,
} from '../lib/watchlist/import-export';

/** Rows of a group's list shown at once; "Show more" adds as many again. */
export const LIST_PAGE_SIZE = 100;

/** This component's new UI strings, in one place for localisation. */
const TEXT = {
  importRejected: (reason: string) => `Import rejected, nothing changed: ${reason}`,
  imported: (count: number) => `Imported ${count} groups.`,
  searchLabel: (group: string) => `Search ${group}`,
  searchPlaceholder: 'ASN, name or prefix',
  showMore: (shown: number, total: number) => `Show more (${shown} of ${total} shown)`,
  noMatches: 'Nothing in this group matches the search.',
  confidence: (level: string) => `${level} confidence`,
} as const;

/** How the options page reaches the worker; main.tsx passes the real one. */
export interface OptionsApi {
  load(): Promise<Settings>;
  save(settings: Settings): Promise<SettingsResult>;
  /** Offers `text` as a file download named `filename`. */
  download(filename: string, text: string): void;
}

type Edit = { ok: true; watchlist: Watchlist } | { ok: false; reason: string };

/** Watchlist, resolver, privacy mode and allowlist. Every change is validated before it is saved. */
export function Options({ api }: { api: OptionsApi }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [notice, setNotice] = useState<string>('');
  const [loadError, setLoadError] = useState<string>('');

  useEffect(() => {
    api.load().then(setSettings, (e: unknown) => setLoadError(String(e)));
  }, [api]);

  if (loadError) return <p role="alert">Settings could not be loaded: {loadError}</p>;
  if (!settings) return <p>Loading…</p>;

  /** Saves through the worker; the page shows the settings the worker accepted, nothing else. */
  async function save(next: Settings, done: string): Promise<string | null> {
    let result: SettingsResult;
    try {
      result = await api.save(next);
    } catch (error) {
      // The worker could not store the settings (e.g. a full storage quota): it kept the old ones.
      return describeSaveFailure(error);
    }
    if (!result.ok) return result.reason;
    setSettings(result.settings);
    setNotice(done);
    return null;
  }

  const saveWatchlist = (edit: Edit, done: string) =>
    edit.ok ? save({ ...settings, watchlist: edit.watchlist }, done) : Promise.resolve(edit.reason);

  return (
    <main class="options">
      <h1>CarrierFlag settings</h1>
      <p role="status" class="saved" data-testid="notice">
        {notice}
      </p>
      <WatchlistSection
        watchlist={settings.watchlist}
        onEdit={saveWatchlist}
        api={api}
        save={save}
        settings={settings}
      />
      <ResolverSection settings={settings} save={save} />
      <PrivacySection settings={settings} save={save} />
    </main>
  );
}

type SaveFn = (next: Settings, done: string) => Promise<string | null>;

function WatchlistSection({
  watchlist,
  onEdit,
  api,
  save,
  settings,
}: {
  watchlist: Watchlist;
  onEdit: (edit: Edit, done: string) => Promise<string | null>;
  api: OptionsApi;
  save: SaveFn;
  settings: Settings;
}) {
  const [importError, setImportError] = useState('');

  async function onImport(event: JSX.TargetedEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setImportError('');
    // The size is checked before the file is read; see importWatchlistFile.
    const result = await importWatchlistFile(file, (watchlist) =>
      onEdit({ ok: true, watchlist }, TEXT.imported(watchlist.groups.length)),
    );
    input.value = '';
    setImportError(result.ok ? '' : TEXT.importRejected(result.reason));
  }

  return (
    <section aria-labelledby="watchlist-heading">
      <h2 id="watchlist-heading">Watchlist</h2>
      <p>
        A site is flagged when any of its addresses belongs to an enabled group: by the origin AS of
        the address, or by a listed prefix.
      </p>
      {watchlist.groups.map((group) => (
        <GroupEditor key={group.id} group={group} watchlist={watchlist} onEdit={onEdit} />
      ))}
      <NewGroupForm watchlist={watchlist} onEdit={onEdit} />
      <div class="inline-form">
        <button
          type="button"
          onClick={() => api.download('carrierflag-watchlist.json', exportWatchlist(watchlist))}
        >
          Export watchlist
        </button>
        <label>
          Import watchlist{' '}
          <input
            type="file"
            accept="application/json,.json"
            onChange={onImport}
            data-testid="import-file"
          />
        </label>
        <button
          type="button"
          onClick={() =>
            void save(
              { ...settings, watchlist: defaultSettings().watchlist },
              'Watchlist reset to the defaults.',
            )
          }
        >
          Reset watchlist to defaults
        </button>
      </div>
      {importError && (
        <p role="alert" class="error" data-testid="import-error">
          {importError}
        </p>
      )}
    </section>
  );
}

function GroupEditor({
  group,
  watchlist,
  onEdit,
}: {
  group: WatchGroup;
  watchlist: Watchlist;
  onEdit: (edit: Edit, done: string) => Promise<string | null>;
}) {
  const headingId = `group-${group.id}`;
  const [open, setOpen] = useState(false);
  return (
    <div class="group" role="group" aria-labelledby={headingId} data-testid={`group-${group.id}`}>
      <h3 id={headingId}>
        {group.name} <small>(badge {group.code})</small>
      </h3>
      <label>
        <input
          type="checkbox"
          checked={group.enabled}
          onChange={(e) =>
            void onEdit(
              setGroupEnabled(watchlist, group.id, e.currentTarget.checked),
              `${group.name} ${e.currentTarget.checked ? 'enabled' : 'disabled'}.`,
            )
          }
        />{' '}
        Watch {group.name}
      </label>
      {!group.builtin && (
        <button
          type="button"
          onClick={() => void onEdit(removeGroup(watchlist, group.id), `${group.name} removed.`)}
        >
          Remove group {group.name}
        </button>
      )}
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          {group.asns.length} ASNs, {group.prefixes.length} prefixes
        </summary>
        {/* Rendered only while open, a page at a time: a group may hold thousands of entries. */}
        {open && <GroupEntries group={group} watchlist={watchlist} onEdit={onEdit} />}
      </details>
      <EntryForm
        label={`Add ASN or prefix to ${group.name}`}
        placeholder="AS4134, 4134, 203.0.113.0/24 or 2001:db8::/32"
        submit={(text) => {
          const edit = text.includes('/')
            ? addPrefix(watchlist, group.id, text)
            : addAsn(watchlist, group.id, text);
          return onEdit(edit, `Added ${text.trim()} to ${group.name}.`);
        }}
      />
    </div>
  );
}

type Entry =
  { kind: 'asn'; asn: WatchAsn; text: string } | { kind: 'prefix'; prefix: string; text: string };

/** A group's ASNs and prefixes: searchable, shown LIST_PAGE_SIZE at a time. */
function GroupEntries({
  group,
  watchlist,
  onEdit,
}: {
  group: WatchGroup;
  watchlist: Watchlist;
  onEdit: (edit: Edit, done: string) => Promise<string | null>;
}) {
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(LIST_PAGE_SIZE);
  const entries = useMemo<Entry[]>(
    () => [
      ...group.asns.map((asn) => ({
        kind: 'asn' as const,
        asn,
        text: `as${asn.asn} ${asn.note ?? ''}`.toLowerCase(),
      })),
      ...group.prefixes.map((prefix) => ({ kind: 'prefix' as const, prefix, text: prefix })),
    ],
    [group],
  );
  const needle = query
    .trim()
    .toLowerCase()
    .replace(/^as\s+/, 'as');
  const matching = needle ? entries.filter((e) => e.text.includes(needle)) : entries;
  const shown = matching.slice(0, limit);
  const searchId = `search-${group.id}`;
  return (
    <div class="group-entries">
      <label for={searchId}>{TEXT.searchLabel(group.name)}</label>{' '}
      <input
        id={searchId}
        type="search"
        value={query}
        placeholder={TEXT.searchPlaceholder}
        autoComplete="off"
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          setLimit(LIST_PAGE_SIZE);
        }}
      />
      <ul class="asn-list" aria-label={`${group.name} ASNs`}>
        {shown.map((entry) =>
          entry.kind === 'asn' ? (
            <li key={`as${entry.asn.asn}`} data-testid="asn-row">
              <strong>AS{entry.asn.asn}</strong>
              {entry.asn.note && ` ${entry.asn.note}`}
              {entry.asn.confidence && (
                <small> · {TEXT.confidence(entry.asn.confidence)}</small>
              )}{' '}
              <button
                type="button"
                aria-label={`Remove AS${entry.asn.asn} from ${group.name}`}
                onClick={() =>
                  void onEdit(
                    removeAsn(watchlist, group.id, entry.asn.asn),
                    `AS${entry.asn.asn} removed.`,
                  )
                }
              >
                Remove
              </button>
            </li>
          ) : (
            <li key={entry.prefix}>
              {entry.prefix}{' '}
              <button
                type="button"
                aria-label={`Remove ${entry.prefix} from ${group.name}`}
                onClick={() =>
                  void onEdit(
                    removePrefix(watchlist, group.id, entry.prefix),
                    `${entry.prefix} removed.`,
                  )
                }
              >
                Remove
              </button>
            </li>
          ),
        )}
      </ul>
      {matching.length === 0 && <p>{TEXT.noMatches}</p>}
      {matching.length > shown.length && (
        <button type="button" onClick={() => setLimit(limit + LIST_PAGE_SIZE)}>
          {TEXT.showMore(shown.length, matching.length)}
        </button>
      )}
    </div>
  );
}

/** A labelled text field whose Enter or button applies it; an invalid value shows its reason and saves nothing. */
function EntryForm({
  label,
  placeholder,
  submit,
  buttonText = 'Add',
  initial = '',
  type = 'text',
}: {
  label: string;
  placeholder?: string;
  submit: (text: string) => Promise<string | null>;
  buttonText?: string;
  initial?: string;
  type?: 'text' | 'url';
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState('');
  const id = `f-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit(value).then((problem) => {
          setError(problem ?? '');
          if (!problem && !initial) setValue('');
        });
      }}
    >
      <label for={id}>{label}</label>
      <input
        id={id}
        // Our own validation gives the reason in words; the browser's type="url" check would
        // block the submit silently in some browsers.
        type="text"
        inputMode={type === 'url' ? 'url' : undefined}
        spellcheck={false}
        autoComplete="off"
        value={value}
        placeholder={placeholder}
        aria-invalid={error ? 'true' : 'false'}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit">{buttonText}</button>
      {error && (
        <span id={`${id}-error`} role="alert" class="error">
          {error}
        </span>
      )}
    </form>
  );
}

function NewGroupForm({
  watchlist,
  onEdit,
}: {
  watchlist: Watchlist;
  onEdit: (edit: Edit, done: string) => Promise<string | null>;
}) {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onEdit(addGroup(watchlist, name, code), `Group ${name.trim()} added.`).then(
          (problem) => {
            setError(problem ?? '');
            if (!problem) {
              setName('');
              setCode('');
            }
          },
        );
      }}
    >
      <label>
        New group name{' '}
        <input type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Badge code{' '}
        <input type="text" value={code} size={4} onInput={(e) => setCode(e.currentTarget.value)} />
      </label>
      <button type="submit">Add group</button>
      {error && (
        <span role="alert" class="error">
          {error}
        </span>
      )}
    </form>
  );
}

function ResolverSection({ settings, save }: { settings: Settings; save: SaveFn }) {
  const current = settings.resolver;
  return (
    <section aria-labelledby="resolver-heading">
      <h2 id="resolver-heading">DNS-over-HTTPS resolver</h2>
      <p>
        CarrierFlag asks this resolver for each site's addresses (the site's name only, no cookies,
        padded). Private and local names are never sent.
      </p>
      <fieldset disabled={settings.privacyMode}>
        <legend>Resolver</legend>
        {RESOLVER_PRESETS.map((preset) => (
          <label key={preset.id} style={{ display: 'block' }}>
            <input
              type="radio"
              name="resolver"
              checked={current.kind === 'preset' && current.id === preset.id}
              onChange={() =>
                void save(
                  { ...settings, resolver: { kind: 'preset', id: preset.id } },
                  `Resolver: ${preset.name}.`,
                )
              }
            />{' '}
            {preset.name} <small>({preset.url})</small>
          </label>
        ))}
        <EntryForm
          label="Custom resolver URL"
          type="url"
          placeholder="https://dns.example/dns-query"
          buttonText="Save"
          initial={current.kind === 'custom' ? current.url : ''}
          submit={async (text) => {
            const checked = validateResolverUrl(text.trim());
            if (!checked.ok) return checked.reason;
            return save(
              { ...settings, resolver: { kind: 'custom', url: checked.url } },
              `Resolver: ${checked.url}.`,
            );
          }}
        />
      </fieldset>
    </section>
  );
}

function PrivacySection({ settings, save }: { settings: Settings; save: SaveFn }) {
  return (
    <section aria-labelledby="privacy-heading">
      <h2 id="privacy-heading">Privacy and allowlist</h2>
      <label>
        <input
          type="checkbox"
          checked={settings.privacyMode}
          onChange={(e) =>
            void save(
              { ...settings, privacyMode: e.currentTarget.checked },
              e.currentTarget.checked ? 'Privacy mode on: no DNS queries.' : 'Privacy mode off.',
            )
          }
        />{' '}
        Privacy mode: use only the address my browser connected to (no DNS-over-HTTPS queries)
      </label>
      <br />
      <label>
        <input
          type="checkbox"
          checked={settings.countThirdPartyHosts}
          onChange={(e) =>
            void save(
              { ...settings, countThirdPartyHosts: e.currentTarget.checked },
              e.currentTarget.checked
                ? 'The badge counts third-party hosts.'
                : 'The badge shows only the site itself.',
            )
          }
        />{' '}
        Count third-party hosts on the badge
      </label>
      <h3>Allowlist</h3>
      <p>Sites listed here (and their subdomains) are never looked up.</p>
      <ul aria-label="Allowlisted sites">
        {settings.allowlist.map((host) => (
          <li key={host}>
            {host}{' '}
            <button
              type="button"
              aria-label={`Remove ${host} from the allowlist`}
              onClick={() =>
                void save(
                  { ...settings, allowlist: settings.allowlist.filter((h) => h !== host) },
                  `${host} removed from the allowlist.`,
                )
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <EntryForm
        label="Add site to allowlist"
        placeholder="example.com"
        submit={async (text) => {
          const parsed = parseAllowlistEntry(text);
          if (!parsed.ok) return parsed.reason;
          if (settings.allowlist.includes(parsed.hostname))
            return `${parsed.hostname} is already on the allowlist`;
          return save(
            { ...settings, allowlist: [...settings.allowlist, parsed.hostname] },
            `${parsed.hostname} allowlisted.`,
          );
        }}
      />
    </section>
  );
}
