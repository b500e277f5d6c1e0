// The icon set: one SVG in the repo, exported at every size the manifest names.
import { Resvg } from '@resvg/resvg-js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ICON_SIZES, ICON_SVG, renderIcon } from '../../scripts/build-icons.mjs';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('icons', () => {
  const svg = readFileSync(ICON_SVG, 'utf8');

  it('exports the sizes the browsers and stores ask for', () => {
    expect(ICON_SIZES).toEqual([16, 32, 48, 128]);
    for (const size of ICON_SIZES) {
      expect(pngSize(renderIcon(svg, size))).toEqual({ width: size, height: size });
    }
  });

  it('draws an opaque mark on a transparent, rounded square', () => {
    const image = new Resvg(svg, { fitTo: { mode: 'width', value: 128 } }).render();
    const alphaAt = (x: number, y: number) => image.pixels[(y * image.width + x) * 4 + 3];
    expect(alphaAt(0, 0)).toBe(0);
    expect(alphaAt(64, 64)).toBe(255);
    // The red flag is there: a pixel inside the cloth is the badge red.
    const at = (30 * image.width + 95) * 4;
    expect([...image.pixels.subarray(at, at + 3)]).toEqual([0xd9, 0x30, 0x25]);
  });
});
