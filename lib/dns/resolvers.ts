/**
 * Which DNS-over-HTTPS resolver is asked: the presets offered, the user's choice among them (or a
 * URL of their own), and the URL a choice stands for. The extension's settings store a choice; the
 * CLI takes a URL (default: the default preset's) and needs nothing of the settings.
 */
import { validateResolverUrl } from './names';

export type ResolverPresetId = 'cloudflare' | 'google' | 'quad9' | 'mullvad';

export interface ResolverPreset {
  readonly id: ResolverPresetId;
  readonly name: string;
  readonly url: string;
  /** One line from the operator's published policy, shown beside the choice. */
  readonly privacyNote: string;
}

/** Well-known RFC 8484 resolvers (wire format, GET); sources in research/carriers-notes.md. */
export const RESOLVER_PRESETS: readonly ResolverPreset[] = [
  {
    id: 'cloudflare',
    name: 'Cloudflare 1.1.1.1',
    url: 'https://cloudflare-dns.com/dns-query',
    privacyNote:
      'Does not sell data or use it for ads; source IPs are not written to disk except a tiny sample; audited yearly.',
  },
  {
    id: 'google',
    name: 'Google Public DNS',
    url: 'https://dns.google/dns-query',
    privacyNote:
      'Temporary logs with your IP are deleted within 24–48 hours; permanent logs keep city-level location only.',
  },
  {
    id: 'quad9',
    name: 'Quad9',
    url: 'https://dns.quad9.net/dns-query',
    privacyNote: 'Swiss non-profit; treats IP addresses as personal data and does not log them.',
  },
  {
    id: 'mullvad',
    name: 'Mullvad DNS',
    url: 'https://dns.mullvad.net/dns-query',
    privacyNote: 'Run like the Mullvad VPN: no logs, externally audited.',
  },
];

export const DEFAULT_RESOLVER_ID: ResolverPresetId = 'cloudflare';

/** The resolver the user chose: a preset by id, or a URL of their own. */
export type ResolverChoice = { kind: 'preset'; id: string } | { kind: 'custom'; url: string };

/** The resolver URL a choice stands for; an unknown preset id stands for the first preset. */
export function resolverUrlOf(choice: ResolverChoice): string {
  if (choice.kind === 'custom') return choice.url;
  const preset = RESOLVER_PRESETS.find((p) => p.id === choice.id) ?? RESOLVER_PRESETS[0];
  if (!preset) throw new Error('no resolver presets defined');
  return preset.url;
}

/** Checks a stored or sent resolver choice: a known preset id, or a usable resolver URL. */
export function validateResolverChoice(
  value: unknown,
): { ok: true; choice: ResolverChoice } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'must be an object' };
  }
  const record = value as Record<string, unknown>;
  if (record.kind === 'preset') {
    const id = record.id;
    if (typeof id !== 'string' || !RESOLVER_PRESETS.some((p) => p.id === id)) {
      return { ok: false, reason: `unknown preset ${JSON.stringify(id)}` };
    }
    return { ok: true, choice: { kind: 'preset', id } };
  }
  if (record.kind === 'custom') {
    const checked = validateResolverUrl(typeof record.url === 'string' ? record.url : '');
    if (!checked.ok) return { ok: false, reason: checked.reason };
    return { ok: true, choice: { kind: 'custom', url: checked.url } };
  }
  return { ok: false, reason: 'kind must be "preset" or "custom"' };
}
