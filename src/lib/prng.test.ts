// The seeded PRNG: same seed, same stream; ranges respected; roughly uniform.
import { describe, expect, it } from 'vitest';
import { Prng } from './prng';

describe('Prng', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    const sb = Array.from({ length: 20 }, () => b.nextUint32());
    const sc = Array.from({ length: 20 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('keeps int(max) within [0, max) and covers every value', () => {
    const p = new Prng(7);
    const seen = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const v = p.int(10);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(10);
      seen[v]!++;
    }
    for (const count of seen) expect(count).toBeGreaterThan(800);
  });

  it('restores a saved state', () => {
    const p = new Prng('seed');
    p.nextUint32();
    const saved = p.save();
    const first = [p.nextUint32(), p.nextUint32()];
    p.restore(saved);
    expect([p.nextUint32(), p.nextUint32()]).toEqual(first);
  });

  it('chance respects the edges', () => {
    const p = new Prng(1);
    for (let i = 0; i < 100; i++) {
      expect(p.chance(0, 5)).toBe(false);
      expect(p.chance(5, 5)).toBe(true);
    }
  });
});
