/** Input validation and binning of a training matrix (rows of equal length, labels). */
import { BinMapper } from './binning';
import { InvalidDataError } from './errors';

export interface DataSet {
  /** One feature vector per row; NaN marks a missing value. */
  rows: ReadonlyArray<ArrayLike<number>>;
  labels: ArrayLike<number>;
}

export interface BinnedData {
  numRows: number;
  numFeatures: number;
  mappers: BinMapper[];
  /** bins[f][i]: bin of row i for feature f (column-major for fast histogram builds) */
  bins: Uint8Array[];
  /** NaN bin per feature, -1 when the feature has none */
  nanBins: Int32Array;
  labels: Float64Array;
}

/** Checks shape and values; ±Infinity is refused (NaN is allowed: it means "missing"). */
export function validateDataSet(data: DataSet, what: string, numFeatures?: number): number {
  if (!data || !Array.isArray(data.rows)) throw new InvalidDataError(`${what}: rows must be an array of feature vectors`);
  const n = data.rows.length;
  if (n === 0) throw new InvalidDataError(`${what}: no rows`);
  if (!data.labels || data.labels.length !== n) throw new InvalidDataError(`${what}: ${data.labels?.length ?? 0} labels for ${n} rows`);
  const m = numFeatures ?? data.rows[0].length;
  if (m === 0) throw new InvalidDataError(`${what}: rows have no features`);
  for (let i = 0; i < n; i++) {
    const r = data.rows[i];
    if (!r || r.length !== m) throw new InvalidDataError(`${what}: row ${i} has ${r?.length ?? 0} features, expected ${m}`);
    for (let f = 0; f < m; f++) {
      const v = r[f];
      if (typeof v !== 'number') throw new InvalidDataError(`${what}: row ${i} feature ${f} is not a number`);
      if (v === Infinity || v === -Infinity) throw new InvalidDataError(`${what}: row ${i} feature ${f} is infinite (use NaN for missing values)`);
    }
  }
  return m;
}

export function binDataSet(data: DataSet, maxBin: number, minDataInBin: number): BinnedData {
  const n = data.rows.length;
  const m = data.rows[0].length;
  const mappers: BinMapper[] = [];
  const bins: Uint8Array[] = [];
  const nanBins = new Int32Array(m);
  const col = new Float64Array(n);
  for (let f = 0; f < m; f++) {
    for (let i = 0; i < n; i++) col[i] = data.rows[i][f];
    const mapper = BinMapper.fit(col, maxBin, minDataInBin);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = mapper.valueToBin(col[i]);
    mappers.push(mapper);
    bins.push(b);
    nanBins[f] = mapper.nanBin;
  }
  return { numRows: n, numFeatures: m, mappers, bins, nanBins, labels: Float64Array.from(data.labels) };
}
