/**
 * Draws Baton's two Teams icons and writes them to appPackage/:
 *
 * - color.png, 192x192: the symbol on a solid, square, full-bleed brand colour.
 *   Teams crops the colour icon to a rounded square (and a hexagon for bots),
 *   so the symbol stays inside the central 96x96 with 48 px of padding.
 * - outline.png, 32x32: the same symbol in pure white (RGB 255,255,255) on a
 *   transparent background, with no padding around it.
 *   (msteams-docs concepts/build-and-test/apps-package.md, "App icons")
 *
 * The symbol is a relay baton between two arcs, one per person, each ending
 * in an arrow that turns towards the other: the work changes hands, and comes
 * back when there is a question.
 *
 * Chromium rasterises the SVG on a canvas (exact pixel size, transparent
 * where nothing is drawn); Node writes the PNG from the raw pixels, so the
 * outline's colour is forced to white without a second decode and the files
 * are byte-for-byte reproducible on one Chromium version.
 *
 * Run: `npx tsx scripts/make-icons.ts` (needs Chromium: BATON_CHROMIUM, or `chromium` on PATH).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../src/project';
import { crc32 } from './package-app';

/** playwright-core finds an executable on PATH by name; BATON_CHROMIUM may name another. */
const CHROMIUM = process.env.BATON_CHROMIUM || 'chromium';
const OUT = join(PROJECT_ROOT, 'appPackage');

/** Baton's brand colour: the colour icon's background and the manifest's accentColor. */
export const BRAND_COLOR = '#0F5F5C';
const BATON_COLOR = '#FFB020';
const BATON_LIGHT = '#FFD884';
const BATON_DARK = '#D98A00';

interface Style {
  /** Ring radius and stroke, in the symbol's 100-unit box. */
  ring: number;
  stroke: number;
  /** Length of an arrowhead along the ring; its width across the ring is 1.4 times that. */
  arrow: number;
  /** Half the angular gap (degrees) between the two arcs. */
  gap: number;
  /** Baton length and thickness along the diagonal. */
  batonLength: number;
  batonWidth: number;
  ringColor: string;
  batonColor: string;
  /** A light and a dark stripe along the baton that make it read as a tube; none for the one-colour outline. */
  shading?: { light: string; dark: string };
}

const point = (r: number, degrees: number) => {
  const a = (degrees * Math.PI) / 180;
  return { x: 50 + r * Math.cos(a), y: 50 + r * Math.sin(a) };
};
const fmt = (n: number) => Number(n.toFixed(3)).toString();

/**
 * One arc of the ring, clockwise from `from` to `to` degrees (SVG angles: 0 is
 * east, 90 is south), ending in an arrowhead whose tip sits on the ring at `to`.
 */
function arcWithArrow(s: Style, from: number, to: number): string {
  const head = (s.arrow / (2 * Math.PI * s.ring)) * 360;
  // The stroke stops inside the arrowhead so its round cap does not poke out of the tip.
  const start = point(s.ring, from);
  const end = point(s.ring, to - head * 0.8);
  const line = `<path d="M${fmt(start.x)} ${fmt(start.y)} A${s.ring} ${s.ring} 0 0 1 ${fmt(end.x)} ${fmt(end.y)}" fill="none" stroke="${s.ringColor}" stroke-width="${s.stroke}" stroke-linecap="round"/>`;
  const tip = point(s.ring, to);
  const outer = point(s.ring + s.arrow * 0.7, to - head);
  const inner = point(s.ring - s.arrow * 0.7, to - head);
  const arrow = `<path d="M${fmt(tip.x)} ${fmt(tip.y)} L${fmt(outer.x)} ${fmt(outer.y)} L${fmt(inner.x)} ${fmt(inner.y)} Z" fill="${s.ringColor}" stroke="${s.ringColor}" stroke-width="${fmt(s.stroke * 0.3)}" stroke-linejoin="round"/>`;
  return line + arrow;
}

/**
 * The symbol in a 100x100 box. The baton lies on the diagonal from lower left
 * (the sender) to upper right (the receiver); each arc wraps one end and
 * turns, arrow first, towards the other person. The gaps between the arcs sit
 * across the baton's middle, never on its axis: a bar through a closed ring
 * reads as a "no entry" sign.
 */
