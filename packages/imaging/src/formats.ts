/** The only containers we decode. Anything else (svg, pdf, gif, tiff, heif, ...) never reaches a decoder. */
export const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type AcceptedFormat = (typeof ACCEPTED_FORMATS)[number];

/** Decompression-bomb limit: width * height above this is refused from the header alone. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Identify the container by its magic bytes. We sniff before handing bytes to libvips so that
 * formats we refuse (SVG via librsvg, PDF, TIFF, HEIF...) are never parsed at all.
 */
export function sniffFormat(buf: Uint8Array): AcceptedFormat | undefined {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && PNG_SIGNATURE.every((b, i) => buf[i] === b)) return 'png';
  if (
    buf.length >= 12 &&
    ascii(buf, 0, 4) === 'RIFF' &&
    ascii(buf, 8, 12) === 'WEBP'
  ) {
    return 'webp';
  }
  return undefined;
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...buf.subarray(start, end));
}
