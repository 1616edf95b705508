/**
 * `lgbm-predict MODEL FEATURES --format tsv|libsvm [--skip-first-column] [--raw]
 *  [--num-iteration N] [--start-iteration N] [--[no-]average-output-transform]`
 *
 * Prints one line per input row: the row's predictions, tab-separated, each in the shortest
 * text that reads back to the same double. Exit codes: 0 ok, 1 bad model/input, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliUsageError, FeatureInputError, FileReadError, LightGBMPredictorError, ModelFormatError } from './errors';
import { FEATURE_FORMATS, FeatureFormat, parseFeatureText } from './features-input';
import { LightGBMModel } from './model';
import { formatDouble } from './text-numbers';

export const USAGE = `usage: lgbm-predict MODEL FEATURES --format tsv|libsvm [options]

  MODEL                 LightGBM text model (model.txt, version v2..v4)
  FEATURES              feature rows ("-" reads stdin)
  --format tsv|libsvm   tsv: tab-separated dense rows; libsvm: "label idx:value ..." (zero-based)
  --skip-first-column   tsv: the first column is a label
  --raw                 print raw scores (no sigmoid/softmax/exp transform)
  --num-iteration N     use the first N iterations (<= 0: all)
  --start-iteration N   skip the first N iterations
  --average-output-transform, --no-average-output-transform
                        random forest (average_output) models: transform the average or not
                        (default: yes for v3/v4 files, no for v2 and unversioned files, as
                        LightGBM before 2.2.3 returned the plain average)
  -h, --help            show this help
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads FEATURES when it is "-". */
  readonly readStdin: () => string;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: () => readFileSync(0, 'utf8'),
};

interface CliOptions {
  readonly modelPath: string;
  readonly featuresPath: string;
  readonly format: FeatureFormat;
  readonly skipFirstColumn: boolean;
  readonly raw: boolean;
  readonly numIteration: number;
  readonly startIteration: number;
  readonly averageOutputTransform: boolean | undefined;
}

/** Run the CLI; returns the exit code instead of exiting so it can be tested in-process. */
export function main(argv: readonly string[], io: CliIo = processIo): number {
  let options: CliOptions | undefined;
  try {
    options = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof CliUsageError || isParseArgsError(err))) throw err;
    io.stderr(`lgbm-predict: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    run(options, io);
    return 0;
  } catch (err) {
    if (err instanceof LightGBMPredictorError) {
      // Name the file the line number refers to.
      let file = '';
      if (err instanceof ModelFormatError) file = `${displayPath(options.modelPath)}: `;
      if (err instanceof FeatureInputError) file = `${displayPath(options.featuresPath)}: `;
      io.stderr(`lgbm-predict: ${file}${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function run(options: CliOptions, io: CliIo): void {
  const model = LightGBMModel.fromString(readText(options.modelPath, 'model', io));
  const text = readText(options.featuresPath, 'features', io);
  const { rows, rowCount } = parseFeatureText(text, {
    format: options.format,
    numFeatures: model.numFeatures,
    skipFirstColumn: options.skipFirstColumn,
  });
  const predictor = model.createPredictor({
    rawScore: options.raw,
    numIteration: options.numIteration,
    startIteration: options.startIteration,
    averageOutputTransform: options.averageOutputTransform,
  });
  const out = predictor.predictMany(rows);
  const k = predictor.numOutputs;
  // Flush in blocks so huge inputs do not build one giant string.
  const BLOCK = 4096;
  for (let from = 0; from < rowCount; from += BLOCK) {
    const to = Math.min(rowCount, from + BLOCK);
    const lines: string[] = [];
    for (let r = from; r < to; r++) {
      const values: string[] = [];
      for (let c = 0; c < k; c++) values.push(formatDouble(out[r * k + c] as number));
      lines.push(values.join('\t'));
    }
    io.stdout(`${lines.join('\n')}\n`);
  }
}

function readText(path: string, what: string, io: CliIo): string {
  if (path === '-') return io.readStdin();
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new FileReadError(`cannot read ${what} file "${path}" (${typeof code === 'string' ? code : String(err)})`);
  }
}

/** Returns undefined for --help. */
function parseCommandLine(argv: readonly string[]): CliOptions | undefined {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      'skip-first-column': { type: 'boolean', default: false },
      raw: { type: 'boolean', default: false },
      'num-iteration': { type: 'string' },
      'start-iteration': { type: 'string' },
      'average-output-transform': { type: 'boolean', default: false },
      'no-average-output-transform': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  if (positionals.length !== 2) throw new CliUsageError(`expected MODEL and FEATURES, got ${positionals.length} argument(s)`);
  if (positionals[0] === '-' && positionals[1] === '-') throw new CliUsageError('MODEL and FEATURES cannot both be stdin');
  const format = values.format;
  if (format === undefined) throw new CliUsageError('--format tsv|libsvm is required');
  if (!(FEATURE_FORMATS as readonly string[]).includes(format)) {
    throw new CliUsageError(`--format must be tsv or libsvm, got "${format}"`);
  }
  const transformOn = values['average-output-transform'] === true;
  const transformOff = values['no-average-output-transform'] === true;
  if (transformOn && transformOff) {
    throw new CliUsageError('--average-output-transform and --no-average-output-transform exclude each other');
  }
  return {
    modelPath: positionals[0] as string,
    featuresPath: positionals[1] as string,
    format: format as FeatureFormat,
    skipFirstColumn: values['skip-first-column'] === true,
    raw: values.raw === true,
    numIteration: integerOption('--num-iteration', values['num-iteration']),
    startIteration: integerOption('--start-iteration', values['start-iteration']),
    averageOutputTransform: transformOn ? true : transformOff ? false : undefined,
  };
}

function integerOption(name: string, raw: string | undefined): number {
  if (raw === undefined) return 0;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw new CliUsageError(`${name} needs an integer, got "${raw}"`);
  return Number(raw);
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

function displayPath(path: string): string {
  return path === '-' ? '<stdin>' : path;
}
