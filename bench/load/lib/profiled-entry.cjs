/**
 * Stand-in entry for the supervisor (SUPERVISOR_GATEWAY_ENTRY / SUPERVISOR_ACTOR_ENTRY) that runs
 * the real one (BENCH_PROFILE_ENTRY_GATEWAY / _ACTOR) under the V8 CPU profiler and writes
 * BENCH_PROFILE_DIR/<role>-<pid>.cpuprofile when the process exits. node refuses --cpu-prof in
 * NODE_OPTIONS and the supervisor passes no node flags, hence the inspector API. Cluster workers
 * re-run this file (cluster forks process.argv[1]) and are profiled too.
 */
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const role = process.argv.includes('--model') ? `actor-${process.argv[process.argv.indexOf('--model') + 1]}` : require('node:cluster').isPrimary ? 'gateway-primary' : 'gateway-worker';
const entry = role.startsWith('actor') ? process.env.BENCH_PROFILE_ENTRY_ACTOR : process.env.BENCH_PROFILE_ENTRY_GATEWAY;
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');

const exit = process.exit.bind(process);
let written = false;
process.exit = (code) => {
  if (!written) {
    written = true;
    // An in-thread inspector session answers synchronously: the profile is in hand before exiting.
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(join(process.env.BENCH_PROFILE_DIR, `${role}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  }
  return exit(code);
};
require(entry);
