import type { UiPage } from './ui-page';
import { waitUntil } from './wait';

/**
 * Opens the popup's "Details for experts" disclosure (a click on its summary, as a person does),
 * unless it is open already; the address rows, the alias chain and the site name live inside it
 * and read as empty while it is closed.
 */
export async function openDetails(popup: UiPage): Promise<void> {
  const isOpen = async () =>
    (await popup.attributesOf('[data-testid="details"]', 'open'))[0] !== null;
  if (await isOpen()) return;
  await popup.pressOn('[data-testid="details"] > summary', 'Enter');
  await waitUntil(isOpen, { what: 'the details disclosure to open' });
}
