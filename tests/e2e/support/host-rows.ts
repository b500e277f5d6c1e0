import type { UiPage } from './ui-page';

/** The popup's host rows, keyed by host name, once nothing is being checked any more. */
export async function hostRows(
  popup: UiPage,
  options?: { timeoutMs?: number },
): Promise<Map<string, string>> {
  await popup.waitForText('page-hosts-summary', /^(?!.*being checked)/, options);
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
