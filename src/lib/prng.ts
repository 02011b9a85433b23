// A small seeded pseudo-random number generator (xoshiro128**), with an integer-only API so that
// runs are reproducible bit for bit on every JavaScript engine. Everything random in the playground
// (randomized election timeouts, link jitter, loss, fault schedules) draws from a Prng derived from
// the cluster seed; nothing reads Math.random.

import { assert } from './assert';

/** A deterministic random source. Two Prngs built from the same seed yield the same sequence. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds the generator; any 32-bit integer (or string, hashed) gives a distinct stream. */
  constructor(seed: number | string) {
    let x = typeof seed === 'string' ? hashString(seed) : seed >>> 0;
    // SplitMix32 spreads a single 32-bit seed over the 128-bit state (all-zero state is invalid).
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in [0, max). `max` must be a positive integer no larger than 2^32. */
  int(max: number): number {
    assert(Number.isInteger(max) && max > 0 && max <= 0x100000000, `Prng.int: bad max ${max}`);
    // Rejection sampling removes the modulo bias.
    const limit = 0x100000000 - (0x100000000 % max);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % max;
    }
  }

  /** A uniform integer in [min, max]. */
  rangeInclusive(min: number, max: number): number {
    assert(max >= min, `Prng.rangeInclusive: ${min} > ${max}`);
    return min + this.int(max - min + 1);
  }

  /** True with probability numerator/denominator (integers; no floating point in the decision). */
  chance(numerator: number, denominator: number): boolean {
    assert(denominator > 0 && numerator >= 0, 'Prng.chance: bad ratio');
    if (numerator >= denominator) return true;
    if (numerator === 0) return false;
    return this.int(denominator) < numerator;
  }

  /** True with probability p in [0, 1], resolved at a granularity of one in a million. */
  chanceOf(p: number): boolean {
    return this.chance(Math.round(p * 1_000_000), 1_000_000);
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    assert(list.length > 0, 'Prng.pick: empty list');
    return list[this.int(list.length)] as T;
  }

  /** A new, independent generator derived from this one's stream and a label. */
  fork(label: string | number): Prng {
    return new Prng((this.nextUint32() ^ hashString(String(label))) >>> 0);
  }

  /** The generator's state, to checkpoint and restore a run. */
  save(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Restores a state returned by `save`. */
  restore(state: readonly [number, number, number, number]): void {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** FNV-1a over UTF-16 code units: a stable 32-bit hash for labels and string seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Derives the seed of a sub-stream (one node, one link) from a cluster seed and a label. */
export function deriveSeed(seed: number, label: string): number {
  return (Math.imul(seed >>> 0 ^ 0x9e3779b9, 0x85ebca6b) ^ hashString(label)) >>> 0;
}
