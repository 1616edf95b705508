import { mapLimit } from '@cataract/concurrency';

test('mapLimit keeps input order and never exceeds the limit', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (x, i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, x * 3));
    inFlight--;
    return `${i}:${x}`;
  });
  expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
  expect(peak).toBe(2);
});

test('mapLimit propagates a rejection', async () => {
  await expect(mapLimit([1, 2], 2, async (x) => {
    if (x === 2) throw new Error('boom');
    return x;
  })).rejects.toThrow('boom');
});
