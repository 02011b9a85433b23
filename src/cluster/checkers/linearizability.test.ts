// The linearizability checker on small hand-made register histories whose verdict is known: it
// must accept linearizable ones (including concurrency and indeterminate writes) and reject the
// classic violations (stale reads, reads of values never written, a write seen then unseen).

import { describe, expect, it } from 'vitest';
import { checkLinearizable, type KvOp } from './linearizability';

let nextId = 0;
function put(value: string, invokedAt: number, returnedAt: number, key = 'x'): KvOp {
  return { id: nextId++, kind: 'put', key, value, invokedAt, returnedAt, indeterminate: false };
}
function get(value: string | undefined, invokedAt: number, returnedAt: number, key = 'x'): KvOp {
  return { id: nextId++, kind: 'get', key, value, invokedAt, returnedAt, indeterminate: false };
}
function lostPut(value: string, invokedAt: number, key = 'x'): KvOp {
  return { id: nextId++, kind: 'put', key, value, invokedAt, returnedAt: Infinity, indeterminate: true };
}

describe('checkLinearizable', () => {
  it('accepts a sequential history where every read returns the latest write', () => {
    const r = checkLinearizable([get(undefined, 0, 1), put('a', 2, 3), get('a', 4, 5), put('b', 6, 7), get('b', 8, 9)]);
    expect(r.ok).toBe(true);
    expect(r.failures).toEqual([]);
  });

  it('rejects a stale read after a write completed (Raft reads served without a ReadIndex)', () => {
    const r = checkLinearizable([put('a', 0, 1), put('b', 2, 3), get('a', 4, 5)]);
    expect(r.ok).toBe(false);
    expect(r.failures[0]!.key).toBe('x');
  });

  it('accepts either value for a read concurrent with a write', () => {
    expect(checkLinearizable([put('a', 0, 1), put('b', 2, 10), get('a', 3, 4)]).ok).toBe(true);
    expect(checkLinearizable([put('a', 0, 1), put('b', 2, 10), get('b', 3, 4)]).ok).toBe(true);
  });

  it('rejects a value seen and then unseen by later reads', () => {
    const r = checkLinearizable([put('a', 0, 1), put('b', 2, 10), get('b', 3, 4), get('a', 5, 6)]);
    expect(r.ok).toBe(false);
  });

  it('rejects a read of a value nobody wrote', () => {
    expect(checkLinearizable([put('a', 0, 1), get('z', 2, 3)]).ok).toBe(false);
  });

  it('lets a timed-out write take effect later, or never', () => {
    expect(checkLinearizable([put('a', 0, 1), lostPut('b', 2), get('b', 50, 51)]).ok).toBe(true);
    expect(checkLinearizable([put('a', 0, 1), lostPut('b', 2), get('a', 50, 51)]).ok).toBe(true);
    // But not before it was invoked.
    expect(checkLinearizable([put('a', 0, 1), get('b', 2, 3), lostPut('b', 4)]).ok).toBe(false);
  });

  it('checks keys independently', () => {
    const r = checkLinearizable([put('a', 0, 1, 'x'), put('a', 0, 1, 'y'), get('a', 2, 3, 'x'), get(undefined, 2, 3, 'y')]);
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => f.key)).toEqual(['y']);
    expect(r.keysChecked).toBe(2);
  });

  it('handles a wide concurrent history without exploding (memoization)', () => {
    const ops: KvOp[] = [];
    for (let i = 0; i < 12; i++) ops.push(put(`v${i}`, 0, 100));
    ops.push(get('v7', 101, 102));
    const r = checkLinearizable(ops, { maxSteps: 100_000 });
    expect(r.ok).toBe(true);
    expect(r.unknown).toEqual([]);
  });
});
