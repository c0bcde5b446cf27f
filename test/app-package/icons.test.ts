/**
 * The icons against the Teams rules (msteams-docs concepts/build-and-test/apps-package.md):
 * colour 192x192 on a solid square background with the symbol inside the
 * central 96x96; outline 32x32, white (255,255,255) on transparent, no padding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_PACKAGE_DIR } from '../../scripts/package-app';
import { decodePng, type Png } from './png';
import { TEMPLATE_JSON } from './support';

const load = (name: string) => decodePng(readFileSync(join(APP_PACKAGE_DIR, name)));
const pixel = (png: Png, x: number, y: number) => Array.from(png.rgba.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));

describe('color.png', () => {
  const png = load(TEMPLATE_JSON.icons.color);
  const accent = TEMPLATE_JSON.accentColor.match(/[0-9a-f]{2}/gi)!.map((h) => parseInt(h, 16));

  it('is 192x192', () => {
    expect([png.width, png.height]).toEqual([192, 192]);
  });

  it('is opaque everywhere: a full-bleed square, no rounded or transparent corners', () => {
    for (let p = 0; p < 192 * 192; p++) expect(png.rgba[p * 4 + 3]).toBe(255);
  });

  it('has a solid background in the manifest accent colour all around the central 96x96', () => {
    let outside = 0;
    for (let y = 0; y < 192; y++) {
      for (let x = 0; x < 192; x++) {
        if (x >= 48 && x < 144 && y >= 48 && y < 144) continue;
        expect(pixel(png, x, y), `pixel ${x},${y}`).toEqual([...accent, 255]);
        outside++;
      }
    }
    expect(outside).toBe(192 * 192 - 96 * 96);
  });

  it('has a symbol inside the central 96x96 that uses more than one colour', () => {
    const colours = new Set<string>();
    for (let y = 48; y < 144; y++) for (let x = 48; x < 144; x++) colours.add(pixel(png, x, y).join(','));
    colours.delete([...accent, 255].join(','));
    expect(colours.has('255,255,255,255')).toBe(true);
    expect(colours.size).toBeGreaterThan(10);
  });
});

describe('outline.png', () => {
  const png = load(TEMPLATE_JSON.icons.outline);
  const alphas = Array.from({ length: 32 * 32 }, (_, p) => png.rgba[p * 4 + 3]!);

  it('is 32x32 with an alpha channel', () => {
    expect([png.width, png.height]).toEqual([32, 32]);
    expect([4, 6]).toContain(png.colorType);
  });

  it('uses only white: every pixel is (255,255,255) with some alpha', () => {
    const colours = new Set<string>();
    for (let p = 0; p < 32 * 32; p++) colours.add(Array.from(png.rgba.subarray(p * 4, p * 4 + 3)).join(','));
    expect([...colours]).toEqual(['255,255,255']);
  });

  it('is a glyph on transparency: solid strokes, clear background, soft edges', () => {
    const clear = alphas.filter((a) => a === 0).length;
    const solid = alphas.filter((a) => a === 255).length;
    expect(clear).toBeGreaterThan(32 * 32 * 0.3);
    expect(solid).toBeGreaterThan(32 * 32 * 0.1);
    expect(clear + solid).toBeLessThan(32 * 32);
  });

  it('has no padding: the glyph spans the square along its longer side and is centred along the other', () => {
    const xs: number[] = [];
    const ys: number[] = [];
    alphas.forEach((a, p) => {
      if (a >= 64) {
        xs.push(p % 32);
        ys.push(Math.floor(p / 32));
      }
    });
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const span = `glyph spans x ${minX}-${maxX}, y ${minY}-${maxY}`;
    const [long, short] =
      maxX - minX >= maxY - minY
        ? [
            [minX, 31 - maxX],
            [minY, 31 - maxY],
          ]
        : [
            [minY, 31 - maxY],
            [minX, 31 - maxX],
          ];
    // Anti-aliasing may leave the outermost pixels faint: one pixel of slack, no more.
    expect(Math.max(...long), span).toBeLessThanOrEqual(1);
    expect(Math.abs(short[0]! - short[1]!), span).toBeLessThanOrEqual(1);
  });
});
