import type { UiPage } from './ui-page';
import { waitUntil } from './wait';

/** The popup's host rows, keyed by host name, once nothing is being checked any more. */
export async function hostRows(
  popup: UiPage,
  options?: { timeoutMs?: number },
): Promise<Map<string, string>> {
  let section: string | null = null;
  await waitUntil(
    async () => {
      const summary = await popup.text('page-hosts-summary');
      section = await popup.text('page-hosts');
      return summary !== null && !summary.includes('being checked');
    },
    {
      what: 'the host list to be checked',
      // On a timeout, what the section showed (no summary line at all means no host was listed).
      last: () => `${section}`,
      ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    },
  );
  const names = await popup.attributesOf('[data-testid="page-host"]', 'data-host');
  const texts = await popup.page.evaluate(
    () =>
      [...document.querySelectorAll('[data-testid="page-host"]')].map((li) =>
        (li.textContent ?? '').replace(/\s+/g, ' '),
      ),
    undefined,
  );
  return new Map(names.map((name, i) => [name ?? '', texts[i] ?? '']));
}
