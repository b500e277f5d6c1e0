/**
 * Keyboard use of an extension page, in either browser: which controls the page offers, which ones
 * real Tab presses reach, what each is called and whether focus shows on it.
 *
 * The page's controls are listed (and tagged with `data-kb-key`) before the first Tab, with their
 * unfocused outline and shadow; each Tab press then reads the focused element's key, accessible name
 * and focused style. Radio buttons of one group are one stop, as in both browsers.
 */
import type { UiPage } from './ui-page';

/** A control a keyboard user must be able to reach. */
export interface Control {
  key: string;
  /** e.g. `button "Add group"`, for messages. */
  description: string;
}

/** Where one Tab press left the focus. */
export interface FocusStop {
  /**
   * The control's key; `null` when the focus left the page (on the document itself). An element
   * that was not listed as a control (a scrollable list, which Firefox makes a tab stop) gets an
   * `extra:` key here.
   */
  key: string | null;
  description: string;
  /** The name assistive technology would announce (simplified: labels, ARIA, text, title). */
  name: string;
  /** Outline and box-shadow differ from the unfocused control's. */
  styleChanged: boolean;
  /** Contrast of the outline colour against the background around the control (null: no outline). */
  outlineContrast: number | null;
  focusStyle: string;
}

/** Lists and tags the visible, enabled controls in document order. */
export function listControls(ui: UiPage): Promise<Control[]> {
  return ui.page.evaluate(() => {
    // Unfocused styles are read with nothing focused.
    (document.activeElement as HTMLElement | null)?.blur();
    const selector =
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, ' +
      '[tabindex]:not([tabindex="-1"]), [contenteditable="true"]';
    const controls: { key: string; description: string }[] = [];
    const seen = new Set<string>();
    let index = 0;
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      // Inside a closed <details> (other than its summary) nothing is shown, though Chromium may
      // still give it boxes (the closed content is content-visibility: hidden, not display: none).
      const closed = el.closest('details:not([open])');
      const folded =
        closed !== null && !(el.localName === 'summary' && el.parentElement === closed);
      const shown =
        !folded && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
      const disabled = el.matches(':disabled');
      const activeSummary =
        el.localName !== 'summary' || el.parentElement?.querySelector('summary') === el;
      if (!shown || disabled || el.tabIndex < 0 || !activeSummary) continue;
      const radioGroup =
        el instanceof HTMLInputElement && el.type === 'radio' && el.name
          ? `radio:${el.form?.id ?? ''}:${el.name}`
          : null;
      const key = radioGroup ?? `c${index++}`;
      el.dataset['kbKey'] = key;
      const style = getComputedStyle(el);
      el.dataset['kbRest'] = [
        style.outlineStyle,
        style.outlineWidth,
        style.outlineColor,
        style.boxShadow,
      ].join('|');
      if (seen.has(key)) continue;
      seen.add(key);
      const type = el instanceof HTMLInputElement ? `[type=${el.type}]` : '';
      const text = (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 40);
      controls.push({ key, description: `${el.localName}${type} "${text}"` });
    }
    return controls;
  }, undefined);
}

