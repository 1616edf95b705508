/** The photos the page test uploads: real ones from ../shared when present, else synthetic eyes made with sharp. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export const SHARED_PHOTOS = join(__dirname, '..', '..', '..', 'shared', 'data', 'cataract', 'train');

export interface TestPhoto {
  name: string;
  mimeType: string;
  buffer: Buffer;
  /** Where it came from, for the report in the test name and logs. */
  source: string;
}

export async function testPhoto(label: 'cataract' | 'normal'): Promise<TestPhoto> {
  const dir = join(SHARED_PHOTOS, label);
  if (existsSync(dir)) {
    const file = readdirSync(dir)
      .filter((f) => /\.jpe?g$/i.test(f))
      .sort()[0];
    if (file) return { name: `${label}-${file}`, mimeType: 'image/jpeg', buffer: readFileSync(join(dir, file)), source: join(dir, file) };
  }
  return { name: `synthetic-${label}-eye.jpg`, mimeType: 'image/jpeg', buffer: await syntheticEye(label === 'cataract'), source: 'synthetic (sharp)' };
}

/** A drawn external-eye photo: skin, sclera, iris, pupil, and a milky lens for "cataract". */
async function syntheticEye(cloudy: boolean): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320">
    <rect width="480" height="320" fill="#c98f74"/>
    <ellipse cx="240" cy="160" rx="190" ry="95" fill="#f2ede6" stroke="#7a4b3a" stroke-width="6"/>
    <circle cx="240" cy="160" r="72" fill="#5b7a4e"/>
    <circle cx="240" cy="160" r="30" fill="${cloudy ? '#b9bfc4' : '#111'}"/>
    ${cloudy ? '<circle cx="240" cy="160" r="40" fill="#e8ecef" opacity="0.55"/>' : ''}
    <circle cx="262" cy="140" r="8" fill="#fff" opacity="0.9"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}
