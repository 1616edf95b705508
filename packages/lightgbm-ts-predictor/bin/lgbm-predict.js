#!/usr/bin/env node
'use strict';
// Committed entry point: dist/ is produced by the root `prepare` script (tsc -b) during npm ci.
process.stdout.on('error', (err) => {
  // A closed pipe (e.g. `| head`) is not a failure of the predictor.
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = require('../dist/cli.js').main(process.argv.slice(2));
