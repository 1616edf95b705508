import type { OnnxManifest, Probabilities } from '@cataract/contracts';
import { imageToTensor, tensorSize } from '@cataract/imaging';
import * as ort from 'onnxruntime-node';
import { IncompatibleModelError, RuntimeNotLoadedError } from '../errors';
import type { LoadedModelFiles } from '../manifest';
import type { ModelRuntime, RuntimeOptions, RuntimeOutcome } from './runtime';
import { TensorBufferPool } from './tensor-buffer-pool';

/**
 * An ONNX image classifier described by its manifest (input name, layout, size, normalisation;
 * output name and kind), run with onnxruntime-node. A batch is preprocessed image by image with
 * imaging's imageToTensor straight into one reusable float32 buffer, so a bad image fails only its
 * own input; the images that decoded run as ONE inference.
 */
export class OnnxRuntime implements ModelRuntime {
  readonly kind = 'onnx' as const;
  readonly preferredBatchSize: number;
  private session: ort.InferenceSession | undefined;
  private readonly perInput: number;
  private readonly dims: [number, number, number];
  private readonly pool: TensorBufferPool;
  private readonly cataractIndex: number;
  /** Inferences run one at a time: each already uses intraOpThreads cores. */
  private exclusive: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly files: LoadedModelFiles & { manifest: OnnxManifest },
    private readonly opts: RuntimeOptions = {},
  ) {
    const { input, labels } = files.manifest;
    this.preferredBatchSize = opts.maxBatch ?? 1;
    this.perInput = tensorSize(input);
    this.dims = input.layout === 'NHWC' ? [input.height, input.width, input.channels] : [input.channels, input.height, input.width];
    this.pool = new TensorBufferPool(this.perInput, this.preferredBatchSize);
    this.cataractIndex = labels.indexOf('cataract');
    if (labels.length !== 2 || this.cataractIndex < 0) {
      throw new IncompatibleModelError(`expected labels ["normal","cataract"] in some order, manifest has ${JSON.stringify(labels)}`);
    }
  }

  async load(): Promise<void> {
    const { manifest, bytes } = this.files;
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: this.opts.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    try {
      this.checkSignature(session);
      // Fail now, not on the first request: a batch of one must give one probability row.
      const probe = await this.infer(session, new Float32Array(this.perInput), 1);
      probabilitiesOf(probe, 0, this.cataractIndex, manifest.output.kind);
      this.session = session;
    } catch (err) {
      await session.release().catch(() => undefined);
      throw err;
    }
  }

  async predict(inputs: readonly Buffer[]): Promise<RuntimeOutcome[]> {
    const session = this.session;
    if (!session) throw new RuntimeNotLoadedError();
    const spec = this.files.manifest.input;
    const buf = this.pool.acquire(inputs.length);
    try {
      // Decode every input into its own slot first; only the ones that decoded go to inference.
      const decoded = await Promise.all(
        inputs.map((input, i) =>
          imageToTensor(input, spec, buf, i * this.perInput, { maxPixels: this.opts.maxPixels }).then(
            () => undefined,
            (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
          ),
        ),
      );
      const rows: number[] = [];
      decoded.forEach((err, i) => {
        if (err) return;
        // Compact the batch: move slot i down to the next free row (a no-op while nothing failed).
        const row = rows.length;
        if (row !== i) buf.copyWithin(row * this.perInput, i * this.perInput, (i + 1) * this.perInput);
        rows.push(i);
      });
      const out = new Array<RuntimeOutcome>(inputs.length);
      decoded.forEach((err, i) => {
        if (err) out[i] = { ok: false, error: err };
      });
      if (rows.length > 0) {
        const output = await this.serialised(() => this.infer(session, buf, rows.length));
        const kind = this.files.manifest.output.kind;
        rows.forEach((i, row) => {
          out[i] = { ok: true, probabilities: probabilitiesOf(output, row, this.cataractIndex, kind) };
        });
      }
      return out;
    } finally {
      this.pool.release(buf);
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await this.exclusive.catch(() => undefined);
    await session?.release();
  }

  /** One inference over the first `n` inputs of `data`; returns the [n, labels] output. */
  private async infer(session: ort.InferenceSession, data: Float32Array, n: number): Promise<ort.Tensor> {
    const { input, output, labels } = this.files.manifest;
    const feed = new ort.Tensor('float32', data.subarray(0, n * this.perInput), [n, ...this.dims]);
    const result = await session.run({ [input.name]: feed }, [output.name]);
    const t = result[output.name] as ort.Tensor;
    if (t.type !== 'float32' || t.dims.length !== 2 || t.dims[0] !== n || t.dims[1] !== labels.length) {
      throw new IncompatibleModelError(`output "${output.name}" is ${t.type} [${t.dims}], expected float32 [${n}, ${labels.length}]`);
    }
    return t;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(fn, fn);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /** The graph must take the manifest's input (batch x spatial dims as declared) and produce its output. */
  private checkSignature(session: ort.InferenceSession): void {
    const { input, output } = this.files.manifest;
    if (!session.inputNames.includes(input.name)) {
      throw new IncompatibleModelError(`model has no input "${input.name}" (inputs: ${session.inputNames.join(', ')})`);
    }
    if (!session.outputNames.includes(output.name)) {
      throw new IncompatibleModelError(`model has no output "${output.name}" (outputs: ${session.outputNames.join(', ')})`);
    }
    const meta = session.inputMetadata.find((m) => m.name === input.name);
    if (meta?.isTensor && meta.shape.length > 0) {
      const fixed = meta.shape.slice(1);
      const ok = meta.shape.length === 4 && fixed.every((d, k) => typeof d !== 'number' || d === this.dims[k]);
      if (!ok) {
        throw new IncompatibleModelError(`input "${input.name}" has shape [${meta.shape}], manifest says ${input.layout} [N, ${this.dims}]`);
      }
    }
  }
}

/** P(cataract) of one output row; logits go through a (max-shifted) softmax first. */
export function probabilitiesOf(t: ort.Tensor, row: number, cataractIndex: number, kind: 'probabilities' | 'logits'): Probabilities {
  const width = t.dims[1];
  const values = t.data as Float32Array;
  const r = Array.from(values.subarray(row * width, (row + 1) * width));
  let p: number;
  if (kind === 'logits') {
    const max = Math.max(...r);
    const exps = r.map((v) => Math.exp(v - max));
    p = exps[cataractIndex] / exps.reduce((a, b) => a + b, 0);
  } else {
    p = r[cataractIndex];
  }
  if (!Number.isFinite(p) || p < -1e-6 || p > 1 + 1e-6) {
    throw new IncompatibleModelError(`model output row [${r}] does not give a probability (kind ${kind})`);
  }
  // float32 rounding may overshoot [0, 1] by an ulp
  const cataract = Math.min(1, Math.max(0, p));
  return { cataract, normal: 1 - cataract };
}
