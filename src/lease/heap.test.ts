// The lease queues against naive references. Goal: the expiry queue (one entry per lease,
// updatable) and the checkpoint schedule (duplicates allowed) always yield entries in
// (time, id) order. Method: random operations drawn from the seeded Prng, checked step by step
// against a sorted array.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { CheckpointSchedule } from './checkpointSchedule';
import { ExpiryQueue } from './expiryQueue';
import { MinHeap } from './heap';

function byTimeThenId(a: { id: number; timeMs: number }, b: { id: number; timeMs: number }): number {
  return a.timeMs - b.timeMs || a.id - b.id;
}

describe('MinHeap', () => {
  it('pops numbers in ascending order whatever the push order', () => {
    const prng = new Prng(1);
    const heap = new MinHeap<number>((a, b) => a < b);
    const values = Array.from({ length: 200 }, () => prng.int(50));
    for (const v of values) heap.push(v);
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop() as number);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});

describe('ExpiryQueue', () => {
  it('agrees with a sorted reference under random set, delete and pop', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const prng = new Prng(seed);
      const queue = new ExpiryQueue();
      const reference = new Map<number, number>();
      for (let step = 0; step < 2000; step++) {
        const op = prng.int(10);
        const id = 1 + prng.int(40);
        if (op < 6) {
          const time = prng.int(1000);
          queue.set(id, time);
          reference.set(id, time);
        } else if (op < 8) {
          queue.delete(id);
          reference.delete(id);
        } else {
          const expected = [...reference].map(([i, t]) => ({ id: i, timeMs: t })).sort(byTimeThenId)[0];
          expect(queue.peek()).toEqual(expected);
          if (expected) {
            queue.delete(expected.id);
            reference.delete(expected.id);
          }
        }
        expect(queue.size).toBe(reference.size);
      }
      for (const [id, time] of reference) expect(queue.timeOf(id)).toBe(time);
    }
  });

  it('keeps one entry per lease, so updating a lease moves it instead of adding one', () => {
    const queue = new ExpiryQueue();
    queue.set(7, 100);
    queue.set(8, 50);
    queue.set(7, 10);
    expect(queue.size).toBe(2);
    expect(queue.peek()).toEqual({ id: 7, timeMs: 10 });
    queue.set(7, 200);
    expect(queue.peek()).toEqual({ id: 8, timeMs: 50 });
  });

  it('orders equal times by lease ID', () => {
    const queue = new ExpiryQueue();
    for (const id of [30, 10, 20]) queue.set(id, 5);
    const out: number[] = [];
    for (let next = queue.peek(); next; next = queue.peek()) {
      out.push(next.id);
      queue.delete(next.id);
    }
    expect(out).toEqual([10, 20, 30]);
  });
});

describe('CheckpointSchedule', () => {
  it('keeps duplicate entries and hands out only those due', () => {
    const schedule = new CheckpointSchedule();
    schedule.push(2, 300);
    schedule.push(1, 300);
    schedule.push(1, 100);
    schedule.push(1, 300);
    expect(schedule.size).toBe(4);
    expect(schedule.popDue(99)).toBeUndefined();
    expect(schedule.popDue(100)).toEqual({ id: 1, timeMs: 100 });
    expect(schedule.popDue(299)).toBeUndefined();
    expect([schedule.popDue(300), schedule.popDue(300), schedule.popDue(300)]).toEqual([
      { id: 1, timeMs: 300 },
      { id: 1, timeMs: 300 },
      { id: 2, timeMs: 300 },
    ]);
    expect(schedule.size).toBe(0);
  });
});
