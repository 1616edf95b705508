import { getPriority, setPriority } from 'node:os';
import { controlPriority } from '../src/models/control-priority';

describe('npm run models: control priority', () => {
  const before = getPriority();
  afterEach(() => {
    try {
      setPriority(before);
    } catch {
      // not root: a jest worker left at nice 5 only runs slower
    }
  });

  it('MODELS_CLI_NICE=0, a non-integer or a value out of range leaves the priority alone', () => {
    for (const v of ['0', 'high', '-25', '20', '1.5']) {
      expect([v, controlPriority({ MODELS_CLI_NICE: v })]).toEqual([v, undefined]);
      expect(getPriority()).toBe(before);
    }
  });

  it('asks for nice -10 by default: granted where permitted (root, CAP_SYS_NICE), else refused quietly', () => {
    const got = controlPriority({});
    if (got === undefined) expect(getPriority()).toBe(before);
    else expect([got, getPriority()]).toEqual([-10, -10]);
  });

  it('a positive value lowers the priority, which is always permitted', () => {
    expect(controlPriority({ MODELS_CLI_NICE: '5' })).toBe(5);
    expect(getPriority()).toBe(5);
  });
});
