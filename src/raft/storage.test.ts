// MemoryStorage, the stable log the application writes and the core reads: term and entry lookups
// with etcd's errors (ErrCompacted below the dummy entry, ErrUnavailable past the end), compaction,
// snapshot creation and application (ErrSnapOutOfDate), and appends that truncate a conflicting
// suffix or skip what is already compacted.
//
// Method: table tests over a storage holding 3@3 (the dummy, from a snapshot) then 4@4 5@5, the
// state etcd's storage_test.go starts from, plus a property test of append() against a naive
// reference over Prng-random append sequences.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { entrySize } from './codec';
import { RaftPanic } from './logger';
import {
  ErrCompacted,
  ErrSnapOutOfDate,
  ErrUnavailable,
  MemoryStorage,
  StorageError,
  type Snapshot,
} from './index';
import { confState, ents } from './testing';
import type { Entry } from './types';

/** A storage whose dummy entry is `first` with the given term, followed by the other entries. */
function storageOf(first: Entry, ...rest: Entry[]): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot({ data: '', metadata: { index: first.index, term: first.term, confState: confState([]) } });
  s.append(rest);
  return s;
}

/** 3@3 (dummy) 4@4 5@5. */
function s345(): MemoryStorage {
  const [a, ...rest] = ents(3, 3, 4, 5);
  return storageOf(a!, ...rest);
}

function errorOf(fn: () => unknown): StorageError | 'panic' | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof StorageError) return err;
    if (err instanceof RaftPanic) return 'panic';
    throw err;
  }
}

function snap(index: number, term: number, data = 'data'): Snapshot {
  return { data, metadata: { index, term, confState: confState([1, 2, 3]) } };
}

describe('MemoryStorage.term', () => {
  it.each<[number, number | StorageError]>([
    [2, ErrCompacted],
    [3, 3],
    [4, 4],
    [5, 5],
    [6, ErrUnavailable],
  ])('term(%i) over 3@3(dummy) 4@4 5@5 is %s', (i, want) => {
    const s = s345();
    if (typeof want === 'number') expect(s.term(i)).toBe(want);
    else expect(errorOf(() => s.term(i))).toBe(want);
  });
});

describe('MemoryStorage.entries', () => {
  // 3@3(dummy) 4@4 5@5 6@6
  const all = ents(3, 3, 4, 5, 6);
  const size = (k: number): number => entrySize(all[k]!);
  it.each<[string, number, number, number, StorageError | number[]]>([
    ['below the first index', 2, 6, Number.MAX_SAFE_INTEGER, ErrCompacted],
    ['at the dummy entry', 3, 4, Number.MAX_SAFE_INTEGER, ErrCompacted],
    ['one entry', 4, 5, Number.MAX_SAFE_INTEGER, [4]],
    ['two entries', 4, 6, Number.MAX_SAFE_INTEGER, [4, 5]],
    ['everything', 4, 7, Number.MAX_SAFE_INTEGER, [4, 5, 6]],
    ['at least one entry even with a zero limit', 4, 7, 0, [4]],
    ['a limit of exactly two entries', 4, 7, size(1) + size(2), [4, 5]],
    ['a limit between two and three entries', 4, 7, size(1) + size(2) + Math.floor(size(3) / 2), [4, 5]],
    ['a limit one byte short of three entries', 4, 7, size(1) + size(2) + size(3) - 1, [4, 5]],
    ['a limit of exactly three entries', 4, 7, size(1) + size(2) + size(3), [4, 5, 6]],
  ])('entries %s: [%i, %i) within %i bytes', (_, lo, hi, max, want) => {
    const s = storageOf(all[0]!, ...all.slice(1));
    if (want instanceof StorageError) expect(errorOf(() => s.entries(lo, hi, max))).toBe(want);
    else expect(s.entries(lo, hi, max).map((e) => e.index)).toEqual(want);
  });

  it('reports ErrUnavailable when only the dummy entry exists, and panics past the last index', () => {
    const s = new MemoryStorage();
    expect(errorOf(() => s.entries(1, 1, 100))).toBe(ErrUnavailable);
    expect(errorOf(() => s345().entries(4, 7, 100))).toBe('panic');
  });
});

