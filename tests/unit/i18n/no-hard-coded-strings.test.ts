/**
 * No UI string is hard-coded: every word a person reads on the popup or the settings page comes
 * from locales/ through i18n.t(). Reads the components' syntax trees and reports each JSX text, each
 * string in a JSX expression and each person-facing attribute (title, aria-label, placeholder, alt,
 * label) that holds a letter. Names and codes that read the same in every language are allowed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const UI_DIRS = ['components', 'entrypoints/popup', 'entrypoints/options', 'entrypoints/welcome'];
const PERSON_FACING_ATTRIBUTES = new Set([
  'title',
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'placeholder',
  'alt',
  'label',
]);
/** Text that is not a word of any language: names, units, codes. */
const ALLOWED = new Set([
  'RouteViews',
  'NRO',
  'CC BY 4.0',
  'PDDL',
  'CarrierFlag',
  'AS',
  'ASN',
  'IPv4',
  'IPv6',
  'DoH',
  'CIDR',
  'DNS',
]);
const HAS_LETTER = /\p{L}/u;

function filesUnder(dir: string): string[] {
  const full = path.join(ROOT, dir);
  return readdirSync(full).flatMap((name) => {
    const file = path.join(full, name);
    if (statSync(file).isDirectory()) return filesUnder(path.relative(ROOT, file));
    return name.endsWith('.tsx') ? [path.relative(ROOT, file)] : [];
  });
}

function isWords(text: string): boolean {
  const trimmed = text.trim();
  return trimmed !== '' && HAS_LETTER.test(trimmed) && !ALLOWED.has(trimmed);
}

/** Each hard-coded UI string of a file as `line: text`. */
export function hardCodedStrings(file: string, source: string): string[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const { line } = tree.getLineAndCharacterOfPosition(node.getStart(tree));
    found.push(`${line + 1}: ${text.trim().slice(0, 60)}`);
  };
  const visit = (node: ts.Node, inJsxExpression: boolean): void => {
    if (ts.isJsxText(node) && isWords(node.text)) report(node, node.text);
    if (ts.isJsxAttribute(node) && node.initializer && ts.isStringLiteral(node.initializer)) {
      const name = node.name.getText(tree);
      if (PERSON_FACING_ATTRIBUTES.has(name) && isWords(node.initializer.text)) {
        report(node, `${name}="${node.initializer.text}"`);
      }
    }
    if (
      inJsxExpression &&
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) &&
      // An attribute's own value (class="error" on an element inside {…}) is judged by the
      // attribute rule above: person-facing attributes only.
      !ts.isJsxAttribute(node.parent) &&
      isWords(node.text) &&
      !isNonUiArgument(node)
    ) {
      report(node, node.text);
    }
    if (inJsxExpression && ts.isTemplateExpression(node)) {
      const parts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
      if (parts.some(isWords)) report(node, parts.join('…'));
    }
    const entersExpression =
      inJsxExpression ||
      (ts.isJsxExpression(node) && !ts.isJsxAttribute(node.parent)) ||
      (ts.isJsxExpression(node) &&
        ts.isJsxAttribute(node.parent) &&
        PERSON_FACING_ATTRIBUTES.has(node.parent.name.getText(tree)));
    ts.forEachChild(node, (child) => visit(child, entersExpression));
  };
  visit(tree, false);
  return found;
}

/** A string that is code, not words: a key passed to i18n.t, a class name, a comparison operand. */
function isNonUiArgument(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral): boolean {
  const parent = node.parent;
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression.getText();
    return callee.endsWith('.t') || callee === 't';
  }
  if (ts.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    return (
      op === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      op === ts.SyntaxKind.ExclamationEqualsEqualsToken
    );
  }
  if (ts.isCaseClause(parent) || ts.isElementAccessExpression(parent)) return true;
  // An attribute's own string (class, role, data-testid) inside nested JSX is not words; the
  // person-facing ones are reported by the attribute check in `visit`.
  if (ts.isJsxAttribute(parent)) return true;
  return false;
}

describe('UI strings', () => {
  const files = UI_DIRS.flatMap(filesUnder);

  it('finds the UI files', () => {
    expect(files).toEqual(
      expect.arrayContaining(['components/Popup.tsx', 'components/Options.tsx']),
    );
  });

  it('catches a hard-coded string (the check itself works)', () => {
    const sample = `export const A = () => <p title="Open the list">Checking {'this site'} {n} <b>{t('x')}</b></p>;`;
    expect(hardCodedStrings('sample.tsx', sample)).toEqual([
      '1: title="Open the list"',
      '1: Checking',
      '1: this site',
    ]);
    expect(
      hardCodedStrings('ok.tsx', `export const B = () => <p>{i18n.t('popup.title')} AS{asn}</p>;`),
    ).toEqual([]);
    const nested = `export const C = () => <ul>{rows.map((r) => <li class="row" data-testid="asn-row" title="Remove it">{'words'}</li>)}</ul>;`;
    expect(hardCodedStrings('nested.tsx', nested)).toEqual(['1: title="Remove it"', '1: words']);
    // Nested JSX: class and role are code, a person-facing attribute is words (reported once).
    expect(
      hardCodedStrings(
        'nested.tsx',
        `export const C = () => <div>{x && <p class="hint" role="status" title="Say hi">{t('k')}</p>}</div>;`,
      ),
    ).toEqual(['1: title="Say hi"']);
  });

  for (const file of files) {
    it(`${file} takes every string from locales/`, () => {
      expect(hardCodedStrings(file, readFileSync(path.join(ROOT, file), 'utf8'))).toEqual([]);
    });
  }
});
