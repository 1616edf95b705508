/**
 * Error analysis for the lgbm model: each photo's working image (what the features see) with the
 * eye and pupil circles the feature extractor located drawn over it, tiled into one PNG. Green:
 * the iris (limbus) circle; red: the pupil measured as the lens.
 */
import sharp from 'sharp';
import { WORKING_SIZE, locateEyeInImage } from '@cataract/imaging';
import { mapLimit } from '../common';

export interface OverlayItem {
  photo: Buffer;
  caption: string;
}

export interface OverlayOptions {
  /** Tiles per row. */
  columns?: number;
  /** Tile side in pixels (the working image is scaled up without smoothing). */
  tile?: number;
  concurrency?: number;
}

export const EYE_COLOUR = { r: 0, g: 255, b: 0 } as const;
export const PUPIL_COLOUR = { r: 255, g: 0, b: 0 } as const;

const rgb = (c: { r: number; g: number; b: number }) => `rgb(${c.r},${c.g},${c.b})`;
const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** One tile: the working image scaled to `tile` px, the two circles and the caption. */
export async function renderEyeTile(photo: Buffer, caption: string, tile: number): Promise<Buffer> {
  const { working, eye, pupil } = await locateEyeInImage(photo);
  const k = tile / WORKING_SIZE;
  const stroke = Math.max(1, Math.round(tile / 128));
  const circle = (c: { x: number; y: number; r: number }, colour: string) =>
    `<circle cx="${c.x * k}" cy="${c.y * k}" r="${c.r * k}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>`;
  const fontSize = Math.max(8, Math.round(tile / 20));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${tile}" height="${tile}">
${circle(eye, rgb(EYE_COLOUR))}${circle(pupil, rgb(PUPIL_COLOUR))}
<text x="3" y="${fontSize + 2}" font-family="sans-serif" font-size="${fontSize}" fill="yellow" stroke="black" stroke-width="0.4">${escapeXml(caption)}</text>
</svg>`;
  return sharp(working, { raw: { width: WORKING_SIZE, height: WORKING_SIZE, channels: 3 } })
    .resize(tile, tile, { kernel: 'nearest' })
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toBuffer();
}

/** All tiles, `columns` per row, as one PNG (black where the last row is short). */
export async function renderEyeGrid(items: readonly OverlayItem[], opts: OverlayOptions = {}): Promise<Buffer> {
  if (items.length === 0) throw new RangeError('no photos to draw');
  const tile = opts.tile ?? 256;
  const columns = Math.min(opts.columns ?? 4, items.length);
  const tiles = await mapLimit(items, opts.concurrency ?? 4, (item) => renderEyeTile(item.photo, item.caption, tile));
  const rows = Math.ceil(items.length / columns);
  return sharp({ create: { width: columns * tile, height: rows * tile, channels: 3, background: '#000' } })
    .composite(tiles.map((input, i) => ({ input, left: (i % columns) * tile, top: Math.floor(i / columns) * tile })))
    .png()
    .toBuffer();
}
