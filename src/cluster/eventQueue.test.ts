import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { EventQueue } from './eventQueue';

describe('EventQueue', () => {
  it('pops by (time, sequence) and takes out cancelled events, against a sorted reference', () => {
    const rnd = new Prng(7);
    const q = new EventQueue<number>();
    const ref: Array<{ time: number; seq: number; v: number }> = [];
    const cancellable: number[] = [];
    let popped = 0;
    let cancelled = 0;
    for (let step = 0; step < 20_000; step++) {
      const r = rnd.int(10);
      if (r < 5) {
        const time = rnd.int(500);
        const c = rnd.int(2) === 0;
        const seq = q.push(time, step, { cancellable: c });
        ref.push({ time, seq, v: step });
        if (c) cancellable.push(seq);
      } else if (r < 8) {
        ref.sort((a, b) => a.time - b.time || a.seq - b.seq);
        const want = ref.shift();
        const got = q.pop();
        expect(got?.event).toBe(want?.v);
        if (got !== undefined) popped++;
      } else if (cancellable.length > 0) {
        const seq = cancellable.splice(rnd.int(cancellable.length), 1)[0]!;
        const i = ref.findIndex((x) => x.seq === seq);
        expect(q.cancel(seq)).toBe(i >= 0);
        if (i >= 0) {
          ref.splice(i, 1);
          cancelled++;
        }
      }
      expect(q.size).toBe(ref.length);
    }
    expect(popped).toBeGreaterThan(1000);
    expect(cancelled).toBeGreaterThan(500);
    // An event that already ran cannot be cancelled; one never cancellable neither.
    const s = q.push(0, -1);
    expect(q.cancel(s)).toBe(false);
  });
});
