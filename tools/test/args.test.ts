import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { intOption, numberOption, parseCli, reproduceCommand, UsageError } from '../src/common/args';

const spec = {
  data: { type: 'string', description: 'data dir', default: 'd' },
  out: { type: 'string', description: 'out dir' },
  verbose: { type: 'boolean', description: 'talk' },
} as const;

describe('parseCli', () => {
  test('defaults and values', () => {
    expect(parseCli('x', spec, [])).toEqual({ data: 'd' });
    expect(parseCli('x', spec, ['--data', '/a', '--out=/b', '--verbose'])).toEqual({ data: '/a', out: '/b', verbose: true });
  });
  test('unknown options and positionals are usage errors naming the problem', () => {
    expect(() => parseCli('x', spec, ['--bogus'])).toThrow(UsageError);
    expect(() => parseCli('x', spec, ['stray'])).toThrow(UsageError);
  });
  test('--help prints usage and returns null', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(parseCli('train', spec, ['--help'])).toBeNull();
    expect(log.mock.calls[0][0]).toContain('--data <value>');
    log.mockRestore();
  });
  test('number options validate', () => {
    expect(intOption('seed', '7', 1)).toBe(7);
    expect(intOption('seed', undefined, 1)).toBe(1);
    expect(() => intOption('seed', '1.5', 1)).toThrow(/--seed must be an integer/);
    expect(numberOption('lr', '0.05', 1)).toBe(0.05);
    expect(() => numberOption('lr', 'abc', 1)).toThrow(/--lr must be a number/);
  });
});

describe('runCli (through a built tool, as `npm run` starts it)', () => {
  const tool = path.join(__dirname, '..', 'dist', 'inspect-lgbm-eyes.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [tool, ...args], { encoding: 'utf8', timeout: 60000 });

  test('a usage error prints its message alone and exits 2', () => {
    const r = run('--out', path.join(os.tmpdir(), 'never-written.png'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('give exactly one of --predictions and --files');
  });

  test('any other error prints its stack and exits 1', () => {
    const r = run('--out', path.join(os.tmpdir(), 'never-written.png'), '--files', 'no-such-photo.jpg', '--data', os.tmpdir());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ENOENT[^]*no-such-photo\.jpg/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('reproduceCommand', () => {
  it('keeps the options that change the result and drops where files go', () => {
    expect(reproduceCommand('train:clip', [])).toBe('npm run train:clip');
    expect(reproduceCommand('train:clip', ['--out', '/tmp/x', '--photometric', '2', '--cache-dir=/tmp/c', '--flip', '--candidates', '/tmp/s'])).toBe('npm run train:clip -- --photometric 2 --flip');
  });
});
