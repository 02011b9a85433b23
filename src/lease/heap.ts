// A binary min-heap, the shape of Go's container/heap that etcd's lease queues are built on.
// Pure and generic; `onMove` lets a caller keep each item's position for O(log n) update/remove.

import { assert } from '../lib/assert';
import { shareOnClone } from '../lib/clone';

/**
 * A min-heap ordered by `less`. Give `less` a total order (etcd's queues break ties by ID here,
 * where Go's heap leaves them to its internal layout) so that runs replay identically.
 */
/** The default move hook: nothing to track. Module-level so that state holds no closures. */
export function noMove(): void {}
shareOnClone(noMove);

export class MinHeap<T> {
  /** Invariant: for every i > 0, !less(items[i], items[(i - 1) >> 1]). */
  private readonly items: T[] = [];

  constructor(
    private readonly less: (a: T, b: T) => boolean,
    private readonly onMove: (item: T, index: number) => void = noMove,
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** The smallest item, left in place. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    const index = this.items.length - 1;
    this.onMove(item, index);
    this.up(index);
  }

  /** Removes and returns the smallest item. */
  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    return this.removeAt(0);
  }

  /** Removes the item at `index` (as last reported through onMove). */
  removeAt(index: number): T {
    assert(index >= 0 && index < this.items.length, () => `heap: remove at ${index} of ${this.items.length}`);
    const last = this.items.length - 1;
    const removed = this.items[index] as T;
    if (index !== last) {
      this.swap(index, last);
      this.items.pop();
      this.fix(index);
    } else {
      this.items.pop();
    }
    return removed;
  }

  /** Restores the order after the item at `index` changed its key (Go's heap.Fix). */
  fix(index: number): void {
    assert(index >= 0 && index < this.items.length, () => `heap: fix at ${index} of ${this.items.length}`);
    if (!this.down(index)) this.up(index);
  }

  clear(): void {
    this.items.length = 0;
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i] as T, this.items[parent] as T)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Sifts down; true when the item moved. */
  private down(index: number): boolean {
    const n = this.items.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.less(this.items[right] as T, this.items[left] as T)) child = right;
      if (!this.less(this.items[child] as T, this.items[i] as T)) break;
      this.swap(i, child);
      i = child;
    }
    return i > index;
  }

  private swap(i: number, j: number): void {
    const a = this.items[i] as T;
    const b = this.items[j] as T;
    this.items[i] = b;
    this.items[j] = a;
    this.onMove(b, i);
    this.onMove(a, j);
  }
}
