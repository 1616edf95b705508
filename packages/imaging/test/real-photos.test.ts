import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LGBM_FEATURE_SET, decodeImage, downscaleReencode, extractLgbmFeatures, probeImage } from '@cataract/imaging';

const DATA = join(__dirname, '../../../../shared/data/cataract/train');
const maybe = existsSync(DATA) ? describe : describe.skip;
const names = LGBM_FEATURE_SET.names;
const P05 = names.indexOf('centre_l_p05');

/** First `n` files of a class, in a stable order. */
function photos(cls: 'cataract' | 'normal', n: number): Buffer[] {
  const dir = join(DATA, cls);
  return readdirSync(dir)
    .sort()
    .slice(0, n)
    .map((f) => readFileSync(join(dir, f)));
}

maybe('real eye photos (skipped: ../shared/data/cataract absent)', () => {
  it('probe, decode and extract features from real JPEGs', async () => {
    for (const buf of [...photos('cataract', 4), ...photos('normal', 4)]) {
      const probe = await probeImage(buf);
      const img = await decodeImage(buf);
      expect([img.width, img.height]).toEqual([probe.width, probe.height]);
      const v = await extractLgbmFeatures(buf);
      expect(v.length).toBe(names.length);
      expect(v.every(Number.isFinite)).toBe(true);
    }
  });

  it('pupil darkness is higher (lighter) for cataract photos on average', async () => {
    const mean = async (bufs: Buffer[]) => {
      let s = 0;
      for (const b of bufs) s += (await extractLgbmFeatures(b))[P05];
      return s / bufs.length;
    };
    const cataract = await mean(photos('cataract', 20));
    const normal = await mean(photos('normal', 20));
    expect(cataract).toBeGreaterThan(normal + 5);
  });

  it('pupil darkness survives re-encoding a large photo at 128 px', async () => {
    const buf = photos('cataract', 40).find((b) => b.length > 20_000)!;
    const full = await extractLgbmFeatures(buf);
    const small = await extractLgbmFeatures(await downscaleReencode(buf, 128, 85));
    expect(Math.abs(full[P05] - small[P05])).toBeLessThan(3);
  });
});
