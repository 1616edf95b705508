import { spawn } from 'node:child_process';
import { describeProcessTree, procAvailable } from './proc-inspect';

(procAvailable ? describe : describe.skip)(`describeProcessTree (test support)${procAvailable ? '' : ' (skipped: no /proc)'}`, () => {
  it('lists a process and its children with their state and CPU time, and says when one is gone', async () => {
    // A parent that starts one sleeping child and prints its pid.
    const parent = spawn(process.execPath, ['-e', "const c = require('node:child_process').spawn('sleep', ['30']); console.log(c.pid); setInterval(() => {}, 1000);"], { stdio: ['ignore', 'pipe', 'inherit'] });
    let childPid = 0;
    try {
      childPid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d).trim()))));
      const lines = describeProcessTree(parent.pid!).split('\n');
      expect(lines[0]).toMatch(new RegExp(`^${parent.pid}: state [RS], cpu \\d+\\.\\d\\d s, threads \\d+, wchan \\S+$`));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ${childPid}: state S, cpu `)));
    } finally {
      if (childPid) process.kill(childPid, 'SIGKILL');
      parent.kill('SIGKILL');
      await new Promise((r) => parent.once('exit', r));
    }
    expect(describeProcessTree(parent.pid!)).toBe(`${parent.pid}: gone`);
  });
});
