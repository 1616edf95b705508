/**
 * Reader for TensorFlow.js "layers model" artefacts (the model.json written by tfjs-converter from a
 * Keras HDF5 file, plus its binary weight shards): parses the functional-model topology and decodes
 * the weights (float32 or uint8/uint16/float16-quantised) exactly as tfjs-core's decodeWeights does,
 * so a converted graph sees the same float32 values TensorFlow.js would.
 */
import { InvalidKerasModelError, WeightError } from './errors';

/** One weight entry of a tfjs weights manifest. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number };
}
export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}
/** The model.json object of a tfjs layers model. */
export interface TfjsModelJson {
  modelTopology: unknown;
  weightsManifest: TfjsWeightsGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** A reference to the output of another layer (Keras inbound node entry). */
export interface KerasTensorRef {
  layer: string;
  nodeIndex: number;
  tensorIndex: number;
}
export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Inputs of the layer's single call (shared layers are rejected). */
  inbound: KerasTensorRef[];
}
export interface WeightTensor {
  shape: number[];
  values: Float32Array;
}
export interface KerasModel {
  name: string;
  kerasVersion?: string;
  layers: KerasLayer[];
  inputs: KerasTensorRef[];
  outputs: KerasTensorRef[];
  /** Keyed by manifest name without a trailing ":0", e.g. "Conv1/kernel". */
  weights: Map<string, WeightTensor>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseRef(raw: unknown, where: string): KerasTensorRef {
  // Keras 2 serialises a reference as [layer_name, node_index, tensor_index, kwargs?].
  if (!Array.isArray(raw) || typeof raw[0] !== 'string' || typeof raw[1] !== 'number' || typeof raw[2] !== 'number') {
    throw new InvalidKerasModelError(`${where}: expected [layer, nodeIndex, tensorIndex], got ${JSON.stringify(raw)}`);
  }
  return { layer: raw[0], nodeIndex: raw[1], tensorIndex: raw[2] };
}

/** Parses the topology (either {model_config: {...}} as Keras writes it, or the bare model config). */
export function parseKerasTopology(topology: unknown): Omit<KerasModel, 'weights'> {
  if (!isObject(topology)) throw new InvalidKerasModelError('modelTopology must be an object');
  const modelConfig = isObject(topology.model_config) ? topology.model_config : topology;
  const className = modelConfig.class_name;
  if (className !== 'Model' && className !== 'Functional') {
    throw new InvalidKerasModelError(`only functional Keras models are supported, got class_name ${String(className)}`);
  }
  const config = modelConfig.config;
  if (!isObject(config) || !Array.isArray(config.layers)) throw new InvalidKerasModelError('model config has no layers');
  const layers: KerasLayer[] = config.layers.map((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config)) {
      throw new InvalidKerasModelError(`layer #${i} is malformed`);
    }
    const name = typeof raw.name === 'string' ? raw.name : String(raw.config.name);
    const nodes = raw.inbound_nodes;
    if (!Array.isArray(nodes)) throw new InvalidKerasModelError(`layer "${name}": inbound_nodes must be an array`);
    if (nodes.length > 1) throw new InvalidKerasModelError(`layer "${name}" is shared (${nodes.length} calls); not supported`);
    const call = nodes[0] ?? [];
    if (!Array.isArray(call)) throw new InvalidKerasModelError(`layer "${name}": unsupported inbound_nodes format (Keras 3?)`);
    return {
      name,
      className: raw.class_name,
      config: raw.config,
      inbound: call.map((r: unknown) => parseRef(r, `layer "${name}" inbound`)),
    };
  });
  const refs = (v: unknown, what: string) => {
    if (!Array.isArray(v)) throw new InvalidKerasModelError(`model config has no ${what}`);
    return v.map((r) => parseRef(r, what));
  };
  return {
    name: typeof config.name === 'string' ? config.name : 'model',
    kerasVersion: typeof topology.keras_version === 'string' ? topology.keras_version : undefined,
    layers,
    inputs: refs(config.input_layers, 'input_layers'),
    outputs: refs(config.output_layers, 'output_layers'),
  };
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Decodes one weight from `bytes` at `offset`; returns the tensor and the bytes consumed. */
export function decodeWeight(spec: TfjsWeightSpec, bytes: Uint8Array, offset: number): { tensor: WeightTensor; length: number } {
  if (spec.dtype !== 'float32') throw new WeightError(`weight ${spec.name}: dtype ${spec.dtype} not supported (float32 only)`);
  const n = size(spec.shape);
  const q = spec.quantization;
  const bytesPer = !q ? 4 : q.dtype === 'uint8' ? 1 : 2;
  const length = n * bytesPer;
  if (offset + length > bytes.length) {
    throw new WeightError(`weight ${spec.name}: needs ${length} bytes at offset ${offset}, shard data has ${bytes.length}`);
  }
  // Copy so the values are aligned and independent of the shard buffer.
  const raw = bytes.slice(offset, offset + length);
  const view = new DataView(raw.buffer);
  const values = new Float32Array(n);
  if (!q) {
    for (let i = 0; i < n; i++) values[i] = view.getFloat32(i * 4, true);
  } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
    if (typeof q.min !== 'number' || typeof q.scale !== 'number') {
      throw new WeightError(`weight ${spec.name}: ${q.dtype} quantisation without min/scale`);
    }
    // Same expression as tfjs-core (double precision, then rounded to float32 on store).
    for (let i = 0; i < n; i++) {
      const v = q.dtype === 'uint8' ? raw[i] : view.getUint16(i * 2, true);
      values[i] = v * q.scale + q.min;
    }
  } else if (q.dtype === 'float16') {
    for (let i = 0; i < n; i++) values[i] = float16ToFloat32(view.getUint16(i * 2, true));
  } else {
    throw new WeightError(`weight ${spec.name}: unknown quantisation ${String((q as { dtype: unknown }).dtype)}`);
  }
  return { tensor: { shape: spec.shape.slice(), values }, length };
}

/**
 * Reads a tfjs layers model. `shard(path)` returns the bytes of one weights file named in the
 * manifest; within a group, the shards are concatenated and the weights are packed in order.
 */
export function readKerasModel(modelJson: TfjsModelJson, shard: (path: string) => Uint8Array): KerasModel {
  const topo = parseKerasTopology(modelJson.modelTopology);
  if (!Array.isArray(modelJson.weightsManifest)) throw new InvalidKerasModelError('weightsManifest missing');
  const weights = new Map<string, WeightTensor>();
  for (const group of modelJson.weightsManifest) {
    const parts = group.paths.map((p) => shard(p));
    const total = parts.reduce((a, p) => a + p.length, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    let offset = 0;
    for (const spec of group.weights) {
      const { tensor, length } = decodeWeight(spec, bytes, offset);
      weights.set(spec.name.replace(/:0$/, ''), tensor);
      offset += length;
    }
    if (offset !== total) {
      throw new WeightError(`weights group [${group.paths.join(', ')}]: manifest describes ${offset} bytes, shards hold ${total}`);
    }
  }
  return { ...topo, weights };
}
