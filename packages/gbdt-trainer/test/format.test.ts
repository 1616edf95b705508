import { formatG } from '../src/format';

// Expected strings produced by C printf("%g") / printf("%.17g") (glibc, via Python's % operator).
const CASES: [number, string, string][] = [
  [0.1, '0.1', '0.10000000000000001'],
  [114.45, '114.45', '114.45'],
  [1 / 3, '0.333333', '0.33333333333333331'],
  [100000.5, '100000', '100000.5'], // exact tie: printf rounds half to even, toPrecision would give 100001
  [1e-14, '1e-14', '1e-14'],
  [123456789, '1.23457e+08', '123456789'],
  [1e21, '1e+21', '1e+21'],
  [2.5e-5, '2.5e-05', '2.5000000000000001e-05'],
  [0.0001, '0.0001', '0.0001'],
  [0.00001234, '1.234e-05', '1.234e-05'],
  [-7.5, '-7.5', '-7.5'],
  [1, '1', '1'],
  [999999.5, '1e+06', '999999.5'],
  [0.30000000000000004, '0.3', '0.30000000000000004'],
  [-0, '-0', '-0'],
  [1e300, '1e+300', '1.0000000000000001e+300'],
  [5e-324, '4.94066e-324', '4.9406564584124654e-324'],
];

describe('formatG (printf %g compatible)', () => {
  test.each(CASES)('%p -> %s / %s', (x, g6, g17) => {
    expect(formatG(x, 6)).toBe(g6);
    expect(formatG(x, 17)).toBe(g17);
  });

  test('%.17g text parses back to the identical double', () => {
    let seed = 1;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const x = ((seed / 2147483648) - 0.5) * 10 ** ((i % 40) - 20);
      expect(Number(formatG(x, 17))).toBe(x);
    }
  });

  test('non-finite values', () => {
    expect(formatG(NaN)).toBe('nan');
    expect(formatG(Infinity)).toBe('inf');
    expect(formatG(-Infinity)).toBe('-inf');
  });
});
