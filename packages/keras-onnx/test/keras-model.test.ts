import { decodeWeight, parseKerasTopology, readKerasModel } from '../src/keras-model';
import { InvalidKerasModelError, WeightError } from '../src/errors';

const topology = (layers: unknown[], className = 'Model') => ({
  keras_version: '2.2.4',
  model_config: { class_name: className, config: { name: 'm', layers, input_layers: [['in', 0, 0]], output_layers: [['d', 0, 0]] } },
});
const inputLayer = { name: 'in', class_name: 'InputLayer', config: { batch_input_shape: [null, 2] }, inbound_nodes: [] };
const dense = { name: 'd', class_name: 'Dense', config: { units: 1 }, inbound_nodes: [[['in', 0, 0, {}]]] };

describe('decodeWeight', () => {
  it('dequantises uint8 as q * scale + min (tfjs formula)', () => {
    const { tensor, length } = decodeWeight(
      { name: 'w', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
      Uint8Array.from([9, 0, 2, 4]),
      1,
    );
    expect(length).toBe(3);
    expect(Array.from(tensor.values)).toEqual([-1, 0, 1]);
  });
  it('reads uint16 little-endian', () => {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint16(0, 1000, true);
    new DataView(bytes.buffer).setUint16(2, 2, true);
    const { tensor } = decodeWeight({ name: 'w', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', min: 0, scale: 0.25 } }, bytes, 0);
    expect(Array.from(tensor.values)).toEqual([250, 0.5]);
  });
  it('reads float16 and float32', () => {
    const h = Uint8Array.from([0x00, 0x3c, 0x00, 0xc0]); // 1.0, -2.0
    expect(Array.from(decodeWeight({ name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } }, h, 0).tensor.values)).toEqual([1, -2]);
    const f = new Uint8Array(Float32Array.from([1.5, -3.25]).buffer);
    expect(Array.from(decodeWeight({ name: 'f', shape: [2], dtype: 'float32' }, f, 0).tensor.values)).toEqual([1.5, -3.25]);
  });
  it('throws WeightError when the data is too short or the dtype unsupported', () => {
    expect(() => decodeWeight({ name: 'f', shape: [4], dtype: 'float32' }, new Uint8Array(8), 0)).toThrow(WeightError);
    expect(() => decodeWeight({ name: 'i', shape: [1], dtype: 'int32' }, new Uint8Array(4), 0)).toThrow(WeightError);
  });
});

describe('readKerasModel', () => {
  it('concatenates a group\'s shards and strips ":0" from weight names', () => {
    const values = new Uint8Array(Float32Array.from([1, 2, 3]).buffer);
    const shards: Record<string, Uint8Array> = { a: values.slice(0, 5), b: values.slice(5) };
    const m = readKerasModel(
      {
        modelTopology: topology([inputLayer, dense]),
        weightsManifest: [{ paths: ['a', 'b'], weights: [{ name: 'd/kernel:0', shape: [2, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
      },
      (p) => shards[p],
    );
    expect(Array.from(m.weights.get('d/kernel')!.values)).toEqual([1, 2]);
    expect(Array.from(m.weights.get('d/bias')!.values)).toEqual([3]);
    expect(m.layers.map((l) => l.name)).toEqual(['in', 'd']);
    expect(m.layers[1].inbound).toEqual([{ layer: 'in', nodeIndex: 0, tensorIndex: 0 }]);
  });
  it('refuses shards longer than the manifest describes', () => {
    expect(() =>
      readKerasModel(
        { modelTopology: topology([inputLayer, dense]), weightsManifest: [{ paths: ['a'], weights: [{ name: 'd/bias', shape: [1], dtype: 'float32' }] }] },
        () => new Uint8Array(8),
      ),
    ).toThrow(WeightError);
  });
});

describe('parseKerasTopology', () => {
  it('rejects Sequential models, shared layers and malformed references', () => {
    expect(() => parseKerasTopology(topology([inputLayer, dense], 'Sequential'))).toThrow(InvalidKerasModelError);
    const shared = { ...dense, inbound_nodes: [[['in', 0, 0, {}]], [['in', 0, 0, {}]]] };
    expect(() => parseKerasTopology(topology([inputLayer, shared]))).toThrow(/shared/);
    expect(() => parseKerasTopology(topology([inputLayer, { ...dense, inbound_nodes: [[['in']]] }]))).toThrow(InvalidKerasModelError);
  });
});