describe('MemoryStorage indexes', () => {
  it('lastIndex follows appends and firstIndex follows compaction', () => {
    const s = s345();
    expect(s.lastIndex()).toBe(5);
    expect(s.firstIndex()).toBe(4);
    s.append(ents(6, 5));
    expect(s.lastIndex()).toBe(6);
    s.compact(4);
    expect(s.firstIndex()).toBe(5);
    expect(s.lastIndex()).toBe(6);
  });

  it('an empty storage has firstIndex 1, lastIndex 0 and the empty HardState', () => {
    const s = new MemoryStorage();
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(0);
    expect(s.initialState().hardState).toEqual({ term: 0, vote: 0, commit: 0 });
    expect(s.term(0)).toBe(0);
  });

  it('returns copies of its HardState and ConfState', () => {
    const s = new MemoryStorage();
    const hs = { term: 3, vote: 2, commit: 1 };
    s.setHardState(hs);
    hs.term = 99;
    s.applySnapshot(snap(4, 2));
    const st = s.initialState();
    expect(st.hardState).toEqual({ term: 3, vote: 2, commit: 1 });
    st.confState.voters.push(7);
    expect(s.initialState().confState.voters).toEqual([1, 2, 3]);
  });
});

describe('MemoryStorage.compact', () => {
  it.each<[number, StorageError | undefined, number, number, number]>([
    // [compact index, error, dummy index, dummy term, entries held incl. dummy]
    [2, ErrCompacted, 3, 3, 3],
    [3, ErrCompacted, 3, 3, 3],
    [4, undefined, 4, 4, 2],
    [5, undefined, 5, 5, 1],
  ])('compact(%i) over 3@3(dummy) 4@4 5@5: error %s, dummy %i@%i, %i entries', (i, err, dummyIndex, dummyTerm, len) => {
    const s = s345();
    expect(errorOf(() => s.compact(i))).toBe(err);
    expect(s.firstIndex() - 1).toBe(dummyIndex);
    expect(s.term(dummyIndex)).toBe(dummyTerm);
    expect(s.lastIndex() - s.firstIndex() + 2).toBe(len);
  });

  it('panics when asked to compact past the last index', () => {
    expect(errorOf(() => s345().compact(6))).toBe('panic');
  });
});

describe('MemoryStorage.createSnapshot', () => {
  it.each<[number, number]>([
    [4, 4],
    [5, 5],
  ])('createSnapshot(%i) records term %i, the given ConfState and data, readable through snapshot()', (i, term) => {
    const s = s345();
    const got = s.createSnapshot(i, confState([1, 2, 3]), 'data');
    const want = snap(i, term);
    expect(got).toEqual(want);
    expect(s.snapshot()).toEqual(want);
    // It does not compact: entries are still there.
    expect(s.firstIndex()).toBe(4);
  });

  it('refuses a snapshot at or below the current one with ErrSnapOutOfDate, and past the end with a panic', () => {
    const s = s345();
    s.createSnapshot(4, confState([1]), 'a');
    expect(errorOf(() => s.createSnapshot(4, confState([1]), 'b'))).toBe(ErrSnapOutOfDate);
    expect(errorOf(() => s.createSnapshot(3, confState([1]), 'b'))).toBe(ErrSnapOutOfDate);
    expect(errorOf(() => s.createSnapshot(6, confState([1]), 'b'))).toBe('panic');
    expect(s.snapshot().data).toBe('a');
  });

  it('keeps the previous ConfState when none is given', () => {
    const s = new MemoryStorage();
    s.applySnapshot(snap(3, 3));
    s.append(ents(4, 4));
    expect(s.createSnapshot(4, undefined, 'x').metadata.confState).toEqual(confState([1, 2, 3]));
  });
});

