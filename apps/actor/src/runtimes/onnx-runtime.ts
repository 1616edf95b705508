import type { InputStatsRecord, OnnxManifest, Probabilities } from '@cataract/contracts';
import { imageToTensor, inputStatsOfTensor, sourceSizeOf, tensorSize } from '@cataract/imaging';
import { IncompatibleModelError, InferenceThreadError, RuntimeNotLoadedError } from '../errors';
import type { LoadedModelFiles } from '../manifest';
import { InferenceThread, SessionInfo } from './inference-thread';
import { measured } from './input-stats';
import type { ModelRuntime, RuntimeOptions, RuntimeOutcome } from './runtime';
import type { BatchOpener, RuntimeBatch } from './runtime-batch';
import { TensorBufferPool } from './tensor-buffer-pool';

/**
 * An ONNX image classifier described by its manifest (input name, layout, size, normalisation;
 * output name and kind), run with onnxruntime-node in an inference thread. Each image of a batch is
 * preprocessed on its own (as soon as it joins the batch) with imaging's imageToTensor, straight
 * into the batch's reusable float32 buffer, so a bad image fails only its own input; the images
 * that decoded run as ONE inference.
 */
export class OnnxRuntime implements ModelRuntime, BatchOpener {
  readonly kind = 'onnx' as const;
  readonly preferredBatchSize: number;
  private thread: InferenceThread | undefined;
  private readonly perInput: number;
  private readonly dims: [number, number, number];
  private readonly pool: TensorBufferPool;
  private readonly cataractIndex: number;

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
    const thread = new InferenceThread();
    try {
      const info = await thread.load(this.files.bytes, {
        intraOpNumThreads: this.opts.intraOpThreads ?? 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // With more than one thread, idle pool threads would spin for work and take CPU from
        // sharp's decoding of the next batch (measured: far worse on the shared 2-core machine).
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      this.checkSignature(info);
      // Fail now, not on the first request: a batch of one must give one probability row.
      const probe = await this.infer(thread, new Float32Array(this.perInput), 1);
      this.probabilities(probe.data, 0);
      this.thread = thread;
    } catch (err) {
      await thread.close();
      throw err;
    }
  }

  async predict(inputs: readonly Buffer[]): Promise<RuntimeOutcome[]> {
    const batch = this.openBatch(inputs.length);
    for (const input of inputs) batch.add(input);
    return batch.run();
  }

  /**
   * A batch backed by one pooled float32 buffer: add() starts decoding the input into its own slot
   * at once; run() waits for the decodes, compacts the ones that succeeded and infers them together.
   */
  openBatch(capacity: number): RuntimeBatch {
    const thread = this.thread;
    if (!thread) throw new RuntimeNotLoadedError();
    const spec = this.files.manifest.input;
    let buf: Float32Array | undefined = this.pool.acquire(capacity);
    const decodes: Array<Promise<Error | undefined>> = [];
    const decodeMs: number[] = []; // per input, for the job's published timings
    const stats: Array<InputStatsRecord | undefined> = []; // per input, read from its slot before any compaction moves it
    let ran = false;
    return {
      get size() {
        return decodes.length;
      },
      add: (input) => {
        if (ran || decodes.length >= capacity) throw new RangeError(`batch of ${capacity} is full or already run`);
        const index = decodes.length;
        const slot = index * this.perInput;
        const t0 = performance.now();
        const limits = { maxPixels: this.opts.maxPixels };
        decodes.push(
          imageToTensor(input, spec, buf, slot, limits).then(
            (tensor) => {
              stats[index] = measured(() => inputStatsOfTensor(tensor, slot, spec, sourceSizeOf(input, limits)));
              decodeMs[index] = performance.now() - t0;
              return undefined;
            },
            (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
          ),
        );
      },
      run: async () => {
        if (ran) throw new RangeError('batch already run');
        ran = true;
        try {
          const decoded = await Promise.all(decodes);
          const out = new Array<RuntimeOutcome>(decoded.length);
          const rows: number[] = [];
          decoded.forEach((err, i) => {
            if (err) {
              out[i] = { ok: false, error: err };
              return;
            }
            // Compact: move slot i down to the next free row (a no-op while nothing failed).
            if (rows.length !== i) buf!.copyWithin(rows.length * this.perInput, i * this.perInput, (i + 1) * this.perInput);
            rows.push(i);
          });
          if (rows.length === 0) return out;
          const sent = buf!;
          buf = undefined; // transferred to the inference thread until it answers
          const inferStart = performance.now();
          const result = await this.infer(thread, sent, rows.length).catch((err: unknown) => {
            if (err instanceof InferenceThreadError && err.buffer) buf = new Float32Array(err.buffer);
            throw err;
          });
          buf = result.input;
          const inferenceMs = performance.now() - inferStart;
          rows.forEach((i, row) => {
            const timings = { preprocessMs: decodeMs[i] ?? 0, inferenceMs, batchSize: rows.length };
            out[i] = { ok: true, probabilities: this.probabilities(result.data, row), timings, inputStats: stats[i] };
          });
          return out;
        } finally {
          // A buffer lost with a dead thread is simply not returned; the pool allocates a new one.
          if (buf) this.pool.release(buf);
          buf = undefined;
        }
      },
    };
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.close();
  }

  /** One inference over the first `n` inputs of `data`; returns the output rows and the input buffer. */
  private async infer(thread: InferenceThread, data: Float32Array, n: number): Promise<{ data: Float32Array; input: Float32Array }> {
    const { input, output, labels } = this.files.manifest;
    const r = await thread.run(input.name, output.name, data.buffer as ArrayBuffer, n * this.perInput, [n, ...this.dims]);
    const back = new Float32Array(r.buffer);
    if (r.type !== 'float32' || r.dims.length !== 2 || r.dims[0] !== n || r.dims[1] !== labels.length) {
      this.pool.release(back);
      throw new IncompatibleModelError(`output "${output.name}" is ${r.type} [${r.dims}], expected float32 [${n}, ${labels.length}]`);
    }
    return { data: r.data, input: back };
  }

  /** P(cataract) of one output row; logits go through a (max-shifted) softmax first. */
  private probabilities(data: Float32Array, row: number): Probabilities {
    const kind = this.files.manifest.output.kind;
    const width = this.files.manifest.labels.length;
    const r = Array.from(data.subarray(row * width, (row + 1) * width));
    let p: number;
    if (kind === 'logits') {
      const max = Math.max(...r);
      const exps = r.map((v) => Math.exp(v - max));
      p = exps[this.cataractIndex] / exps.reduce((a, b) => a + b, 0);
    } else {
      p = r[this.cataractIndex];
    }
    if (!Number.isFinite(p) || p < -1e-6 || p > 1 + 1e-6) {
      throw new IncompatibleModelError(`model output row [${r}] does not give a probability (kind ${kind})`);
    }
    // float32 rounding may overshoot [0, 1] by an ulp
    const cataract = Math.min(1, Math.max(0, p));
    return { cataract, normal: 1 - cataract };
  }

  /** The graph must take the manifest's input (batch x spatial dims as declared) and produce its output. */
  private checkSignature(info: SessionInfo): void {
    const { input, output } = this.files.manifest;
    if (!info.inputNames.includes(input.name)) {
      throw new IncompatibleModelError(`model has no input "${input.name}" (inputs: ${info.inputNames.join(', ')})`);
    }
    if (!info.outputNames.includes(output.name)) {
      throw new IncompatibleModelError(`model has no output "${output.name}" (outputs: ${info.outputNames.join(', ')})`);
    }
    const meta = info.inputMetadata.find((m) => m.name === input.name);
    if (meta?.isTensor && meta.shape.length > 0) {
      const ok = meta.shape.length === 4 && meta.shape.slice(1).every((d, k) => typeof d !== 'number' || d === this.dims[k]);
      if (!ok) {
        throw new IncompatibleModelError(`input "${input.name}" has shape [${meta.shape}], manifest says ${input.layout} [N, ${this.dims}]`);
      }
    }
  }
}