/** Reads the focused element after a key press. */
function readFocus(ui: UiPage): Promise<FocusStop> {
  return ui.page.evaluate(() => {
    const collapse = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body || el === document.documentElement) {
      return {
        key: null,
        description: 'the document',
        name: '',
        styleChanged: false,
        outlineContrast: null,
        focusStyle: '',
      };
    }
    const textOf = (node: Element) => {
      // A label's or summary's own words, without a nested control's (a select's options, say).
      const clone = node.cloneNode(true) as HTMLElement;
      for (const inner of clone.querySelectorAll('input, select, textarea')) inner.remove();
      return collapse(clone.textContent);
    };
    const labelledBy = collapse(
      (el.getAttribute('aria-labelledby') ?? '')
        .split(/\s+/)
        .map((id) => (id ? (document.getElementById(id)?.textContent ?? '') : ''))
        .join(' '),
    );
    const labels =
      'labels' in el && el.labels
        ? collapse([...(el.labels as NodeListOf<HTMLLabelElement>)].map(textOf).join(' '))
        : '';
    const ownText = /^(a|button|summary)$/.test(el.localName) ? textOf(el) : '';
    const name =
      labelledBy ||
      collapse(el.getAttribute('aria-label')) ||
      labels ||
      ownText ||
      collapse(el.getAttribute('title')) ||
      (el instanceof HTMLInputElement && /^(submit|button|reset)$/.test(el.type) ? el.value : '');

    const style = getComputedStyle(el);
    const focusStyle = [
      style.outlineStyle,
      style.outlineWidth,
      style.outlineColor,
      style.boxShadow,
    ];
    // An element not listed beforehand has no unfocused style on record: it must show some ring.
    const styleChanged =
      el.dataset['kbRest'] === undefined
        ? style.outlineStyle !== 'none' || style.boxShadow !== 'none'
        : focusStyle.join('|') !== el.dataset['kbRest'];

    // The outline is drawn around the control (outline-offset), over its surroundings' background.
    const rgba = (color: string): number[] | null => {
      const m = /rgba?\(([^)]+)\)/.exec(color);
      if (!m) return null;
      const parts = m[1]!
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
    };
    let background: number[] = [255, 255, 255, 1];
    for (let node = el.parentElement; node; node = node.parentElement) {
      const color = rgba(getComputedStyle(node).backgroundColor);
      if (color && color[3]! > 0) {
        background = color;
        break;
      }
    }
    const luminance = ([r, g, b]: number[]) => {
      const channel = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
    };
    const outline = rgba(style.outlineColor);
    const hasOutline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    let outlineContrast: number | null = null;
    if (hasOutline && outline) {
      const [lighter, darker] = [luminance(outline), luminance(background)].sort((a, b) => b - a);
      outlineContrast = Math.round(((lighter! + 0.05) / (darker! + 0.05)) * 100) / 100;
    }
    const type = el instanceof HTMLInputElement ? `[type=${el.type}]` : '';
    if (!el.dataset['kbKey']) {
      const counter = window as unknown as { kbExtra?: number };
      counter.kbExtra = (counter.kbExtra ?? 0) + 1;
      el.dataset['kbKey'] = `extra:${counter.kbExtra}`;
    }
    return {
      key: el.dataset['kbKey'],
      description: `${el.localName}${type} "${name.slice(0, 40)}"`,
      name,
      styleChanged,
      outlineContrast,
      focusStyle: focusStyle.join(' '),
    };
  }, undefined);
}

/**
 * Moves the focus to the top of the page (nothing focused), then presses Tab until the focus comes
 * back to a control already visited or leaves the page, at most `limit` times; returns each stop.
 */
export async function tabThroughPage(ui: UiPage, limit: number): Promise<FocusStop[]> {
  await ui.page.evaluate(() => {
    // Focusing the body (made focusable for a moment) puts the sequential-focus starting point at
    // the top of the document; blur() alone leaves it at the last focused element in Chromium.
    (document.activeElement as HTMLElement | null)?.blur();
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
    window.scrollTo(0, 0);
  }, undefined);
  const stops: FocusStop[] = [];
  const visited = new Set<string>();
  /** Tab presses that stayed inside one control's own fields, each control at most a few. */
  let innerStops = 0;
  for (let presses = 0; presses < limit + innerStops; presses++) {
    await ui.page.pressKey('Tab');
    const stop = await readFocus(ui);
    // Past the last control the focus leaves the page (the browser's own UI).
    if (stop.key === null) {
      if (stops.length > 0) break;
      continue;
    }
    // A date input's day, month and year (and Firefox's calendar button) are Tab stops of the
    // same element: the next press leaves it. Not a cycle, and not counted against the limit.
    if (stops.at(-1)?.key === stop.key && innerStops < stops.length * 4) {
      innerStops += 1;
      continue;
    }
    if (visited.has(stop.key)) break;
    visited.add(stop.key);
    stops.push(stop);
  }
  return stops;
}

/** Whether a disclosure (a `<summary>`, or a button with `aria-expanded`) is open. */
export function disclosureState(ui: UiPage, key: string): Promise<boolean> {
  return ui.page.evaluate((k) => {
    const el = document.querySelector<HTMLElement>(`[data-kb-key="${k}"]`);
    if (!el) throw new Error(`no control ${k} any more`);
    if (el.localName === 'summary') return (el.parentElement as HTMLDetailsElement).open;
    return el.getAttribute('aria-expanded') === 'true';
  }, key);
}

/** The key of the first visible disclosure among the controls (summary or aria-expanded button). */
export function firstDisclosure(ui: UiPage): Promise<string | null> {
  return ui.page.evaluate(() => {
    const el = document.querySelector<HTMLElement>(
      '[data-kb-key]:is(summary, button[aria-expanded], [role="button"][aria-expanded])',
    );
    return el?.dataset['kbKey'] ?? null;
  }, undefined);
}

/** Focuses a listed control (by script: the walk itself has shown Tab reaches it). */
export async function focusControl(ui: UiPage, key: string): Promise<void> {
  await ui.page.evaluate((k) => {
    const el = document.querySelector<HTMLElement>(`[data-kb-key="${k}"]`);
    if (!el) throw new Error(`no control ${k} any more`);
    el.focus();
  }, key);
}
