/**
 * The extension's own pages (popup, options) as a person uses them, in either browser: find a
 * control by its label or accessible name, type, press Enter, click, tick, pick a file, read text.
 *
 * Everything runs through `evaluate` inside the page, so the same code drives Playwright's Chromium
 * and puppeteer's Firefox; keys are real key presses from the driver, so Enter submits a form the way
 * it does for a person. Reads wait on what the page shows (polling), never on fixed sleeps.
 */
import type { DriverPage } from './browsers/types';
import { waitUntil, type WaitOptions } from './wait';

/** Text to match: exact (after collapsing white space) or a RegExp. */
export type TextMatch = string | RegExp;

interface SerialMatch {
  source: string;
  flags: string;
  exact: boolean;
}

const serial = (match: TextMatch): SerialMatch =>
  typeof match === 'string'
    ? { source: match, flags: '', exact: true }
    : { source: match.source, flags: match.flags, exact: false };

type Op =
  | { op: 'texts'; testId: string }
  | { op: 'css'; selector: string }
  | { op: 'visibleText' }
  | { op: 'fill'; label: SerialMatch; value: string }
  | { op: 'focus'; label: SerialMatch }
  | { op: 'click'; name: SerialMatch; near?: SerialMatch }
  | { op: 'checked'; label: SerialMatch; value?: boolean }
  | { op: 'value'; label: SerialMatch }
  | { op: 'upload'; testId: string; name: string; content: string; type: string }
  | { op: 'alerts' }
  | { op: 'linkHref'; name: SerialMatch }
  | { op: 'attribute'; testId: string; name: string };

/**
 * One function that runs inside the page (it must not use anything from this module's scope).
 * Controls are found the way assistive technology names them: a <label> (wrapping or `for=`),
 * `aria-label`, or, for buttons and links, their text.
 */
function inPage(request: Op): unknown {
  const collapse = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
  const matches = (m: SerialMatch, text: string) =>
    m.exact ? collapse(text) === m.source : new RegExp(m.source, m.flags).test(collapse(text));
  const visible = (el: Element) => {
    const box = (el as HTMLElement).getBoundingClientRect();
    return box.width > 0 || box.height > 0 || el.getClientRects().length > 0;
  };
  const labelText = (label: HTMLLabelElement) => {
    // A wrapping label's text without its control's own text (a select's options, say).
    const clone = label.cloneNode(true) as HTMLElement;
    for (const inner of clone.querySelectorAll('input, select, textarea')) inner.remove();
    return collapse(clone.textContent);
  };
  const describe = (m: SerialMatch) => (m.exact ? `"${m.source}"` : `/${m.source}/${m.flags}`);
  const control = (m: SerialMatch): HTMLElement => {
    const found: HTMLElement[] = [];
    for (const label of document.querySelectorAll('label')) {
      if (matches(m, labelText(label)) && label.control) found.push(label.control);
    }
    for (const el of document.querySelectorAll<HTMLElement>('[aria-label]')) {
      if (matches(m, el.getAttribute('aria-label') ?? '')) found.push(el);
    }
    const shown = [...new Set(found)].filter(visible);
    if (shown.length !== 1) {
      throw new Error(`expected one control labelled ${describe(m)}, found ${shown.length}`);
    }
    return shown[0]!;
  };
  const byTestId = (id: string) => [...document.querySelectorAll(`[data-testid="${id}"]`)];

  switch (request.op) {
    case 'texts':
      return byTestId(request.testId).map((el) => collapse((el as HTMLElement).innerText));
    case 'css':
      return [...document.querySelectorAll(request.selector)]
        .filter(visible)
        .map((el) => collapse((el as HTMLElement).innerText));
    case 'visibleText':
      return collapse(document.body.innerText);
    case 'fill': {
      const el = control(request.label) as HTMLInputElement;
      el.focus();
      el.value = request.value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return null;
    }
    case 'focus':
      control(request.label).focus();
      return null;
    case 'click': {
      const scope: ParentNode = request.near
        ? (control(request.near).closest('form, fieldset, section, details, li, .group') ??
          document)
        : document;
      const candidates = [
        ...scope.querySelectorAll<HTMLElement>('button, [role="button"], a, summary'),
      ].filter(
        (el) =>
          visible(el) &&
          (matches(request.name, el.getAttribute('aria-label') ?? '') ||
            matches(request.name, el.innerText)),
      );
      if (candidates.length !== 1) {
        throw new Error(
          `expected one button named ${describe(request.name)}, found ${candidates.length}`,
        );
      }
      candidates[0]!.click();
      return null;
    }
    case 'checked': {
      const el = control(request.label) as HTMLInputElement;
      if (request.value !== undefined && el.checked !== request.value) el.click();
      return el.checked;
    }
    case 'value':
      return (control(request.label) as HTMLInputElement).value;
    case 'upload': {
      const [input] = byTestId(request.testId) as HTMLInputElement[];
      if (!input) throw new Error(`no file input ${request.testId}`);
      const files = new DataTransfer();
      files.items.add(new File([request.content], request.name, { type: request.type }));
      input.files = files.files;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return null;
    }
    case 'alerts':
      return [...document.querySelectorAll('[role="alert"]')]
        .filter(visible)
        .map((el) => collapse((el as HTMLElement).innerText))
        .filter((text) => text.length > 0);
    case 'linkHref': {
      const link = [...document.querySelectorAll('a')].find((a) =>
        matches(request.name, a.innerText),
      );
      return link ? link.getAttribute('href') : null;
    }
    case 'attribute': {
      const [el] = byTestId(request.testId);
      return el ? el.getAttribute(request.name) : null;
    }
  }
}

