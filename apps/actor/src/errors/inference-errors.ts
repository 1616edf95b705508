/** The ONNX inference thread failed a request, or is gone (crashed, exited, closed). */
export class InferenceThreadError extends Error {
  constructor(
    message: string,
    /** The input buffer, when the thread handed it back with the failure. */
    readonly buffer?: ArrayBuffer,
  ) {
    super(message);
    this.name = 'InferenceThreadError';
  }
}
