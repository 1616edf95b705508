/**
 * Number formatting identical to C's printf("%.<p>g") (what LightGBM writes with fmt "{:g}" and
 * "{:.17g}"). JS's toPrecision rounds ties away from zero, glibc rounds the exact binary value
 * half-to-even, so this works on the exact decimal expansion of the double (BigInt) to produce
 * byte-identical text.
 */

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** Exact decimal digits and exponent of |x| (x finite, non-zero): |x| = 0.d1d2d3... * 10^exp10. */
function exactDecimal(x: number): { digits: string; exp10: number } {
  F64[0] = Math.abs(x);
  const bits = U64[0];
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let e2: number;
  if (biased === 0) e2 = -1074; // subnormal
  else {
    mant |= 1n << 52n;
    e2 = biased - 1075;
  }
  // |x| = mant * 2^e2
  let intDigits: string;
  let fracLen: number; // number of digits after the decimal point in intDigits
  if (e2 >= 0) {
    intDigits = (mant << BigInt(e2)).toString();
    fracLen = 0;
  } else {
    // mant / 2^k = mant * 5^k / 10^k
    const k = -e2;
    intDigits = (mant * 5n ** BigInt(k)).toString();
    fracLen = k;
  }
  // strip leading zeros are impossible (BigInt toString), position of decimal point:
  const exp10 = intDigits.length - fracLen; // value = 0.intDigits * 10^exp10
  return { digits: intDigits.replace(/0+$/, '') || '0', exp10 };
}

/** Rounds a digit string to `p` significant digits, half-to-even; returns digits (length p) and carry into exponent. */
function roundDigits(digits: string, p: number): { d: string; carry: number } {
  if (digits.length <= p) return { d: digits.padEnd(p, '0'), carry: 0 };
  const head = digits.slice(0, p);
  const next = digits.charCodeAt(p) - 48;
  const restNonZero = /[1-9]/.test(digits.slice(p + 1));
  let roundUp = false;
  if (next > 5 || (next === 5 && restNonZero)) roundUp = true;
  else if (next === 5 && !restNonZero) roundUp = (head.charCodeAt(p - 1) - 48) % 2 === 1;
  if (!roundUp) return { d: head, carry: 0 };
  const inc = (BigInt(head) + 1n).toString();
  if (inc.length > p) return { d: inc.slice(0, p), carry: 1 };
  return { d: inc.padStart(p, '0'), carry: 0 };
}

/** printf("%.{precision}g", x) */
export function formatG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const p = precision === 0 ? 1 : precision;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0`;
  const { digits, exp10 } = exactDecimal(x);
  const { d, carry } = roundDigits(digits, p);
  const X = exp10 - 1 + carry; // exponent in d.ddd * 10^X form
  let out: string;
  if (X < p && X >= -4) {
    // fixed notation with p - 1 - X decimals
    if (X >= 0) {
      const intPart = d.slice(0, X + 1);
      const frac = d.slice(X + 1);
      out = frac.length ? `${intPart}.${frac}` : intPart;
    } else {
      out = `0.${'0'.repeat(-X - 1)}${d}`;
    }
    if (out.includes('.')) out = out.replace(/0+$/, '').replace(/\.$/, '');
  } else {
    let mant = d.length > 1 ? `${d[0]}.${d.slice(1)}` : d;
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ae = Math.abs(X);
    out = `${mant}e${X < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  return sign + out;
}

/** LightGBM's high-precision array output ("{:.17g}"): round-trips every double exactly. */
export const format17 = (x: number): string => formatG(x, 17);
/** LightGBM's default array output ("{:g}" = 6 significant digits). */
export const format6 = (x: number): string => formatG(x, 6);