const textMatches = (match: TextMatch, text: string) =>
  typeof match === 'string' ? text === match : match.test(text);

/** An extension page (popup or options) driven as a person would. */
export class UiPage {
  constructor(readonly page: DriverPage) {}

  private run<T>(request: Op): Promise<T> {
    return this.page.evaluate(inPage, request) as Promise<T>;
  }

  /** The text of every element with this `data-testid`, white space collapsed. */
  texts(testId: string): Promise<string[]> {
    return this.run({ op: 'texts', testId });
  }

  /** The text of the first element with this `data-testid`, or null when there is none. */
  async text(testId: string): Promise<string | null> {
    return (await this.texts(testId))[0] ?? null;
  }

  /** Waits until the element with this `data-testid` shows text matching `match`; returns it. */
  async waitForText(
    testId: string,
    match: TextMatch,
    options?: Omit<WaitOptions, 'what'>,
  ): Promise<string> {
    let last: string | null = null;
    return waitUntil(
      async () => {
        last = await this.text(testId);
        return last !== null && textMatches(match, last) ? last : undefined;
      },
      {
        what: `[data-testid=${testId}] to read ${String(match)}`,
        last: () => `${last}`,
        ...options,
      },
    );
  }

  /** Waits until some element with this `data-testid` matches; returns all their texts then. */
  async waitForAny(testId: string, match: TextMatch): Promise<string[]> {
    let last: string[] = [];
    return waitUntil(
      async () => {
        last = await this.texts(testId);
        return last.some((t) => textMatches(match, t)) ? last : undefined;
      },
      {
        what: `some [data-testid=${testId}] to read ${String(match)}`,
        last: () => last.join(' | '),
      },
    );
  }

  /** The text of every visible element matching a CSS selector (for structure without a test id). */
  textsOf(selector: string): Promise<string[]> {
    return this.run({ op: 'css', selector });
  }

  /** The page's visible text, collapsed. */
  visibleText(): Promise<string> {
    return this.run({ op: 'visibleText' });
  }

  /** Waits until the page's visible text matches (a substring, or a RegExp). */
  async waitForVisibleText(match: string | RegExp): Promise<void> {
    let last = '';
    await waitUntil(
      async () => {
        last = await this.visibleText();
        return typeof match === 'string' ? last.includes(match) : match.test(last);
      },
      { what: `the page to show ${String(match)}`, last: () => last.slice(0, 400) },
    );
  }

  /** Types a value into the control labelled `label` (replacing what was there). */
  async fill(label: TextMatch, value: string): Promise<void> {
    await waitUntil(() => this.run({ op: 'fill', label: serial(label), value }).then(() => true), {
      what: `a control labelled ${String(label)}`,
    });
  }

  /** Focuses the control labelled `label` and presses a real key there (Enter submits its form). */
  async press(label: TextMatch, key: string): Promise<void> {
    await waitUntil(() => this.run({ op: 'focus', label: serial(label) }).then(() => true), {
      what: `a control labelled ${String(label)}`,
    });
    await this.page.pressKey(key);
  }

  /** Fills the field and presses Enter in it, as a person adding an entry does. */
  async enter(label: TextMatch, value: string): Promise<void> {
    await this.fill(label, value);
    await this.press(label, 'Enter');
  }

  /** Clicks the one visible button (or link, or summary) with this name, optionally near a control. */
  async click(name: TextMatch, options?: { near?: TextMatch }): Promise<void> {
    await waitUntil(
      () =>
        this.run({
          op: 'click',
          name: serial(name),
          ...(options?.near !== undefined ? { near: serial(options.near) } : {}),
        }).then(() => true),
      { what: `a button named ${String(name)}` },
    );
  }

  /** Ticks or clears the checkbox labelled `label` with a click (only when it must change). */
  async setChecked(label: TextMatch, value: boolean): Promise<void> {
    await waitUntil(
      () => this.run({ op: 'checked', label: serial(label), value }).then(() => true),
      {
        what: `a checkbox labelled ${String(label)}`,
      },
    );
  }

  isChecked(label: TextMatch): Promise<boolean> {
    return this.run({ op: 'checked', label: serial(label) });
  }

  valueOf(label: TextMatch): Promise<string> {
    return this.run({ op: 'value', label: serial(label) });
  }

  /** Picks a file in the file input with this `data-testid`, as the file chooser would. */
  async upload(testId: string, file: { name: string; content: string; type?: string }) {
    await waitUntil(
      () =>
        this.run({
          op: 'upload',
          testId,
          name: file.name,
          content: file.content,
          type: file.type ?? 'application/json',
        }).then(() => true),
      { what: `the file input ${testId}` },
    );
  }

  /** The visible, non-empty `role="alert"` messages. */
  alerts(): Promise<string[]> {
    return this.run({ op: 'alerts' });
  }

  /** Waits until a visible alert matches; returns every visible alert then. */
  async waitForAlert(match: TextMatch): Promise<string[]> {
    let last: string[] = [];
    return waitUntil(
      async () => {
        last = await this.alerts();
        return last.some((t) => textMatches(match, t)) ? last : undefined;
      },
      { what: `an alert reading ${String(match)}`, last: () => last.join(' | ') || 'none' },
    );
  }

  linkHref(name: TextMatch): Promise<string | null> {
    return this.run({ op: 'linkHref', name: serial(name) });
  }

  attribute(testId: string, name: string): Promise<string | null> {
    return this.run({ op: 'attribute', testId, name });
  }

  reload(): Promise<void> {
    return this.page.reload();
  }

  close(): Promise<void> {
    return this.page.close();
  }
}
