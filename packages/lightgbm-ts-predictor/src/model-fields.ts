/**
 * A `key=value` line of a LightGBM text model and the strict readers of its value, shared by the
 * header and the tree parsers: every complaint names what was read and its 1-based line.
 */
import { ModelFormatError } from './errors';
import { parseDoubleToken, parseIntToken, splitList } from './text-numbers';

export interface Field {
  readonly value: string;
  readonly line: number;
}

const UINT32 = /^\d+$/;

export function intValue(field: Field, what: string, min: number): number {
  const value = parseIntToken(field.value.trim());
  if (value === undefined) throw new ModelFormatError(`${what} "${clip(field.value)}" is not an integer`, field.line);
  if (value < min) throw new ModelFormatError(`${what}=${value} must be at least ${min}`, field.line);
  return value;
}

export function ints(field: Field, expected: number, what: string, expectedName: string, min: number, max: number): Int32Array {
  const tokens = splitList(field.value);
  checkCount(tokens.length, expected, what, expectedName, field.line);
  const out = new Int32Array(expected);
  for (let k = 0; k < expected; k++) {
    const value = parseIntToken(tokens[k] as string);
    if (value === undefined) {
      throw new ModelFormatError(`${what}: value ${k + 1} "${clip(tokens[k] as string)}" is not an integer`, field.line);
    }
    if (value < min || value > max) {
      throw new ModelFormatError(`${what}: value ${k + 1} (${value}) is outside [${min}, ${max}]`, field.line);
    }
    out[k] = value;
  }
  return out;
}

export function uint32s(field: Field, expected: number, what: string): Uint32Array {
  const tokens = splitList(field.value);
  checkCount(tokens.length, expected, what, 'the last cat_boundaries entry', field.line);
  const out = new Uint32Array(expected);
  for (let k = 0; k < expected; k++) {
    const token = tokens[k] as string;
    const value = UINT32.test(token) ? Number(token) : NaN;
    if (!(value <= 0xffffffff)) {
      throw new ModelFormatError(`${what}: value ${k + 1} "${clip(token)}" is not a 32-bit unsigned integer`, field.line);
    }
    out[k] = value;
  }
  return out;
}

export function doubles(field: Field, expected: number, what: string, expectedName: string): Float64Array {
  const tokens = splitList(field.value);
  checkCount(tokens.length, expected, what, expectedName, field.line);
  const out = new Float64Array(expected);
  for (let k = 0; k < expected; k++) {
    const value = parseDoubleToken(tokens[k] as string);
    if (value === undefined) {
      throw new ModelFormatError(`${what}: value ${k + 1} "${clip(tokens[k] as string)}" is not a number`, field.line);
    }
    out[k] = value;
  }
  return out;
}

function checkCount(actual: number, expected: number, what: string, expectedName: string, line: number): void {
  if (actual !== expected) {
    throw new ModelFormatError(`${what} has ${actual} values, expected ${expectedName}=${expected}`, line);
  }
}

export function fieldLine(fields: Map<string, Field>, key: string): number {
  return (fields.get(key) as Field).line;
}

/** Keep quoted file content short in messages. */
export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
