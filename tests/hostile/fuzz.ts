import { dropSpan, jpegSegments, pngChunks, Span, swapSpans } from './containers';
import { Prng, prng } from './prng';

export interface FuzzSeed {
  name: string;
  format: 'jpeg' | 'png' | 'webp';
  bytes: Buffer;
}

export interface FuzzCase {
  name: string;
  bytes: Buffer;
}

type Mutation = (buf: Buffer, r: Prng, seeds: readonly FuzzSeed[], format: FuzzSeed['format']) => { bytes: Buffer; what: string };

const copy = (b: Buffer) => Buffer.from(b);

/** Structural units of a container: PNG chunks, JPEG marker segments; WebP falls back to byte ranges. */
function units(buf: Buffer, format: FuzzSeed['format']): Span[] {
  const found = format === 'png' ? pngChunks(buf) : format === 'jpeg' ? jpegSegments(buf) : [];
  if (found.length >= 2) return found;
  const step = Math.max(1, Math.floor(buf.length / 8));
  return Array.from({ length: 8 }, (_, i) => ({ start: i * step, end: Math.min(buf.length, (i + 1) * step) })).filter((s) => s.end > s.start);
}

const MUTATIONS: Record<string, Mutation> = {
  bitflips: (buf, r) => {
    const out = copy(buf);
    const n = r.int(1, 17);
    for (let i = 0; i < n; i++) out[r.int(0, out.length)] ^= 1 << r.int(0, 8);
    return { bytes: out, what: `${n} bits` };
  },
  headerBitflips: (buf, r) => {
    const out = copy(buf);
    const n = r.int(1, 5);
    for (let i = 0; i < n; i++) out[r.int(2, Math.min(out.length, 600))] ^= 1 << r.int(0, 8);
    return { bytes: out, what: `${n} bits in the first 600 bytes` };
  },
  truncate: (buf, r) => {
    const at = r.int(0, buf.length);
    return { bytes: buf.subarray(0, at), what: `at ${at}/${buf.length}` };
  },
  overwrite: (buf, r) => {
    const out = copy(buf);
    const len = r.int(1, 2048);
    const at = r.int(0, out.length);
    for (let i = at; i < Math.min(out.length, at + len); i++) out[i] = r.int(0, 256);
    return { bytes: out, what: `${len} random bytes at ${at}` };
  },
  rangeSwap: (buf, r) => {
    const len = r.int(1, Math.max(2, Math.floor(buf.length / 4)));
    const a = r.int(0, buf.length - 2 * len);
    const b = r.int(a + len, buf.length - len);
    return { bytes: swapSpans(buf, { start: a, end: a + len }, { start: b, end: b + len }), what: `${len} bytes at ${a} <-> ${b}` };
  },
  chunkSwap: (buf, r, _seeds, format) => {
    const u = units(buf, format);
    const i = r.int(0, u.length - 1);
    const j = r.int(i + 1, u.length);
    return { bytes: swapSpans(buf, u[i], u[j]), what: `units ${i} <-> ${j} of ${u.length}` };
  },
  chunkDrop: (buf, r, _seeds, format) => {
    const u = units(buf, format);
    const i = r.int(0, u.length);
    return { bytes: dropSpan(buf, u[i]), what: `unit ${i} of ${u.length}` };
  },
  chunkDuplicate: (buf, r, _seeds, format) => {
    const u = units(buf, format);
    const s = u[r.int(0, u.length)];
    return { bytes: Buffer.concat([buf.subarray(0, s.end), buf.subarray(s.start, s.end), buf.subarray(s.end)]), what: `unit at ${s.start} twice` };
  },
  splice: (buf, r, seeds) => {
    const other = r.pick(seeds).bytes;
    const a = r.int(0, buf.length);
    const b = r.int(0, other.length);
    return { bytes: Buffer.concat([buf.subarray(0, a), other.subarray(b)]), what: `head ${a} + another file from ${b}` };
  },
};

/**
 * `count` mutants of real photos (JPEG, PNG and WebP encodings), fully determined by `seed`:
 * bit flips (anywhere, or in the headers), truncations, random overwrites, byte-range and
 * chunk/segment swaps, drops and duplicates, and splices of two files.
 */
export function fuzzCorpus(seeds: readonly FuzzSeed[], count: number, seed: number): FuzzCase[] {
  const r = prng(seed);
  const kinds = Object.keys(MUTATIONS);
  return Array.from({ length: count }, (_, i) => {
    const base = seeds[i % seeds.length];
    const kind = kinds[Math.floor(i / seeds.length) % kinds.length];
    const { bytes, what } = MUTATIONS[kind](base.bytes, r, seeds, base.format);
    return { name: `fuzz #${i} ${base.name} ${kind} (${what})`, bytes };
  });
}
