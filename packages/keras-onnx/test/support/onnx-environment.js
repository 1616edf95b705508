/**
 * Jest environment for tests that run onnxruntime-node. Jest gives each test file its own realm,
 * so `Float32Array` inside the test differs from the one the native addon builds output tensors
 * with, and onnxruntime-common's `instanceof` check rejects its own results
 * (microsoft/onnxruntime#16622). Exposing the outer realm's typed-array constructors fixes that.
 * Use with a `@jest-environment ./packages/keras-onnx/test/support/onnx-environment.js` docblock.
 */
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
