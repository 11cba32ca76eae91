/**
 * The ids seen most recently, at most `capacity` of them (least recently seen forgotten first).
 * Enough to drop the duplicates at-least-once delivery produces, which arrive close together.
 */
export class RecentIds {
  // A Map iterates in insertion order; re-inserting an id on a hit makes the first key the stalest.
  private readonly ids = new Map<string, true>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  /** Remembers `id`; true when it was new, false when it was already seen. */
  add(id: string): boolean {
    const seen = this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) {
      const stalest = this.ids.keys().next().value;
      if (stalest !== undefined) this.ids.delete(stalest);
    }
    return !seen;
  }

  get size(): number {
    return this.ids.size;
  }
}
