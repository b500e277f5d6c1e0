/**
 * Whether each text field can be seen as a field (WCAG 1.4.11, non-text contrast), which axe does
 * not check: its border, or else its own background, needs 3:1 against what surrounds it. A field
 * with a faint border on a page of the same colour is an empty gap to a person with low vision.
 */
import type { UiPage } from './ui-page';

/** One line per visible text field whose outline is too faint: its label, ratio and colours. */
export function faintFields(ui: UiPage, minContrast: number): Promise<string[]> {
  return ui.page.evaluate((min) => {
    const rgba = (color: string): number[] | null => {
      const m = /rgba?\(([^)]+)\)/.exec(color);
      if (!m) return null;
      const parts = m[1]!
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
    };
    const luminance = ([r, g, b]: number[]) => {
      const channel = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
    };
    const contrast = (a: number[], b: number[]) => {
      const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (lighter! + 0.05) / (darker! + 0.05);
    };
    const backgroundAround = (el: Element): number[] => {
      for (let node = el.parentElement; node; node = node.parentElement) {
        const color = rgba(getComputedStyle(node).backgroundColor);
        if (color && color[3]! > 0) return color;
      }
      return [255, 255, 255, 1];
    };
    const fields = document.querySelectorAll<HTMLElement>(
      'textarea, select, input:not([type="hidden"], [type="checkbox"], [type="radio"], ' +
        '[type="file"], [type="submit"], [type="button"], [type="reset"], [type="range"], ' +
        '[type="color"], [type="image"])',
    );
    const problems: string[] = [];
    for (const field of fields) {
      if (field.getClientRects().length === 0) continue;
      const style = getComputedStyle(field);
      const around = backgroundAround(field);
      const border = rgba(style.borderTopColor);
      const fill = rgba(style.backgroundColor);
      const hasBorder = style.borderTopStyle !== 'none' && parseFloat(style.borderTopWidth) > 0;
      const ratios = [
        hasBorder && border && border[3]! > 0 ? contrast(border, around) : 1,
        fill && fill[3]! > 0 ? contrast(fill, around) : 1,
      ];
      const best = Math.max(...ratios);
      if (best < min) {
        const label =
          field.getAttribute('aria-label') ??
          ('labels' in field && (field as HTMLInputElement).labels?.[0]?.textContent?.trim()) ??
          field.outerHTML.slice(0, 60);
        problems.push(
          `field "${label}": ${Math.round(best * 100) / 100}:1 (border ${style.borderTopColor}, ` +
            `fill ${style.backgroundColor}, around rgb(${around.slice(0, 3).join(', ')}))`,
        );
      }
    }
    return problems;
  }, minContrast);
}
