import sharp from 'sharp';
import { disableDecodeCache } from '../src';

describe('disableDecodeCache', () => {
  it("sets libvips' operation cache to hold nothing", () => {
    sharp.cache(true);
    expect(sharp.cache().items.max).toBeGreaterThan(0);
    disableDecodeCache();
    const limits = sharp.cache();
    expect(limits.items.max).toBe(0);
    expect(limits.memory.max).toBe(0);
    expect(limits.files.max).toBe(0);
  });
});
