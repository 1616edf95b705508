/**
 * Reusable float32 batch buffers: one per batch in flight, allocated once at the largest batch
 * seen and reused, so serving a batch allocates no tensor memory. A buffer is lent to one batch
 * from decode until its inference returns (onnxruntime reads the input in place).
 */
export class TensorBufferPool {
  private readonly free: Float32Array[] = [];

  /** @param perInput float32 elements one input occupies; @param batch inputs the first buffers hold */
  constructor(
    private readonly perInput: number,
    private readonly batch: number,
  ) {}

  /** A buffer with room for `inputs` inputs (a larger one when the pool's are too small). */
  acquire(inputs: number): Float32Array {
    const need = inputs * this.perInput;
    const i = this.free.findIndex((b) => b.length >= need);
    if (i >= 0) return this.free.splice(i, 1)[0];
    return new Float32Array(Math.max(inputs, this.batch) * this.perInput);
  }

  release(buf: Float32Array): void {
    this.free.push(buf);
  }

  /** Buffers currently idle (for tests). */
  get idle(): number {
    return this.free.length;
  }
}
