/**
 * Number tokens as LightGBM writes and reads them (C `%.17g` style, plus the `inf`/`nan`
 * spellings its Atof accepts). JS `Number()` alone is too lenient ("", "0x1f", " 1 ") and too
 * strict ("inf"), so tokens are checked first.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const NOT_A_NUMBER = /^[+-]?(?:nan(?:\([^)]*\))?|na|null)$/i;

/** Parse a double token; returns `undefined` when the token is not a number. */
export function parseDoubleToken(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  const inf = INFINITY.exec(token);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (NOT_A_NUMBER.test(token)) return NaN;
  return undefined;
}

/** Parse a 32-bit signed integer token; returns `undefined` when it is not one. */
export function parseIntToken(token: string): number | undefined {
  if (!INTEGER.test(token)) return undefined;
  const value = Number(token);
  if (value < -2147483648 || value > 2147483647) return undefined;
  return value;
}

/** Split a space-separated list, ignoring repeated separators (LightGBM's Common::Split does too). */
export function splitList(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(/[ \t]+/);
}

/**
 * Shortest text that reads back to the same double (JS number-to-string is round-trip exact),
 * used for every printed prediction.
 */
export function formatDouble(value: number): string {
  return String(value);
}