function symbol(s: Style): string {
  const arcs = arcWithArrow(s, 45 + s.gap, 225 - s.gap) + arcWithArrow(s, 225 + s.gap, 405 - s.gap);
  const half = s.batonLength / 2;
  const w = s.batonWidth;
  const top = 50 - w / 2;
  const tube = `<rect x="${fmt(50 - half)}" y="${fmt(top)}" width="${fmt(s.batonLength)}" height="${fmt(w)}" rx="${fmt(w * 0.3)}" fill="${s.batonColor}"/>`;
  const shading = s.shading
    ? `<rect x="${fmt(50 - half + w * 0.35)}" y="${fmt(top + w * 0.18)}" width="${fmt(s.batonLength - w * 0.7)}" height="${fmt(w * 0.16)}" rx="${fmt(w * 0.08)}" fill="${s.shading.light}"/>` +
      `<rect x="${fmt(50 - half + w * 0.2)}" y="${fmt(top + w * 0.72)}" width="${fmt(s.batonLength - w * 0.4)}" height="${fmt(w * 0.14)}" rx="${fmt(w * 0.07)}" fill="${s.shading.dark}"/>`
    : '';
  return `${arcs}<g transform="rotate(-45 50 50)">${tube}${shading}</g>`;
}

/** The 192x192 colour icon: full-bleed square background, symbol in the central 96x96. */
export function colorSvg(): string {
  const style: Style = {
    ring: 38,
    stroke: 9,
    arrow: 19,
    gap: 17,
    batonLength: 54,
    batonWidth: 16,
    ringColor: '#FFFFFF',
    batonColor: BATON_COLOR,
    shading: { light: BATON_LIGHT, dark: BATON_DARK },
  };
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="192" height="192" viewBox="0 0 192 192">` +
    `<rect width="192" height="192" fill="${BRAND_COLOR}"/>` +
    `<svg x="48" y="48" width="96" height="96" viewBox="0 0 100 100">${symbol(style)}</svg></svg>`
  );
}

/** The 32x32 outline icon: white symbol on nothing, reaching the edges (no padding). */
export function outlineSvg(): string {
  // Heavier than the colour icon: at 32 px one pixel is 3.1 units of the 100-unit box.
  const style: Style = {
    ring: 34,
    stroke: 11,
    arrow: 21,
    gap: 19,
    batonLength: 44,
    batonWidth: 16,
    ringColor: '#FFFFFF',
    batonColor: '#FFFFFF',
  };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 100 100">${symbol(style)}</svg>`;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A PNG from RGBA pixels: colour type 6 (RGBA) or, for an opaque image, 2 (RGB),
 * 8 bits per channel, no interlace, every row with filter 0.
 */
export function encodePng(width: number, height: number, rgba: Uint8Array, channels: 3 | 4): Buffer {
  const rows = Buffer.alloc(height * (1 + width * channels));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * channels);
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) rows[row + 1 + x * channels + c] = rgba[(y * width + x) * 4 + c] ?? 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function main(): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'baton-icons-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    deviceScaleFactor: 1,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent('<!doctype html><title>icons</title>');
    const rasterise = (svg: string, size: number) =>
      page.evaluate(
        async ({ svg, size }) => {
          const image = new Image(size, size);
          image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = size;
          canvas.height = size;
          const ctx = canvas.getContext('2d');
          if (!ctx) throw new Error('no 2d canvas');
          ctx.drawImage(image, 0, 0, size, size);
          return Array.from(ctx.getImageData(0, 0, size, size).data);
        },
        { svg, size },
      );

    const color = Uint8Array.from(await rasterise(colorSvg(), 192));
    writeFileSync(join(OUT, 'color.png'), encodePng(192, 192, color, 3));

    const outline = Uint8Array.from(await rasterise(outlineSvg(), 32));
    // Keep the coverage (alpha) and make every pixel pure white: Teams allows no other colour.
    for (let i = 0; i < outline.length; i += 4) outline.set([255, 255, 255], i);
    writeFileSync(join(OUT, 'outline.png'), encodePng(32, 32, outline, 4));
    console.log(`wrote ${join(OUT, 'color.png')} and ${join(OUT, 'outline.png')}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
