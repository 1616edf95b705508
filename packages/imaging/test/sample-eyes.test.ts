import { decodeImage, renderSampleEyePhotos } from '@cataract/imaging';

describe('sample eye photos (warm-up inputs)', () => {
  it('renders decodable eye photos of several sizes, JPEG and PNG', async () => {
    const photos = await renderSampleEyePhotos();
    expect(photos.length).toBeGreaterThanOrEqual(3);
    const decoded = await Promise.all(photos.map((p) => decodeImage(p)));
    expect(new Set(decoded.map((d) => `${d.width}x${d.height}`)).size).toBe(photos.length);
    expect(photos.some((p) => p[0] === 0xff && p[1] === 0xd8)).toBe(true); // JPEG
    expect(photos.some((p) => p.subarray(1, 4).toString('latin1') === 'PNG')).toBe(true);
    // an eye, not a blank canvas: the centre (pupil/iris) differs from the corner (skin)
    const { data, width, height } = decoded[0];
    const at = (x: number, y: number) => Array.from(data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
    expect(at(width >> 1, height >> 1)).not.toEqual(at(2, 2));
  });
});
