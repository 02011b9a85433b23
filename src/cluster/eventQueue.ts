// The coordinator's queue of pending events, ordered by (time, sequence): events at the same
// virtual instant run in the order they were scheduled, so a run is fully determined by its
// inputs. A binary heap; events are plain data (no closures), so the queue can be checkpointed.

import { assert } from '../lib/assert';

export interface Scheduled<E> {
  time: number;
  seq: number;
  event: E;
  /** Where it sits in the heap (kept current, so an event can be taken out). */
  at: number;
}

export class EventQueue<E> {
  private heap: Scheduled<E>[] = [];
  private nextSeq = 0;
  /** Events that may be cancelled, by sequence number. */
  private readonly cancellable = new Map<number, Scheduled<E>>();

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `event` at `time`; returns its sequence number. */
  push(time: number, event: E, opts: { cancellable?: boolean } = {}): number {
    assert(Number.isFinite(time), `bad event time ${time}`);
    const item: Scheduled<E> = { time, seq: this.nextSeq++, event, at: this.heap.length };
    this.heap.push(item);
    this.up(this.heap.length - 1);
    if (opts.cancellable === true) this.cancellable.set(item.seq, item);
    return item.seq;
  }

  /** Takes out a cancellable event that has not run yet (a timer nobody needs any more). */
  cancel(seq: number): boolean {
    const item = this.cancellable.get(seq);
    if (item === undefined) return false;
    this.cancellable.delete(seq);
    const i = item.at;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.at = i;
      this.up(i);
      this.down(last.at);
    }
    return true;
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
      last.at = 0;
      this.down(0);
    }
    this.cancellable.delete(top.seq);
    return top;
  }

  /** Removes every event matching `pred` (e.g. the ticks of a killed node). */
  removeWhere(pred: (e: E) => boolean): number {
    const before = this.heap.length;
    this.heap = this.heap.filter((s) => {
      if (!pred(s.event)) return true;
      this.cancellable.delete(s.seq);
      return false;
    });
    this.heap.sort(compare);
    this.heap.forEach((s, i) => (s.at = i));
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
      h[i]!.at = i;
      h[p]!.at = p;
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
      h[i]!.at = i;
      h[m]!.at = m;
      i = m;
    }
  }
}

function compare<E>(a: Scheduled<E>, b: Scheduled<E>): number {
  return a.time - b.time || a.seq - b.seq;
}
