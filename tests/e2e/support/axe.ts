/**
 * axe-core on the extension's own pages, in either browser.
 *
 * The pages' CSP allows no inline or injected `<script>`, so the library's source is evaluated
 * through the driver (whose evaluation the page's CSP does not cover) and `axe.run` is then called
 * in the page like any other UiPage code. axe-core itself, not `@axe-core/playwright`: that one
 * drives Playwright only (and needs a newer Node), while Firefox here is puppeteer over BiDi.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { UiPage } from './ui-page';

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Defines `window.axe` once per document; the source assigns it itself. */
const INSTALL_AXE = `(() => {
  if (!window.axe) {
${AXE_SOURCE}
  }
  return typeof window.axe;
})()`;

export type AxeImpact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface AxeViolation {
  /** The rule, e.g. `color-contrast`. */
  id: string;
  /** false: axe could not decide and asks for a review (its "incomplete" results). */
  certain: boolean;
  impact: AxeImpact | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; summary: string }[];
}

/** What `axe.run` gives back, as far as it is read here. */
interface AxeResult {
  id: string;
  impact?: AxeImpact | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}
interface AxeResults {
  violations: AxeResult[];
  incomplete: AxeResult[];
}

/**
 * Runs axe's default rules (WCAG 2.0–2.2 A and AA, and its best practices) on the page as it is
 * now and returns the violations and the results axe could not decide, most severe first.
 */
export async function axeViolations(ui: UiPage): Promise<AxeViolation[]> {
  const installed = await ui.page.evaluateExpression(INSTALL_AXE);
  if (installed !== 'object') throw new Error(`axe-core did not load in the page (${installed})`);
  const violations = await ui.page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: { run(context: Document, options: object): Promise<AxeResults> };
    };
    const results = await axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    const entries = [
      ...results.violations.map((v) => ({ v, certain: true })),
      ...results.incomplete.map((v) => ({ v, certain: false })),
    ];
    return entries.map(({ v, certain }) => ({
      id: v.id,
      certain,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(' '),
        summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
      })),
    }));
  }, undefined);
  const rank: Record<string, number> = { critical: 0, serious: 1, moderate: 2, minor: 3 };
  return violations.sort((a, b) => (rank[a.impact ?? ''] ?? 4) - (rank[b.impact ?? ''] ?? 4));
}

/**
 * The findings a person relying on assistive technology or on contrast cannot work around: serious
 * and critical ones, including those axe only suspects (an ARIA attribute it cannot confirm is
 * honoured, say), except contrast it could not measure: text scrolled out of a scrolling list's
 * view has no background axe can see, and the same styles are measured where they are in view.
 */
export function blocking(violations: readonly AxeViolation[]): AxeViolation[] {
  return violations.filter(
    (v) =>
      (v.impact === 'serious' || v.impact === 'critical') &&
      (v.certain || v.id !== 'color-contrast'),
  );
}

/** One paragraph per violation: rule, impact, help, and each offending element with axe's reason. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) =>
      [
        `${v.id} (${v.impact ?? 'no impact'}${v.certain ? '' : ', needs review'}): ${v.help} <${v.helpUrl}>`,
        ...v.nodes.map((n) => `  at ${n.target}: ${n.summary}`),
      ].join('\n'),
    )
    .join('\n');
}
