/**
 * Bench-only actor entry (SUPERVISOR_ACTOR_ENTRY, see ab.mjs --instant-actors): the real actor
 * process, except that the lgbm runtime answers every image at once with a fixed probability. The
 * job still goes through BullMQ, the upload is still read from Redis and the reply still published,
 * so a run measures everything around the model. Never used outside bench/.
 */
const { join } = require('node:path');

const ROOT = join(__dirname, '../../..');
const { LightgbmRuntime } = require(join(ROOT, 'apps/actor/dist/runtimes/lightgbm-runtime.js'));
LightgbmRuntime.prototype.predict = async function predictInstantly(inputs) {
  return inputs.map(() => ({ ok: true, probabilities: { cataract: 0.9, normal: 0.1 }, timings: { preprocessMs: 0, inferenceMs: 0, batchSize: 1 } }));
};
require(join(ROOT, 'apps/actor/dist/main.js'));