describe('MemoryStorage.append', () => {
  // Over 3@3(dummy) 4@4 5@5.
  it.each<[string, Entry[], number[]]>([
    ['entries entirely below the first index are ignored', ents(1, 1, 2), [3, 4, 5]],
    ['identical entries change nothing', ents(3, 3, 4, 5), [3, 4, 5]],
    ['a conflicting suffix is replaced', ents(3, 3, 6, 6), [3, 6, 6]],
    ['an extension is appended', ents(3, 3, 4, 5, 5), [3, 4, 5, 5]],
    ['entries reaching below the first index are cut, the rest truncates and appends', ents(2, 3, 3, 5), [3, 5]],
    ['an entry in the middle truncates what follows', ents(4, 5), [3, 5]],
    ['a direct continuation is appended', ents(6, 5), [3, 4, 5, 5]],
  ])('%s', (_, incoming, wantTerms) => {
    const s = s345();
    s.append(incoming);
    const terms: number[] = [];
    for (let i = s.firstIndex() - 1; i <= s.lastIndex(); i++) terms.push(s.term(i));
    expect(terms).toEqual(wantTerms);
  });

  it('panics on a gap after the last index', () => {
    expect(errorOf(() => s345().append(ents(7, 5)))).toBe('panic');
  });

  it('agrees with a naive reference over Prng-random appends and compactions', () => {
    const prng = new Prng(5);
    for (let run = 0; run < 200; run++) {
      const s = new MemoryStorage();
      let ref: Entry[] = []; // ref[i] is index i + 1
      let compacted = 0;
      for (let op = 0; op < 30; op++) {
        const last = ref.length;
        if (prng.chance(1, 5) && last > compacted) {
          const at = compacted + 1 + prng.int(last - compacted);
          s.compact(at);
          compacted = at;
          continue;
        }
        const from = Math.max(1, compacted + 1 - prng.int(3)) + prng.int(last - compacted + 1);
        const n = 1 + prng.int(4);
        const term = 1 + prng.int(9);
        const incoming = Array.from({ length: n }, (_, k) => ({ index: from + k, term, type: 'EntryNormal' as const, data: `${run}-${op}-${k}` }));
        s.append(incoming);
        // Writing index i replaces everything from i on; compacted indexes are skipped.
        const kept = incoming.filter((e) => e.index > compacted);
        if (kept.length > 0) ref = ref.slice(0, kept[0]!.index - 1).concat(kept);
      }
      expect(s.lastIndex()).toBe(ref.length);
      expect(s.firstIndex()).toBe(compacted + 1);
      if (ref.length > compacted) {
        expect(s.entries(compacted + 1, ref.length + 1, Number.MAX_SAFE_INTEGER)).toEqual(ref.slice(compacted));
      }
    }
  });
});

describe('MemoryStorage.applySnapshot', () => {
  it('replaces the contents with the snapshot: its index becomes the dummy entry', () => {
    const s = s345();
    s.applySnapshot(snap(10, 4));
    expect(s.firstIndex()).toBe(11);
    expect(s.lastIndex()).toBe(10);
    expect(s.term(10)).toBe(4);
    expect(errorOf(() => s.term(9))).toBe(ErrCompacted);
    expect(s.snapshot()).toEqual(snap(10, 4));
  });

  it.each<[string, Snapshot[], StorageError | undefined]>([
    ['a first snapshot', [snap(4, 4)], undefined],
    ['an older snapshot after a newer one', [snap(4, 4), snap(3, 3)], ErrSnapOutOfDate],
    ['the same index again', [snap(4, 4), snap(4, 4)], ErrSnapOutOfDate],
    ['a bootstrap snapshot holding only a ConfState', [snap(0, 0)], undefined],
    ['a newer snapshot after a bootstrap one', [snap(0, 0), snap(2, 1)], undefined],
  ])('applying %s gives %s', (_, snaps, want) => {
    const s = new MemoryStorage();
    let err: StorageError | 'panic' | undefined;
    for (const sn of snaps) err = errorOf(() => s.applySnapshot(sn));
    expect(err).toBe(want);
  });

  it('keeps its own copy of the snapshot', () => {
    const s = new MemoryStorage();
    const sn = snap(4, 4);
    s.applySnapshot(sn);
    sn.metadata.confState.voters.push(9);
    sn.metadata.index = 99;
    expect(s.snapshot()).toEqual(snap(4, 4));
  });
});
