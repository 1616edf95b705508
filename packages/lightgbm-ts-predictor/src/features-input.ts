/**
 * Feature files for the CLI: dense TSV rows or LibSVM `label idx:value ...` rows (zero-based
 * indices), read into one flat row-major Float64Array.
 */
import { FeatureInputError } from './errors';
import { parseDoubleToken, parseIntToken } from './text-numbers';

export type FeatureFormat = 'tsv' | 'libsvm';

export const FEATURE_FORMATS: readonly FeatureFormat[] = ['tsv', 'libsvm'];

export interface FeatureInputOptions {
  readonly format: FeatureFormat;
  /** Values per row the model expects. */
  readonly numFeatures: number;
  /** TSV only: the first column is a label, not a feature. */
  readonly skipFirstColumn?: boolean;
}

export interface FeatureRowsInput {
  readonly rows: Float64Array;
  readonly rowCount: number;
}

/** Blank lines are skipped; every other line is one row. */
export function parseFeatureText(text: string, options: FeatureInputOptions): FeatureRowsInput {
  const lines = text.split('\n');
  const nf = options.numFeatures;
  let rowCount = 0;
  for (const line of lines) if (!isBlank(line)) rowCount++;
  const rows = new Float64Array(rowCount * nf);
  let r = 0;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (isBlank(line)) continue;
    if (options.format === 'tsv') readTsvRow(line, i + 1, options, rows, r * nf);
    else readLibsvmRow(line, i + 1, nf, rows, r * nf);
    r++;
  }
  return { rows, rowCount };
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function readTsvRow(line: string, lineNo: number, options: FeatureInputOptions, rows: Float64Array, base: number): void {
  const cells = line.split('\t');
  const skip = options.skipFirstColumn ? 1 : 0;
  const count = cells.length - skip;
  if (count !== options.numFeatures) {
    const hint = skip === 0 && count === options.numFeatures + 1 ? ' (is the first column a label? use --skip-first-column)' : '';
    throw new FeatureInputError(`${count} feature columns, the model expects ${options.numFeatures}${hint}`, lineNo);
  }
  for (let c = 0; c < count; c++) rows[base + c] = featureValue(cells[c + skip] as string, lineNo, c);
}

function readLibsvmRow(line: string, lineNo: number, numFeatures: number, rows: Float64Array, base: number): void {
  const tokens = line.trim().split(/[ \t]+/);
  // The label is optional: LightGBM's parser treats a first token with ':' as a feature.
  const first = (tokens[0] as string).includes(':') ? 0 : 1;
  for (let t = first; t < tokens.length; t++) {
    const token = tokens[t] as string;
    const colon = token.indexOf(':');
    const index = colon > 0 ? parseIntToken(token.slice(0, colon)) : undefined;
    if (index === undefined || index < 0) {
      throw new FeatureInputError(`"${token}" is not an idx:value pair with a zero-based index`, lineNo);
    }
    // LightGBM ignores features the model does not have (Predictor's CopyToPredictBuffer).
    if (index >= numFeatures) continue;
    rows[base + index] = featureValue(token.slice(colon + 1), lineNo, index);
  }
}

/** Empty cells and nan/na/null read as NaN (missing); inf/infinity as infinities. */
function featureValue(cell: string, lineNo: number, column: number): number {
  const token = cell.trim();
  if (token === '') return NaN;
  const value = parseDoubleToken(token);
  if (value === undefined) throw new FeatureInputError(`feature ${column}: "${token}" is not a number`, lineNo);
  return value;
}
