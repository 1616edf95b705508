/** The built `npm run eval` command without a service: predictions files, usage and input errors. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const EVAL = path.resolve(__dirname, '..', 'dist', 'eval.js');
const run = (args: string[]) => spawnSync(process.execPath, [EVAL, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('eval command (built: npx tsc -b tools)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cataract-eval-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('--predictions: figures of an out-of-fold file, mean ± sd over its repeats, the 256 px copy as the other form', () => {
    const file = path.join(dir, 'oof.json');
    const entry = (f: string, label: string, raw: number[], re: number[]) => ({ file: f, label, raw, raw_reencoded_256: re });
    writeFileSync(
      file,
      JSON.stringify({
        predictions: [
          entry('cataract/a.jpg', 'cataract', [0.9, 0.8], [0.9, 0.8]),
          entry('cataract/b.jpg', 'cataract', [0.6, 0.4], [0.4, 0.4]),
          entry('normal/c.jpg', 'normal', [0.1, 0.2], [0.1, 0.2]),
          entry('normal/d.jpg', 'normal', [0.3, 0.3], [0.3, 0.3]),
        ],
      }),
    );
    const r = run(['--predictions', file, '--json', path.join(dir, 'out.json')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // run 1: all right; run 2: b missed -> accuracy 100 % and 75 %; AUC 1 in both
    expect(r.stdout).toContain('4 photos (2 cataract, 2 normal), 2 runs: mean ± sd');
    expect(r.stdout).toContain('accuracy 87.50 % ± 17.68   ROC-AUC 1.0000 ± 0.0000');
    expect(r.stdout).toMatch(/256 px JPEG\s+12\.50 % ± 17\.68 changed/);
    expect(r.stdout).toContain('wrong as sent in some run: cataract/b.jpg');
  });

  test('input problems are one line and exit 1; usage errors exit 2 with the usage', () => {
    const missing = run([path.join(dir, 'nothing-here'), '--url', 'http://127.0.0.1:9']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^eval: data directory not found: .*nothing-here \(expected DIR\/cataract\/\* and DIR\/normal\/\*\)$/);
    const notJson = path.join(dir, 'not.json');
    writeFileSync(notJson, '{"rows": []}');
    const bad = run(['--predictions', notJson]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^eval: .*not\.json: not a predictions file/);
    const usage = run(['--routes', 'lgbm,foo', dir]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--routes: unknown "foo" (choose from lgbm, clip, ensemble)');
    expect(usage.stderr).toContain('usage: npm run eval -- DIR [options]');
  });
});
