import sharp from 'sharp';
import { WORKING_SIZE, locateEyeInImage, renderSampleEyePhotos } from '@cataract/imaging';
import { EYE_COLOUR, PUPIL_COLOUR, renderEyeGrid } from '../src/lgbm/eye-overlay';
import { misclassified, parsePredictionsFile } from '../src/lgbm/predictions-file';

describe('renderEyeGrid', () => {
  let photos: Buffer[];
  beforeAll(async () => {
    photos = await renderSampleEyePhotos();
  });

  it('tiles the photos and draws the located circles where the features found them', async () => {
    const tile = 256;
    const png = await renderEyeGrid(
      photos.slice(0, 3).map((photo, i) => ({ photo, caption: `photo <${i}> & co` })),
      { columns: 2, tile },
    );
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([2 * tile, 2 * tile]);
    const pixel = (x: number, y: number) => {
      const i = (Math.round(y) * info.width + Math.round(x)) * info.channels;
      return { r: data[i], g: data[i + 1], b: data[i + 2] };
    };
    const k = tile / WORKING_SIZE;
    // Anti-aliased strokes: the centre of the 2 px line is within a few levels of the colour.
    const near = (c: { r: number; g: number; b: number }, want: { r: number; g: number; b: number }) =>
      Math.max(Math.abs(c.r - want.r), Math.abs(c.g - want.g), Math.abs(c.b - want.b));
    // Photo 2 sits in the second row, first column; the others' tiles are checked the same way.
    for (const [index, left, top] of [[0, 0, 0], [1, tile, 0], [2, 0, tile]]) {
      const { eye, pupil } = await locateEyeInImage(photos[index]);
      // The rightmost point of each circle carries its colour.
      expect(near(pixel(left + (eye.x + eye.r) * k, top + eye.y * k), EYE_COLOUR)).toBeLessThanOrEqual(8);
      expect(near(pixel(left + (pupil.x + pupil.r) * k, top + pupil.y * k), PUPIL_COLOUR)).toBeLessThanOrEqual(8);
    }
    // The fourth cell of the 2x2 grid stays empty.
    expect(pixel(1.5 * tile, 1.5 * tile)).toEqual({ r: 0, g: 0, b: 0 });
  });

  it('refuses an empty list', async () => {
    await expect(renderEyeGrid([])).rejects.toThrow(RangeError);
  });
});

describe('predictions files', () => {
  const doc = {
    threshold: 0.6,
    predictions: [
      { file: 'cataract/a.jpg', label: 'cataract', p: 0.9 },
      { file: 'cataract/b.jpg', label: 'cataract', p: 0.55 },
      { file: 'normal/c.jpg', label: 'normal', p: 0.6 },
      { file: 'normal/d.jpg', label: 'normal', p: 0.1 },
    ],
  };

  it('picks the photos on the wrong side of the file\'s threshold', () => {
    expect(misclassified(parsePredictionsFile(doc, 'x')).map((x) => x.file)).toEqual(['cataract/b.jpg', 'normal/c.jpg']);
    // Without a threshold in the file, 0.5.
    expect(misclassified({ predictions: doc.predictions }).map((x) => x.file)).toEqual(['normal/c.jpg']);
  });

  it('rejects a file of another shape, naming it', () => {
    expect(() => parsePredictionsFile({ predictions: [{ file: 'a.jpg', p: '0.5' }] }, 'preds.json')).toThrow(/preds\.json: expected/);
    expect(() => parsePredictionsFile([], 'preds.json')).toThrow(/preds\.json/);
  });
});
