import { Worker } from 'node:worker_threads';
import { InferenceThreadError } from '../errors';

/**
 * onnxruntime-node's session.run() is synchronous on the calling thread (its async API only defers
 * it with setImmediate), so on the main thread an inference blocks the event loop: a 16-image
 * batch stalls job intake, reply publishing and heartbeats for its whole duration. The session
 * therefore lives in a worker thread. Inputs travel as transferred ArrayBuffers (no copy) and come
 * back with the output, so the caller can reuse them.
 *
 * The worker's code is inline (eval) so the same runtime works from dist/ and under ts-jest.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session;
const describe = (m) => (m.isTensor ? { name: m.name, isTensor: true, shape: [...m.shape] } : { name: m.name, isTensor: false });
parentPort.on('message', async (msg) => {
  const transfer = msg.buffer ? [msg.buffer] : [];
  try {
    if (msg.kind === 'load') {
      session = await ort.InferenceSession.create(new Uint8Array(msg.model), msg.options);
      parentPort.postMessage({ id: msg.id, ok: true, inputNames: [...session.inputNames], outputNames: [...session.outputNames], inputMetadata: session.inputMetadata.map(describe) });
    } else if (msg.kind === 'run') {
      const feed = new ort.Tensor('float32', new Float32Array(msg.buffer, 0, msg.length), msg.dims);
      const out = (await session.run({ [msg.input]: feed }, [msg.output]))[msg.output];
      const data = Float32Array.from(out.data);
      parentPort.postMessage({ id: msg.id, ok: true, buffer: msg.buffer, type: out.type, dims: [...out.dims], data }, [...transfer, data.buffer]);
    } else if (msg.kind === 'release') {
      if (session) await session.release();
      session = undefined;
      parentPort.postMessage({ id: msg.id, ok: true });
    }
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, message: err && err.message ? err.message : String(err), buffer: msg.buffer }, transfer);
  }
});
`;

export interface SessionInfo {
  inputNames: string[];
  outputNames: string[];
  inputMetadata: Array<{ name: string; isTensor: true; shape: Array<number | string> } | { name: string; isTensor: false }>;
}

export interface RunResult {
  /** The input buffer, handed back for reuse. */
  buffer: ArrayBuffer;
  type: string;
  dims: number[];
  data: Float32Array;
}

interface Pending {
  resolve(msg: Record<string, unknown>): void;
  reject(err: Error): void;
}

/** One ONNX session in its own thread; requests are answered in order. */
export class InferenceThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor() {
    // onnxruntime 1.30's Linux telemetry would try HTTPS uploads and leave .ses and
    // mat-debug-<pid>.log files in the tmpdir of every actor process; it reads this variable from
    // the real environment, which only the main thread can set, before the library loads.
    process.env.ORT_DISABLE_TELEMETRY ??= '1';
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath: require.resolve('onnxruntime-node') } });
    this.worker.on('message', (msg: { id: number; ok: boolean; message?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg as unknown as Record<string, unknown>);
      else p.reject(new InferenceThreadError(msg.message ?? 'inference failed', (msg as { buffer?: ArrayBuffer }).buffer));
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on('error', (err) => fail(new InferenceThreadError(`inference thread crashed: ${err.message}`)));
    this.worker.on('exit', (code) => fail(new InferenceThreadError(`inference thread exited (code ${code})`)));
  }

  async load(model: Buffer, options: Record<string, unknown>): Promise<SessionInfo> {
    // A copy: the model file's bytes stay with the caller.
    const copy = new Uint8Array(model).buffer;
    return (await this.request({ kind: 'load', model: copy, options }, [copy])) as unknown as SessionInfo;
  }

  /** Runs `length` floats of `buffer` (transferred: unusable here until the result hands it back). */
  async run(input: string, output: string, buffer: ArrayBuffer, length: number, dims: number[]): Promise<RunResult> {
    return (await this.request({ kind: 'run', input, output, buffer, length, dims }, [buffer])) as unknown as RunResult;
  }

  /** Releases the session and ends the thread. */
  async close(): Promise<void> {
    if (!this.failure) await this.request({ kind: 'release' }, []).catch(() => undefined);
    this.failure ??= new InferenceThreadError('inference thread closed');
    await this.worker.terminate();
  }

  private request(msg: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<Record<string, unknown>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }
}
