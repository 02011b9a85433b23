// Revisions: ordering and the bolt key bytes. Method: round trips and a seeded check that byte
// order equals revision order, which the key bucket, IndexedDB and the hash all rely on.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { bytesToRev, compareRevision, isTombstoneKey, revisionGreaterThan, revToBytes } from './revision';

describe('revision', () => {
  it('orders by main revision, then by sub revision', () => {
    expect(revisionGreaterThan({ main: 2, sub: 0 }, { main: 1, sub: 9 })).toBe(true);
    expect(revisionGreaterThan({ main: 2, sub: 1 }, { main: 2, sub: 0 })).toBe(true);
    expect(revisionGreaterThan({ main: 2, sub: 0 }, { main: 2, sub: 0 })).toBe(false);
    expect(compareRevision({ main: 1, sub: 5 }, { main: 2, sub: 0 })).toBeLessThan(0);
  });

  it('encodes 17 bytes, or 18 with the tombstone mark, and decodes them back', () => {
    const rev = { main: 0x1_0000_0002, sub: 3 };
    const bytes = revToBytes(rev);
    expect(bytes.length).toBe(17);
    expect(bytes.charCodeAt(3)).toBe(1);
    expect(bytes.charCodeAt(7)).toBe(2);
    expect(bytes[8]).toBe('_');
    expect(bytesToRev(bytes)).toEqual(rev);
    const marked = revToBytes(rev, true);
    expect(marked).toBe(bytes + 't');
    expect(isTombstoneKey(marked)).toBe(true);
    expect(isTombstoneKey(bytes)).toBe(false);
    expect(bytesToRev(marked)).toEqual(rev);
  });

  it('sorts byte keys in revision order', () => {
    const prng = new Prng(11);
    for (let i = 0; i < 2000; i++) {
      const a = { main: prng.int(2 ** 20) * prng.int(4096), sub: prng.int(300) };
      const b = { main: prng.chance(1, 3) ? a.main : prng.int(2 ** 20) * prng.int(4096), sub: prng.int(300) };
      const byBytes = revToBytes(a) < revToBytes(b) ? -1 : revToBytes(a) > revToBytes(b) ? 1 : 0;
      expect(byBytes).toBe(Math.sign(compareRevision(a, b)));
    }
  });
});
