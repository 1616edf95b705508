/**
 * Small mutable ONNX graph under construction: value names, nodes, float32/int64 initializers,
 * graph inputs/outputs. Can also wrap an existing model so nodes can be appended to it (e.g. a
 * classification head on a converted backbone).
 */
import { onnx } from 'onnx-proto';
import { KerasOnnxError } from './errors';

export type OnnxAttr =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string };
export const attr = {
  int: (value: number): OnnxAttr => ({ kind: 'int', value }),
  ints: (value: number[]): OnnxAttr => ({ kind: 'ints', value }),
  float: (value: number): OnnxAttr => ({ kind: 'float', value }),
  string: (value: string): OnnxAttr => ({ kind: 'string', value }),
};

/** A dimension is either fixed or symbolic (dim_param, e.g. the dynamic batch "N"). */
export type Dim = number | string;

const T = onnx.AttributeProto.AttributeType;

function toAttribute(name: string, a: OnnxAttr): onnx.IAttributeProto {
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'string':
      return { name, type: T.STRING, s: Buffer.from(a.value, 'utf8') };
  }
}

function valueInfo(name: string, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Little-endian raw bytes of a typed array (ONNX raw_data is little-endian by spec). */
function rawBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}

export class OnnxGraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  inputs: onnx.IValueInfoProto[] = [];
  outputs: onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private base: onnx.IModelProto | undefined;

  /** Wraps a decoded model: its nodes, initializers, inputs and outputs become editable. */
  static fromModel(model: onnx.IModelProto): OnnxGraphBuilder {
    const g = new OnnxGraphBuilder();
    const graph = model.graph;
    if (!graph) throw new KerasOnnxError('model has no graph');
    g.base = model;
    g.nodes.push(...(graph.node ?? []));
    g.initializers.push(...(graph.initializer ?? []));
    g.inputs = [...(graph.input ?? [])];
    g.outputs = [...(graph.output ?? [])];
    for (const n of g.nodes) {
      if (n.name) g.names.add(n.name);
      for (const o of n.output ?? []) g.names.add(o);
    }
    for (const v of [...g.initializers, ...g.inputs]) if (v.name) g.names.add(v.name);
    return g;
  }

  /** Returns `base`, or `base_1`, `base_2`... so every value and node name is unique. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Registers a name chosen by the caller; throws if it is already taken (names must stay unique). */
  claimName(name: string): string {
    if (this.names.has(name)) throw new KerasOnnxError(`ONNX value name "${name}" is already used`);
    this.names.add(name);
    return name;
  }

  addInput(name: string, dims: Dim[]): string {
    this.inputs.push(valueInfo(this.claimName(name), dims));
    return name;
  }

  /** Declares an existing value as a graph output. */
  addOutput(name: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  addInitializer(base: string, dims: number[], data: Float32Array | BigInt64Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new KerasOnnxError(`initializer ${base}: ${data.length} values for dims [${dims}]`);
    const name = this.uniqueName(base);
    const dataType = data instanceof Float32Array ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64;
    this.initializers.push({ name, dims, dataType, rawData: rawBytes(data) });
    return name;
  }

  /** Adds a node; `outputs` are base names made unique. Returns the actual output names. */
  addNode(opType: string, inputs: string[], outputs: string[], attrs: Record<string, OnnxAttr> = {}): string[] {
    const outNames = outputs.map((o) => this.uniqueName(o));
    this.nodes.push({
      name: this.uniqueName(`${outNames[0]}/${opType}`),
      opType,
      input: inputs,
      output: outNames,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return outNames;
  }

  /** Adds a node with exactly one output and returns its name. */
  op(opType: string, inputs: string[], output: string, attrs: Record<string, OnnxAttr> = {}): string {
    return this.addNode(opType, inputs, [output], attrs)[0];
  }

  build(opts: { producerName: string; producerVersion?: string; graphName?: string; opset?: number; docString?: string; metadata?: Record<string, string> }): onnx.IModelProto {
    const opset = opts.opset ?? 13;
    return {
      ...(this.base ?? {}),
      // IR version 8 pairs with opsets up to 17 and is read by every current onnxruntime.
      irVersion: this.base?.irVersion ?? 8,
      opsetImport: this.base?.opsetImport ?? [{ domain: '', version: opset }],
      producerName: opts.producerName,
      producerVersion: opts.producerVersion ?? '',
      docString: opts.docString ?? this.base?.docString ?? '',
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: opts.graphName ?? this.base?.graph?.name ?? 'graph',
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }
}
