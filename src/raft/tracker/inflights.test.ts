// Inflights, the window of MsgApps a leader has sent to one follower in StateReplicate and not yet
// seen acknowledged; replication to that follower pauses while the window is full, by message count
// (MaxInflightMsgs) or by payload bytes (MaxInflightBytes).
//
// Method: table tests of add / freeLE / full with the cases of etcd-io/raft's
// tracker/inflights_test.go (counts, bytes, exact and overflowing byte limits), and a property test
// against a naive array model over Prng-random operation sequences.
import { describe, expect, it } from 'vitest';
import { Prng } from '../../lib/prng';
import { AssertionError } from '../../lib/assert';
import { Inflights } from './inflights';

describe('Inflights', () => {
  it('counts messages and bytes as they are added', () => {
    const in1 = new Inflights(10, 0);
    for (let i = 0; i < 5; i++) in1.add(i, 100 + i);
    expect(in1.count()).toBe(5);
    expect(in1.bytes()).toBe(510);
    expect(in1.full()).toBe(false);
    for (let i = 5; i < 10; i++) in1.add(i, 100 + i);
    expect(in1.count()).toBe(10);
    expect(in1.bytes()).toBe(1045);
    expect(in1.full()).toBe(true);
  });

  it.each<[number, number, number]>([
    // [freeLE(to), count left, bytes left] after adding indexes 0..9 of 100 + i bytes
    [0, 9, 945],
    [4, 5, 535],
    [8, 1, 109],
    [9, 0, 0],
    [100, 0, 0],
  ])('freeLE(%i) frees every message up to that index, leaving %i messages of %i bytes', (to, count, bytes) => {
    const in1 = new Inflights(10, 0);
    for (let i = 0; i < 10; i++) in1.add(i, 100 + i);
    in1.freeLE(to);
    expect(in1.count()).toBe(count);
    expect(in1.bytes()).toBe(bytes);
  });

  it('frees in steps across a window that has wrapped around, and ignores indexes left of it', () => {
    const in1 = new Inflights(10, 0);
    for (let i = 0; i < 10; i++) in1.add(i, 100 + i);
    in1.freeLE(8);
    for (let i = 10; i < 15; i++) in1.add(i, 100 + i);
    in1.freeLE(12);
    expect(in1.count()).toBe(2);
    expect(in1.bytes()).toBe(227);
    in1.freeLE(5); // already freed: nothing happens
    expect(in1.count()).toBe(2);
    in1.freeLE(14);
    expect(in1.count()).toBe(0);
    expect(in1.bytes()).toBe(0);
  });

  it.each<[string, number, number, number, number, number]>([
    // [case, size, maxBytes, full at, freeLE, full again at]; message i carries 100 + i bytes
    ['single entry', 1, 0, 1, 1, 2],
    ['single entry, byte limit overflowed', 1, 10, 1, 1, 2],
    ['many entries', 15, 0, 15, 6, 22],
    ['slight byte overflow', 8, 400, 4, 2, 7],
    ['exactly the byte limit', 8, 406, 4, 3, 8],
    ['larger byte overflow', 15, 408, 5, 1, 6],
  ])('is full by count or by bytes: %s', (_, size, maxBytes, fullAt, freeLE, againAt) => {
    const in1 = new Inflights(size, maxBytes);
    const addUntilFull = (begin: number, end: number): void => {
      for (let i = begin; i < end; i++) {
        expect(in1.full(), `full at ${i}, want ${end}`).toBe(false);
        in1.add(i, 100 + i);
      }
      expect(in1.full(), `not full at ${end}`).toBe(true);
    };
    addUntilFull(0, fullAt);
    in1.freeLE(freeLE);
    addUntilFull(fullAt, againAt);
    expect(() => in1.add(100, 1024)).toThrow(AssertionError);
  });

  it('does not leak bytes across resets', () => {
    const in1 = new Inflights(10, 1000);
    let index = 0;
    for (let epoch = 0; epoch < 100; epoch++) {
      in1.reset();
      for (let i = 0; i < 5; i++) {
        expect(in1.full()).toBe(false);
        in1.add(++index, 16);
      }
      in1.freeLE(index - 2);
      expect(in1.full()).toBe(false);
      expect(in1.count()).toBe(2);
      expect(in1.bytes()).toBe(32);
    }
    in1.freeLE(index);
    expect(in1.count()).toBe(0);
  });

  it('clone copies the window; the copy and the original then evolve separately', () => {
    const in1 = new Inflights(4, 0);
    in1.add(1, 10);
    in1.add(2, 20);
    in1.freeLE(1);
    const c = in1.clone();
    c.add(3, 30);
    expect(in1.count()).toBe(1);
    expect(in1.bytes()).toBe(20);
    expect(c.count()).toBe(2);
    expect(c.bytes()).toBe(50);
  });

  it('rejects a window of size 0', () => {
    expect(() => new Inflights(0, 0)).toThrow(AssertionError);
  });

  it('agrees with a naive array model over Prng-random add / freeLE / reset sequences', () => {
    const prng = new Prng(99);
    for (let run = 0; run < 300; run++) {
      const size = 1 + prng.int(8);
      const maxBytes = prng.chance(1, 2) ? 0 : 1 + prng.int(200);
      const in1 = new Inflights(size, maxBytes);
      let model: { index: number; bytes: number }[] = [];
      let next = 1;
      for (let op = 0; op < 200; op++) {
        const modelBytes = model.reduce((s, x) => s + x.bytes, 0);
        const modelFull = model.length === size || (maxBytes !== 0 && modelBytes >= maxBytes);
        expect(in1.full()).toBe(modelFull);
        expect(in1.count()).toBe(model.length);
        expect(in1.bytes()).toBe(modelBytes);
        const roll = prng.int(10);
        if (roll < 6 && !modelFull) {
          next += 1 + prng.int(3);
          const bytes = prng.int(60);
          in1.add(next, bytes);
          model.push({ index: next, bytes });
        } else if (roll < 9) {
          const to = next - prng.int(8);
          in1.freeLE(to);
          model = model.filter((x) => x.index > to);
        } else {
          in1.reset();
          model = [];
        }
      }
    }
  });
});
