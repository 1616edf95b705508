import sharp from 'sharp';

/**
 * Sample eye photos drawn at run time (nothing binary is shipped): what the actors' model warm-up
 * predicts on and what the gateway's warm-up uploads to itself. Vector shapes (skin, sclera, striped
 * iris, a dark or cloudy pupil) encoded as JPEG and PNG at the sizes uploads come in. They exercise
 * the decode and feature code; they say nothing about a model's accuracy.
 */

/** Sizes (w x h) and encodings of the rendered photos, like the uploads the service sees. */
const SHAPES: ReadonlyArray<{ width: number; height: number; format: 'jpeg' | 'png' }> = [
  { width: 512, height: 512, format: 'jpeg' },
  { width: 640, height: 480, format: 'jpeg' },
  { width: 384, height: 288, format: 'png' },
  { width: 1024, height: 768, format: 'jpeg' },
];

/**
 * An external-eye-like picture drawn from vector shapes (skin, sclera, striped iris, pupil), with
 * a blur radius and pupil shade that vary with `k`, so successive photos differ.
 */
function eyeSvg(width: number, height: number, k: number): string {
  const cx = width / 2;
  const cy = height / 2;
  const iris = Math.min(width, height) * 0.28;
  const pupil = iris * (0.4 + 0.05 * (k % 3));
  const shade = k % 2 === 0 ? 18 : 190; // a dark (healthy) and a cloudy pupil
  const stripes = Array.from({ length: 24 }, (_, i) => {
    const a = (i / 24) * 2 * Math.PI;
    return `<line x1="${cx}" y1="${cy}" x2="${cx + iris * Math.cos(a)}" y2="${cy + iris * Math.sin(a)}" stroke="#3b2a1c" stroke-width="${1 + (i % 3)}"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect width="100%" height="100%" fill="#c8967a"/>
<ellipse cx="${cx}" cy="${cy}" rx="${width * 0.44}" ry="${height * 0.34}" fill="#ebe4de"/>
<circle cx="${cx}" cy="${cy}" r="${iris}" fill="#6e4a2e"/>${stripes}
<circle cx="${cx}" cy="${cy}" r="${pupil}" fill="rgb(${shade},${shade},${shade})" filter="blur(${1 + (k % 4)}px)"/>
<circle cx="${cx - pupil * 0.3}" cy="${cy - pupil * 0.3}" r="${pupil * 0.12}" fill="#fff"/>
</svg>`;
}

/** One encoded photo per shape (~tens of ms for all four). */
export async function renderSampleEyePhotos(): Promise<Buffer[]> {
  return Promise.all(
    SHAPES.map(async ({ width, height, format }, k) => {
      const image = sharp(Buffer.from(eyeSvg(width, height, k))).flatten({ background: '#000' });
      return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 88 }).toBuffer();
    }),
  );
}

