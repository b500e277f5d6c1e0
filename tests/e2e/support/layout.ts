import type { UiPage } from './ui-page';

/** What the "readable and compact" asks of a page: text size and widths, in CSS pixels. */
export interface PageLayout {
  /** Computed font size of `body` and of the first element matching `textSelector`. */
  bodyFontPx: number;
  textFontPx: number;
  /** Width of the page's `main` element, and how wide its content is (more: it scrolls sideways). */
  mainWidth: number;
  mainScrollWidth: number;
}

/** Measures the page as the browser laid it out (computed style, boxes). */
export function pageLayout(page: UiPage, textSelector: string): Promise<PageLayout> {
  return page.page.evaluate((selector: string) => {
    const px = (el: Element | null) =>
      el ? parseFloat(getComputedStyle(el).fontSize) : Number.NaN;
    const main = document.querySelector('main');
    return {
      bodyFontPx: px(document.body),
      textFontPx: px(document.querySelector(selector)),
      mainWidth: main ? main.getBoundingClientRect().width : Number.NaN,
      mainScrollWidth: main ? main.scrollWidth : Number.NaN,
    };
  }, textSelector) as Promise<PageLayout>;
}
