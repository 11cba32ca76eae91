import { createHash } from 'node:crypto';

/** A 32-bit seed from any number of strings: the same inputs always give the same seed. */
export function seedOf(...parts: string[]): number {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  return digest.readUInt32LE(0) || 0x9e3779b9; // xorshift never leaves zero
}

/**
 * A small deterministic generator (Marsaglia's xorshift32). Math.random cannot be seeded, and
 * the local provider must give identical bytes for identical requests.
 */
export class RandomSource {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/**
 * White noise addressed by sample index rather than drawn in sequence, so any stretch of it can
 * be rendered on its own and comes out the same. The drums index it from the start of the note,
 * so every hit is the same sample. Returns -1..1.
 */
export function noiseAt(index: number, seed: number): number {
  let h = Math.imul(index ^ seed, 0x2c1b3c6d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 12;
  return (h >>> 0) / 0x8000_0000 - 1;
}
