/**
 * Runs an ONNX image model on encoded photos in batches: each photo goes through imaging's
 * imageToTensor (the same preprocessing the serving actor uses) straight into the batch tensor.
 */
import * as ort from 'onnxruntime-node';
import { imageToTensor, type TensorSpec } from '@cataract/imaging';
import { mapLimit } from '../common';

export interface RunnerOptions {
  spec: TensorSpec & { name: string };
  outputName: string;
  /** onnxruntime intra-op threads (the machine has 2 cores). */
  threads?: number;
  batchSize?: number;
  /** Photos decoded in parallel while filling a batch. */
  decodeConcurrency?: number;
}

export class OnnxImageRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly opts: Required<RunnerOptions>,
  ) {}

  static async create(model: string | Uint8Array, opts: RunnerOptions): Promise<OnnxImageRunner> {
    const full: Required<RunnerOptions> = { threads: 2, batchSize: 16, decodeConcurrency: 2, ...opts };
    const sessionOpts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: full.threads, interOpNumThreads: 1 };
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOpts) : await ort.InferenceSession.create(model, sessionOpts);
    if (!session.inputNames.includes(full.spec.name)) throw new Error(`model has no input "${full.spec.name}" (inputs: ${session.inputNames})`);
    if (!session.outputNames.includes(full.outputName)) throw new Error(`model has no output "${full.outputName}" (outputs: ${session.outputNames})`);
    return new OnnxImageRunner(session, full);
  }

  /** One output row per photo, in input order. `onBatch` reports progress. */
  async run(photos: readonly Buffer[], onBatch?: (done: number, total: number) => void): Promise<Float32Array[]> {
    const { spec, batchSize, decodeConcurrency, outputName } = this.opts;
    const per = spec.width * spec.height * spec.channels;
    const dims = spec.layout === 'NHWC' ? [spec.height, spec.width, spec.channels] : [spec.channels, spec.height, spec.width];
    const rows: Float32Array[] = [];
    for (let start = 0; start < photos.length; start += batchSize) {
      const batch = photos.slice(start, start + batchSize);
      const data = new Float32Array(batch.length * per);
      await mapLimit(batch, decodeConcurrency, (buf, i) => imageToTensor(buf, spec, data, i * per));
      const out = await this.session.run({ [spec.name]: new ort.Tensor('float32', data, [batch.length, ...dims]) });
      const t = out[outputName];
      const width = t.dims[1];
      if (t.dims.length !== 2 || t.dims[0] !== batch.length) throw new Error(`unexpected output shape [${t.dims}]`);
      const values = t.data as Float32Array;
      for (let i = 0; i < batch.length; i++) rows.push(values.slice(i * width, (i + 1) * width));
      onBatch?.(start + batch.length, photos.length);
    }
    return rows;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
