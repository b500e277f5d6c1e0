#!/usr/bin/env node
// The extension's icons: one SVG drawn in the repo (assets/icon/carrierflag.svg), exported as PNG at
// the sizes the browsers and stores ask for into public/icon/, where WXT copies them into both builds.
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ICON_SIZES = [16, 32, 48, 128];
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ICON_SVG = join(ROOT, 'assets/icon/carrierflag.svg');

/** The icon rendered as a PNG `size` pixels square. */
export function renderIcon(svg, size) {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const svg = readFileSync(ICON_SVG, 'utf8');
  const outDir = join(ROOT, 'public/icon');
  mkdirSync(outDir, { recursive: true });
  for (const size of ICON_SIZES) writeFileSync(join(outDir, `${size}.png`), renderIcon(svg, size));
  console.log(`icons: ${ICON_SIZES.map((s) => `${s}px`).join(', ')} → public/icon/`);
}
