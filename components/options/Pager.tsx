import { useState } from 'preact/hooks';
import { i18n } from '#i18n';

/** Rows of a long list shown at once: a page of buttons, never hundreds. */
export const LIST_PAGE_SIZE = 25;

/** One page of `items`; the page is kept in range when the list shrinks (a removal, a search). */
export function usePage<T>(items: readonly T[], size = LIST_PAGE_SIZE) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(page, pages - 1);
  return {
    rows: items.slice(current * size, current * size + size),
    page: current,
    pages,
    first: current * size,
    total: items.length,
    setPage,
  };
}

/** "26–50 of 153" with previous / next page buttons; nothing when everything fits on one page. */
export function Pager({
  pager,
  label,
}: {
  pager: ReturnType<typeof usePage<unknown>>;
  /** Names the list, for the buttons' accessible names. */
  label: string;
}) {
  if (pager.pages <= 1) return null;
  const last = Math.min(pager.first + LIST_PAGE_SIZE, pager.total);
  return (
    <nav class="pager" aria-label={i18n.t('options.list.pages', [label])}>
      <button
        type="button"
        disabled={pager.page === 0}
        onClick={() => pager.setPage(pager.page - 1)}
      >
        {i18n.t('options.list.previous')}
      </button>{' '}
      <span data-testid="pager-range">
        {i18n.t('options.list.range', [pager.first + 1, last, pager.total])}
      </span>{' '}
      <button
        type="button"
        disabled={pager.page >= pager.pages - 1}
        onClick={() => pager.setPage(pager.page + 1)}
      >
        {i18n.t('options.list.next')}
      </button>
    </nav>
  );
}
