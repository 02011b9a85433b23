// An append-only list kept in chunks: full chunks are frozen, so a checkpoint's copy (lib/clone)
// shares them instead of copying every item again. Used for what only grows in a long run (the
// client operation history), so checkpoints cost what changed, not the whole run.

/** Items per chunk. */
const CHUNK = 1024;

export class AppendLog<T> {
  private chunks: T[][] = [];
  private tail: T[] = [];

  get length(): number {
    return this.chunks.length * CHUNK + this.tail.length;
  }

  push(item: T): void {
    this.tail.push(item);
    if (this.tail.length === CHUNK) {
      // Frozen with everything under it: items must not change once logged.
      this.chunks.push(Object.freeze(this.tail) as T[]);
      this.tail = [];
    }
  }

  /** Every item, oldest first (a new array). */
  toArray(): T[] {
    const out: T[] = [];
    for (const c of this.chunks) for (const x of c) out.push(x);
    for (const x of this.tail) out.push(x);
    return out;
  }
}
