/**
 * Default bound of the process-wide pool: 16 MiB, about 38 five-second stereo WAVs at 22050 Hz,
 * more than twice what a worker running 16 jobs at once (its default) has out.
 */
export const DEFAULT_AUDIO_POOL_BYTES = 16 * 2 ** 20;

/**
 * Audio file buffers handed back after use, kept for the next render of the same size.
 *
 * Why: a worker renders a file of hundreds of kilobytes per job. V8 counts every new Buffer's
 * memory towards starting a full (mark-compact) collection of the whole heap, so a fresh buffer
 * per job at 100 jobs/s started one about every second, and marking the worker's heap cost more
 * CPU per job than writing the file. A reused buffer is not new memory and starts nothing.
 *
 * A taken buffer holds stale bytes (an earlier job's audio): its taker must write every byte
 * before handing it out (WavWriter does: the header, then every frame). A buffer never given
 * back is simply collected.
 */
export class AudioBufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private bytes = 0;

  /** `maxBytes` 0 keeps nothing: every take allocates. */
  constructor(readonly maxBytes: number = DEFAULT_AUDIO_POOL_BYTES) {}

  /** A buffer of exactly `size` bytes, reused when one was given back, with unspecified contents. */
  take(size: number): Buffer {
    const reusable = this.free.get(size)?.pop();
    if (!reusable) return Buffer.allocUnsafeSlow(size);
    this.bytes -= size;
    return reusable;
  }

  /** Hands `buffer` back; nothing may read or write it afterwards. Dropped when the pool is full. */
  give(buffer: Buffer): void {
    if (this.bytes + buffer.length > this.maxBytes) return;
    const sized = this.free.get(buffer.length) ?? [];
    if (sized.includes(buffer)) return; // given back twice: keep one entry, or two renders would share it
    sized.push(buffer);
    this.free.set(buffer.length, sized);
    this.bytes += buffer.length;
  }

  /** Bytes held for reuse. */
  get heldBytes(): number {
    return this.bytes;
  }
}

/** The one pool of this process, shared by every local provider in it. */
export const audioBufferPool = new AudioBufferPool();
