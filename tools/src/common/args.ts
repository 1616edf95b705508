/** Tiny argv parsing on node's util.parseArgs: typed options, --help text, clear errors. */
import { parseArgs } from 'node:util';

export type OptionSpec =
  | { type: 'string'; default?: string; description: string; short?: string }
  | { type: 'boolean'; default?: boolean; description: string; short?: string };

export type ParsedOptions<S extends Record<string, OptionSpec>> = {
  [K in keyof S]: S[K] extends { type: 'boolean' } ? boolean : S[K] extends { default: string } ? string : string | undefined;
};

export class UsageError extends Error {
  override name = 'UsageError';
}

export function usage(command: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(([k, s]) => {
    const flag = `--${k}${s.type === 'string' ? ' <value>' : ''}`;
    const def = s.default !== undefined ? ` (default: ${s.default})` : '';
    return `  ${flag.padEnd(28)} ${s.description}${def}`;
  });
  return [`usage: ${command} [options]`, ...lines, `  ${'--help'.padEnd(28)} show this help`].join('\n');
}

/**
 * Parses argv (default process.argv.slice(2)). Unknown options and positionals are errors
 * (UsageError), `--help` returns null after printing usage so callers can exit 0.
 */
export function parseCli<S extends Record<string, OptionSpec>>(
  command: string,
  spec: S,
  argv: string[] = process.argv.slice(2),
): ParsedOptions<S> | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }> = {
    help: { type: 'boolean' },
  };
  // parseArgs rejects keys that are present but undefined, so only set short/default when given.
  for (const [k, s] of Object.entries(spec)) {
    options[k] = { type: s.type, ...(s.short !== undefined && { short: s.short }), ...(s.default !== undefined && { default: s.default }) };
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage(command, spec)}`);
  }
  if (values.help) {
    console.log(usage(command, spec));
    return null;
  }
  delete values.help;
  return values as ParsedOptions<S>;
}

/**
 * Runs a tool's main(): a UsageError prints its message and exits 2, any other error its stack and
 * exits 1.
 */
export function runCli(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
}

/** Parses an integer option, with a clear error naming the flag. */
export function intOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return n;
}

/** Parses a finite number option, with a clear error naming the flag. */
export function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return n;
}

/**
 * The command line that reproduces a run, for manifests and cards: the npm script and the options
 * given, minus those that only say where files go (--out, --cache-dir, --candidates), which do not change the result.
 */
export function reproduceCommand(script: string, argv: readonly string[] = process.argv.slice(2)): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^--(out|cache-dir|candidates)(=|$)/.test(a)) {
      if (!a.includes('=')) i++;
      continue;
    }
    kept.push(a);
  }
  return `npm run ${script}${kept.length ? ' -- ' + kept.join(' ') : ''}`;
}
