// The coordinator's queue of pending events, ordered by (time, sequence): events at the same
// virtual instant run in the order they were scheduled, so a run is fully determined by its
// inputs. A binary heap; events are plain data (no closures), so the queue can be checkpointed.

import { assert } from '../lib/assert';

export interface Scheduled<E> {
  time: number;
  seq: number;
  event: E;
}

export class EventQueue<E> {
  private heap: Scheduled<E>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `event` at `time`; returns its sequence number. */
  push(time: number, event: E): number {
    assert(Number.isFinite(time), `bad event time ${time}`);
    const item: Scheduled<E> = { time, seq: this.nextSeq++, event };
    this.heap.push(item);
    this.up(this.heap.length - 1);
    return item.seq;
  }

  peek(): Scheduled<E> | undefined {
    return this.heap[0];
  }

  pop(): Scheduled<E> | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  /** Removes every event matching `pred` (e.g. the ticks of a killed node). */
  removeWhere(pred: (e: E) => boolean): number {
    const before = this.heap.length;
    this.heap = this.heap.filter((s) => !pred(s.event));
    this.heap.sort(compare);
    return before - this.heap.length;
  }

  /** Every pending event, in order (for views). */
  toArray(): Scheduled<E>[] {
    return [...this.heap].sort(compare);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compare(h[i]!, h[p]!) >= 0) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && compare(h[l]!, h[m]!) < 0) m = l;
      if (r < h.length && compare(h[r]!, h[m]!) < 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function compare<E>(a: Scheduled<E>, b: Scheduled<E>): number {
  return a.time - b.time || a.seq - b.seq;
}
