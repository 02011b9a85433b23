// treeIndex: key order, range scans with etcd's end conventions, and compaction across chunk
// boundaries. Method: a seeded workload of thousands of keys (several chunks) compared with a
// plain sorted-array model.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { CHUNK_MAX, TreeIndex } from './treeIndex';

function randomKey(prng: Prng): string {
  const len = 1 + prng.int(4);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(prng.pick([0x00, 0x61, 0x62, 0x63, 0x7a, 0xff]));
  return s + String(prng.int(1000));
}

describe('TreeIndex', () => {
  it('reads single keys, ranges and from-key ranges', () => {
    const ti = new TreeIndex();
    let main = 2;
    for (const k of ['a', 'b', 'ba', 'c', 'd']) ti.put(k, { main: main++, sub: 0 });
    expect(ti.tombstone('c', { main: main++, sub: 0 })).toBe(true);
    expect(ti.range('b', undefined, 100).keys).toEqual(['b']);
    expect(ti.range('b', 'c', 100).keys).toEqual(['b', 'ba']);
    expect(ti.range('b', '', 100).keys).toEqual(['b', 'ba', 'd']);
    expect(ti.range('b', '', 5).keys).toEqual(['b', 'ba', 'c']);
    expect(ti.range('c', 'b', 100).keys).toEqual([]);
    expect(ti.revisions('a', '', 100, 2)).toEqual({ revs: [{ main: 2, sub: 0 }, { main: 3, sub: 0 }], total: 4 });
    expect(ti.countRevisions('a', '', 100)).toBe(4);
    expect(ti.tombstone('zz', { main: main++, sub: 0 })).toBe(false);
  });

  it('keeps keys sorted and scans like a sorted array across many chunks', () => {
    const prng = new Prng(5);
    const ti = new TreeIndex();
    const live = new Map<string, number>();
    let main = 1;
    for (let i = 0; i < 6 * CHUNK_MAX; i++) {
      main++;
      const key = randomKey(prng);
      if (live.has(key) && prng.chance(1, 4)) {
        expect(ti.tombstone(key, { main, sub: 0 })).toBe(true);
        live.delete(key);
      } else {
        ti.put(key, { main, sub: 0 });
        live.set(key, main);
      }
    }
    const keys = [...ti.entries()].map((ki) => ki.key);
    expect(keys).toEqual([...keys].sort());
    expect(keys.length).toBe(ti.size);
    const sortedLive = [...live.keys()].sort();
    for (let i = 0; i < 200; i++) {
      const a = randomKey(prng);
      const b = prng.chance(1, 5) ? '' : randomKey(prng);
      const want = sortedLive.filter((k) => k >= a && (b === '' || k < b));
      const got = ti.range(a, b, main);
      expect(got.keys).toEqual(want);
      expect(got.revs.map((x) => x.main)).toEqual(want.map((k) => live.get(k)));
    }
  });

  it('drops keys with nothing left after compaction and keeps the rest in order', () => {
    const prng = new Prng(9);
    const ti = new TreeIndex();
    let main = 1;
    const deletedAt = new Map<string, number>();
    for (let i = 0; i < 3 * CHUNK_MAX; i++) {
      const key = `k${String(i).padStart(5, '0')}`;
      ti.put(key, { main: ++main, sub: 0 });
      if (prng.chance(1, 2)) {
        ti.tombstone(key, { main: ++main, sub: 0 });
        deletedAt.set(key, main);
      }
    }
    const at = Math.floor(main / 2);
    const available = ti.compact(at);
    const remaining = [...ti.entries()].map((ki) => ki.key);
    expect(remaining).toEqual([...remaining].sort());
    for (const ki of ti.entries()) {
      const d = deletedAt.get(ki.key);
      expect(d === undefined || d >= at).toBe(true);
    }
    const gone = [...deletedAt].filter(([, d]) => d < at).map(([k]) => k);
    expect(gone.length).toBeGreaterThan(0);
    for (const k of gone) expect(ti.keyIndex(k)).toBeUndefined();
    expect(ti.size).toBe(remaining.length);
    expect(available.size).toBeGreaterThan(0);
    // Inserting after the rebuild still lands in order.
    ti.put('k00000x', { main: main + 1, sub: 0 });
    const after = [...ti.entries()].map((ki) => ki.key);
    expect(after).toEqual([...after].sort());
  });

  it('holds 100k keys and scans a prefix with a limit while counting every match', () => {
    const ti = new TreeIndex();
    const prng = new Prng(77);
    for (let i = 0; i < 100_000; i++) ti.put(`key/${prng.int(1_000_000_000)}/${i}`, { main: i + 2, sub: 0 });
    expect(ti.size).toBe(100_000);
    const { revs, total } = ti.revisions('key/5', 'key/6', 200_000, 10);
    expect(revs.length).toBe(10);
    const expected = [...ti.entries()].filter((ki) => ki.key >= 'key/5' && ki.key < 'key/6').length;
    expect(total).toBe(expected);
    expect(total).toBeGreaterThan(1000);
  });
});
