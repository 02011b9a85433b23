// The Raft log (RaftLog over MemoryStorage plus the unstable tail): conflict search, the follower's
// append check, terms and slices across the stable/unstable boundary and across compaction, commit
// and stability bookkeeping, and what is handed out for applying.
//
// Method: table tests (it.each) over small logs built with ents(first, ...terms), with the
// expectations of etcd-io/raft's log_test.go restated case by case, plus a property test of
// slice() against a naive reference over Prng-random logs, limits and ranges.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { entriesSize, entrySize } from './codec';
import { LevelLogger, RaftPanic, discardLogger } from './logger';
import { NO_LIMIT, RaftLog } from './raftLog';
import { ErrCompacted, ErrUnavailable, MemoryStorage } from './storage';
import { ents, newTestLog } from './testing';
import type { Entry } from './types';

/** Entries first.. with term = index, for indexes [from, to) (etcd's index(i).termRange(from, to)). */
function termRange(from: number, to: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i < to; i++) out.push({ index: i, term: i, type: 'EntryNormal', data: '' });
  return out;
}

function storageFrom(snapIndex: number, snapTerm: number, stable: Entry[] = []): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot({
    data: '',
    metadata: { index: snapIndex, term: snapTerm, confState: { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
  });
  s.append(stable);
  return s;
}

function termOrError(log: RaftLog, i: number): number | 'ErrCompacted' | 'ErrUnavailable' | 'other' {
  const t = log.term(i);
  if ('err' in t) return t.err === ErrCompacted ? 'ErrCompacted' : t.err === ErrUnavailable ? 'ErrUnavailable' : 'other';
  return t.term;
}

describe('findConflict', () => {
  // The log holds 1@1 2@2 3@3.
  it.each<[string, Entry[], number]>([
    ['no entries', [], 0],
    ['all present', ents(1, 1, 2, 3), 0],
    ['a present suffix', ents(2, 2, 3), 0],
    ['the last entry', ents(3, 3), 0],
    ['present entries then new ones', ents(1, 1, 2, 3, 4, 4), 4],
    ['a present suffix then new ones', ents(2, 2, 3, 4, 5), 4],
    ['the last entry then new ones', ents(3, 3, 4, 4), 4],
    ['only new entries', ents(4, 4, 4), 4],
    ['a conflict at the first index', ents(1, 4, 4), 1],
    ['a conflict at index 2', ents(2, 1, 4, 4), 2],
    ['a conflict at index 3', ents(3, 1, 2, 4, 4), 3],
  ])('returns the first new or conflicting index for %s (§5.3)', (_, incoming, want) => {
    const log = newTestLog(new MemoryStorage());
    log.append(ents(1, 1, 2, 3));
    expect(log.findConflict(incoming)).toBe(want);
  });
});

describe('findConflictByTerm', () => {
  it.each<[string, number, number, Entry[], number, number, number]>([
    // [case, snapshot index, snapshot term, entries after it, index, term, want index]
    ['beyond the last index (unavailable) returns the index itself', 0, 0, ents(1, 2, 2, 5, 5, 5), 100, 2, 100],
    ['a higher term matches at once', 0, 0, ents(1, 2, 2, 5, 5, 5), 5, 6, 5],
    ['the same term matches at once', 0, 0, ents(1, 2, 2, 5, 5, 5), 5, 5, 5],
    ['skips the entries of a term above the given one', 0, 0, ents(1, 2, 2, 5, 5, 5), 5, 4, 2],
    ['skips to the last entry of the given term', 0, 0, ents(1, 2, 2, 5, 5, 5), 5, 2, 2],
    ['falls back to index 0 below every term', 0, 0, ents(1, 2, 2, 5, 5, 5), 5, 1, 0],
    ['matches at index 1', 0, 0, ents(1, 2, 2, 5, 5, 5), 1, 2, 1],
    ['index 1 with a lower term falls back to 0', 0, 0, ents(1, 2, 2, 5, 5, 5), 1, 1, 0],
    ['index 0 is 0', 0, 0, ents(1, 2, 2, 5, 5, 5), 0, 0, 0],
    ['compacted log: beyond the last index', 10, 3, ents(11, 3, 3, 4, 4, 4), 30, 3, 30],
    ['compacted log: higher term', 10, 3, ents(11, 3, 3, 4, 4, 4), 14, 9, 14],
    ['compacted log: same term', 10, 3, ents(11, 3, 3, 4, 4, 4), 14, 4, 14],
    ['compacted log: skips term 4', 10, 3, ents(11, 3, 3, 4, 4, 4), 14, 3, 12],
    ['compacted log: runs into the compaction point, unknown term', 10, 3, ents(11, 3, 3, 4, 4, 4), 14, 2, 9],
    ['compacted log: first index', 10, 3, ents(11, 3, 3, 4, 4, 4), 11, 5, 11],
    ['compacted log: the snapshot index is known', 10, 3, ents(11, 3, 3, 4, 4, 4), 10, 5, 10],
    ['compacted log: the snapshot term matches', 10, 3, ents(11, 3, 3, 4, 4, 4), 10, 3, 10],
    ['compacted log: below the snapshot term', 10, 3, ents(11, 3, 3, 4, 4, 4), 10, 2, 9],
    ['compacted log: a compacted index', 10, 3, ents(11, 3, 3, 4, 4, 4), 9, 2, 9],
    ['compacted log: a long-compacted index', 10, 3, ents(11, 3, 3, 4, 4, 4), 4, 2, 4],
    ['compacted log: index 0', 10, 3, ents(11, 3, 3, 4, 4, 4), 0, 0, 0],
  ])('%s (fast log rejection, §5.3)', (_, snapIndex, snapTerm, tail, index, term, want) => {
    const log = newTestLog(storageFrom(snapIndex, snapTerm));
    log.append(tail);
    const got = log.findConflictByTerm(index, term);
    expect(got.index).toBe(want);
    // The term comes with it, 0 where it is not known.
    expect(got.term).toBe(log.zeroTermOnOutOfBounds(log.term(want)));
  });
});

describe('isUpToDate', () => {
  // Our log ends at 3@3.
  it.each<[number, number, boolean]>([
    [2, 4, true],
    [3, 4, true],
    [4, 4, true],
    [2, 2, false],
    [3, 2, false],
    [4, 2, false],
    [2, 3, false],
    [3, 3, true],
    [4, 3, true],
  ])('a log ending at index %i, term %i is at least as up to date as ours: %s (§5.4.1)', (index, term, want) => {
    const log = newTestLog(new MemoryStorage());
    log.append(ents(1, 1, 2, 3));
    expect(log.isUpToDate(index, term)).toBe(want);
  });
});

describe('append', () => {
  // Storage holds 1@1 2@2.
  it.each<[string, Entry[], number, number[], number]>([
    ['nothing', [], 2, [1, 2], 3],
    ['a continuation', ents(3, 2), 3, [1, 2, 2], 3],
    ['a conflict at index 1', ents(1, 2), 1, [2], 1],
    ['a conflict at index 2', ents(2, 3, 3), 3, [1, 3, 3], 2],
  ])('appending %s returns the last index and truncates what follows the first appended index', (_, incoming, wlast, wterms, wunstable) => {
    const s = new MemoryStorage();
    s.append(ents(1, 1, 2));
    const log = newTestLog(s);
    expect(log.append(incoming)).toBe(wlast);
    const all = log.entries(1, NO_LIMIT);
    expect('ents' in all && all.ents.map((e) => e.term)).toEqual(wterms);
    expect(log.unstable.offset).toBe(wunstable);
  });

  it('refuses to append below the commit index (a committed entry is never replaced, §5.4)', () => {
    const log = newTestLog(new MemoryStorage());
    log.append(ents(1, 1, 1, 1));
    log.commitTo(2);
    expect(() => log.append(ents(2, 2))).toThrow(RaftPanic);
    expect(log.append(ents(3, 2))).toBe(3);
  });
});

describe('maybeAppend', () => {
  // The log holds 1@1 2@2 3@3 with commit 1.
  it.each<[string, number, number, number, Entry[], number | undefined, number]>([
    // [case, prev index, prev term, leader commit, entries, want last new index, want commit]
    ['prev term differs', 3, 2, 3, ents(4, 4), undefined, 1],
    ['prev index beyond the log', 4, 3, 3, ents(5, 4), undefined, 1],
    ['matches the last entry, nothing new', 3, 3, 3, [], 3, 3],
    ['does not commit past the last new index', 3, 3, 4, [], 3, 3],
    ['commits up to the leader commit', 3, 3, 2, [], 3, 2],
    ['never lowers the commit index', 3, 3, 0, [], 3, 1],
    ['matches the empty prefix', 0, 0, 3, [], 0, 1],
    ['appends one entry', 3, 3, 3, ents(4, 4), 4, 3],
    ['appends and commits it', 3, 3, 4, ents(4, 4), 4, 4],
    ['appends, commit capped at the last new index', 3, 3, 5, ents(4, 4), 4, 4],
    ['appends two, commits both', 3, 3, 5, ents(4, 4, 4), 5, 5],
    ['matches in the middle and truncates', 2, 2, 3, ents(3, 4), 3, 3],
    ['matches further back and truncates', 1, 1, 3, ents(2, 4), 2, 2],
    ['matches further back, appends two', 1, 1, 3, ents(2, 4, 4), 3, 3],
  ])('%s (§5.3)', (_, prevIndex, prevTerm, commit, incoming, wlast, wcommit) => {
    const log = newTestLog(new MemoryStorage());
    log.append(ents(1, 1, 2, 3));
    log.committed = 1;

    const last = log.maybeAppend(prevIndex, prevTerm, incoming, commit);

    expect(last).toBe(wlast);
    expect(log.committed).toBe(wcommit);
    if (last !== undefined && incoming.length > 0) {
      const tail = log.slice(log.lastIndex() - incoming.length + 1, log.lastIndex() + 1, NO_LIMIT);
      expect(tail).toEqual({ ents: incoming });
    }
  });

  it('panics rather than overwrite a committed entry (§5.4)', () => {
    const log = newTestLog(new MemoryStorage());
    log.append(ents(1, 1, 2, 3));
    log.committed = 1;
    expect(() => log.maybeAppend(0, 0, ents(1, 4), 3)).toThrow(RaftPanic);
    expect(log.allEntries().map((e) => e.term)).toEqual([1, 2, 3]);
  });
});

describe('term and slice across storage, unstable entries and compaction', () => {
  it.each<[number, number | 'ErrCompacted' | 'ErrUnavailable']>([
    [99, 'ErrCompacted'],
    [100, 1],
    [150, 50],
    [199, 99],
    [200, 'ErrUnavailable'],
  ])('term(%i) after a snapshot at 100 and 99 appended entries is %s', (i, want) => {
    const log = newTestLog(storageFrom(100, 1));
    log.append(ents(101, ...Array.from({ length: 99 }, (_, k) => k + 1)));
    expect(termOrError(log, i)).toBe(want);
  });

  it.each<[number, number | 'ErrCompacted' | 'ErrUnavailable']>([
    [100, 'ErrCompacted'],
    [101, 'ErrCompacted'],
    [104, 'ErrCompacted'],
    [105, 1],
    [106, 'ErrUnavailable'],
  ])('term(%i) with storage at snapshot 100 and an unstable snapshot at 105 is %s', (i, want) => {
    const log = newTestLog(storageFrom(100, 1));
    log.restore({
      data: '',
      metadata: { index: 105, term: 1, confState: { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
    });
    expect(termOrError(log, i)).toBe(want);
  });

  describe('slice over stable 101..149 and unstable 150..199', () => {
    const offset = 100;
    const half = 150;
    const last = 200;
    const halfSize = entrySize({ index: half, term: half, type: 'EntryNormal', data: '' });
    const build = (): RaftLog => {
      const log = newTestLog(storageFrom(offset, 0, termRange(offset + 1, half)));
      log.append(termRange(half, last));
      return log;
    };

    it.each<[number, number, number, 'ErrCompacted' | 'panic' | [number, number]]>([
      [offset - 1, offset + 1, NO_LIMIT, 'ErrCompacted'],
      [offset, offset + 1, NO_LIMIT, 'ErrCompacted'],
      [half, half - 1, NO_LIMIT, 'panic'],
      [last, last + 1, NO_LIMIT, 'panic'],
      [offset + 1, offset + 1, NO_LIMIT, [offset + 1, offset + 1]],
      [offset + 1, half - 1, NO_LIMIT, [offset + 1, half - 1]],
      [offset + 1, half, NO_LIMIT, [offset + 1, half]],
      [offset + 1, half + 1, NO_LIMIT, [offset + 1, half + 1]],
      [offset + 1, last, NO_LIMIT, [offset + 1, last]],
      [half - 1, half, NO_LIMIT, [half - 1, half]],
      [half - 1, half + 1, NO_LIMIT, [half - 1, half + 1]],
      [half - 1, last, NO_LIMIT, [half - 1, last]],
      [half, half + 1, NO_LIMIT, [half, half + 1]],
      [half, last, NO_LIMIT, [half, last]],
      [last - 1, last, NO_LIMIT, [last - 1, last]],
      // at least one entry, whatever the limit
      [offset + 1, last, 0, [offset + 1, offset + 2]],
      [half - 1, half + 1, 0, [half - 1, half]],
      [half, last, 0, [half, half + 1]],
      [half + 1, last, 0, [half + 1, half + 2]],
      // a limit below one entry
      [offset + 1, last, halfSize - 1, [offset + 1, offset + 2]],
      [half - 1, half + 1, halfSize - 1, [half - 1, half]],
      [half, last, halfSize - 1, [half, half + 1]],
      // exactly one entry
      [offset + 1, last, halfSize, [offset + 1, offset + 2]],
      [half - 1, half + 1, halfSize, [half - 1, half]],
      [half, last, halfSize, [half, half + 1]],
      // not enough for two
      [offset + 1, last, halfSize + 1, [offset + 1, offset + 2]],
      [half - 1, half + 1, halfSize + 1, [half - 1, half]],
      [half, last, halfSize + 1, [half, half + 1]],
      // two
      [offset + 1, last, halfSize * 2, [offset + 1, offset + 3]],
      [half - 2, half + 1, halfSize * 2, [half - 2, half]],
      [half - 1, half + 1, halfSize * 2, [half - 1, half + 1]],
      [half, last, halfSize * 2, [half, half + 2]],
      // not enough for three, then three
      [half - 2, half + 1, halfSize * 3 - 1, [half - 2, half]],
      [half - 1, half + 2, halfSize * 3, [half - 1, half + 2]],
    ])('slice(%i, %i, limit %i) gives %j', (lo, hi, limit, want) => {
      const log = build();
      if (want === 'panic') {
        expect(() => log.slice(lo, hi, limit)).toThrow(RaftPanic);
        return;
      }
      const got = log.slice(lo, hi, limit);
      if (want === 'ErrCompacted') {
        expect(got).toEqual({ err: ErrCompacted });
        return;
      }
      expect(got).toEqual({ ents: termRange(want[0], want[1]) });
    });

    it('agrees with a naive reference on Prng-random ranges and limits', () => {
      const log = build();
      const all = termRange(offset + 1, last);
      const prng = new Prng(11);
      for (let n = 0; n < 2000; n++) {
        const lo = offset + 1 + prng.int(last - offset - 1);
        const hi = lo + prng.int(last - lo + 1);
        const limit = prng.pick([0, 1, halfSize, prng.int(20 * halfSize), NO_LIMIT]);
        const want: Entry[] = [];
        let size = 0;
        for (const e of all.filter((x) => x.index >= lo && x.index < hi)) {
          size += entrySize(e);
          if (want.length > 0 && size > limit) break;
          want.push(e);
        }
        expect(log.slice(lo, hi, limit), `slice(${lo}, ${hi}, ${limit})`).toEqual({ ents: want });
        const got = log.slice(lo, hi, limit);
        if ('ents' in got && got.ents.length > 1) expect(entriesSize(got.ents)).toBeLessThanOrEqual(limit);
      }
    });
  });

  it('keeps terms, matching and appends working after the storage is compacted under it (log compaction, §7)', () => {
    const s = new MemoryStorage();
    s.append(termRange(1, 751));
    const log = newTestLog(s);
    log.append(termRange(751, 1001));
    expect(log.maybeCommit(1000, 1000)).toBe(true);
    log.appliedTo(log.committed, 0);

    s.compact(500);

    expect(log.lastIndex()).toBe(1000);
    expect(log.firstIndex()).toBe(501);
    expect(termOrError(log, 499)).toBe('ErrCompacted');
    for (let j = 500; j <= 1000; j++) {
      expect(termOrError(log, j)).toBe(j);
      expect(log.matchTerm(j, j)).toBe(true);
    }
    expect(log.slice(500, 502, NO_LIMIT)).toEqual({ err: ErrCompacted });
    expect(log.slice(749, 753, NO_LIMIT)).toEqual({ ents: termRange(749, 753) });
    const unstable = log.nextUnstableEnts();
    expect(unstable).toHaveLength(250);
    expect(unstable[0]!.index).toBe(751);
    expect(log.append([{ index: 1001, term: 1001, type: 'EntryNormal', data: '' }])).toBe(1001);
    expect(log.entries(1001, NO_LIMIT)).toEqual({ ents: [{ index: 1001, term: 1001, type: 'EntryNormal', data: '' }] });
  });

  it.each<[number[], number[]]>([
    [[1001], [-1]],
    [[300, 500, 800, 900], [700, 500, 200, 100]],
    [[300, 299], [700, -1]],
  ])('compacting storage at %j leaves %j entries in the log (-1: refused)', (compacts, left) => {
    const s = new MemoryStorage();
    s.append(termRange(1, 1001));
    const log = newTestLog(s);
    compacts.forEach((c, k) => {
      let refused = false;
      try {
        s.compact(c);
      } catch {
        refused = true;
      }
      if (left[k] === -1) expect(refused).toBe(true);
      else expect(log.allEntries()).toHaveLength(left[k]!);
    });
  });

  it('starts from a snapshot: empty, committed and applied at its index, its term known', () => {
    const log = newTestLog(storageFrom(1000, 1000));
    expect(log.allEntries()).toEqual([]);
    expect(log.firstIndex()).toBe(1001);
    expect(log.committed).toBe(1000);
    expect(log.applied).toBe(1000);
    expect(log.unstable.offset).toBe(1001);
    expect(termOrError(log, 1000)).toBe(1000);
  });
});

describe('commit, stability and application bookkeeping', () => {
  it.each<[number, number | 'panic']>([
    [3, 3],
    [1, 2], // never decreases
    [4, 'panic'], // beyond the last index
  ])('commitTo(%i) from commit 2 over 1@1 2@2 3@3 gives %s', (to, want) => {
    const log = newTestLog(new MemoryStorage());
    log.append(ents(1, 1, 2, 3));
    log.committed = 2;
    if (want === 'panic') expect(() => log.commitTo(to)).toThrow(RaftPanic);
    else {
      log.commitTo(to);
      expect(log.committed).toBe(want);
    }
  });

  it.each<[number, number, number]>([
    [1, 1, 2],
    [2, 2, 3],
    [2, 1, 1], // the term does not match: ignored
    [3, 1, 1], // not in the log: ignored
  ])('stableTo(%i, term %i) over unstable 1@1 2@2 moves the unstable offset to %i', (index, term, want) => {
    const log = newTestLog(new MemoryStorage());
    log.append(ents(1, 1, 2));
    log.stableTo(index, term);
    expect(log.unstable.offset).toBe(want);
  });

  it.each<[number, number, Entry[], number]>([
    [6, 2, [], 6],
    [5, 2, [], 6],
    [4, 2, [], 6],
    [6, 3, [], 6],
    [5, 3, [], 6],
    [4, 3, [], 6],
    [6, 2, ents(6, 2), 7],
    [5, 2, ents(6, 2), 6],
    [4, 2, ents(6, 2), 6],
    [6, 3, ents(6, 2), 6],
    [5, 3, ents(6, 2), 6],
    [4, 3, ents(6, 2), 6],
  ])('stableTo(%i, term %i) after a snapshot at 5@2 with %j appended leaves the unstable offset at %i', (index, term, tail, want) => {
    const log = newTestLog(storageFrom(5, 2));
    log.append(tail);
    log.stableTo(index, term);
    expect(log.unstable.offset).toBe(want);
  });

  it.each<[number, Entry[]]>([
    [3, []],
    [1, ents(1, 1, 2)],
  ])('nextUnstableEnts with the unstable part starting at %i returns %j', (unstableFrom, want) => {
    const all = ents(1, 1, 2);
    const s = new MemoryStorage();
    s.append(all.slice(0, unstableFrom - 1));
    const log = newTestLog(s);
    log.append(all.slice(unstableFrom - 1));
    const got = log.nextUnstableEnts();
    expect(got).toEqual(want);
    if (got.length > 0) log.stableTo(got.at(-1)!.index, got.at(-1)!.term);
    expect(log.unstable.offset).toBe(3);
  });

  // Storage: snapshot 3@1 and 4@1; unstable: 5@1 6@1 (4 stable); committed 5.
  function applyLog(maxSize = NO_LIMIT): RaftLog {
    const s = storageFrom(3, 1, ents(4, 1));
    const log = new RaftLog(s, new LevelLogger(discardLogger), maxSize);
    log.append(ents(4, 1, 1, 1));
    log.stableTo(4, 1);
    log.maybeCommit(5, 1);
    return log;
  }

  it.each<[number, number, boolean, boolean, boolean, number[]]>([
    [3, 3, true, false, false, [4, 5]],
    [3, 4, true, false, false, [5]],
    [3, 5, true, false, false, []],
    [4, 4, true, false, false, [5]],
    [4, 5, true, false, false, []],
    [5, 5, true, false, false, []],
    [3, 3, false, false, false, [4]],
    [3, 4, false, false, false, []],
    [3, 5, false, false, false, []],
    [4, 4, false, false, false, []],
    [4, 5, false, false, false, []],
    [5, 5, false, false, false, []],
    [3, 3, true, true, false, []],
    [3, 3, true, false, true, []],
  ])(
    'with applied %i, applying %i, unstable allowed %s, paused %s, snapshot pending %s, the entries to apply are %j',
    (applied, applying, allowUnstable, paused, snap, want) => {
      const log = applyLog();
      log.appliedTo(applied, 0);
      log.acceptApplying(applying, 0, allowUnstable);
      log.applyingEntsPaused = paused;
      if (snap) {
        log.restore({
          data: '',
          metadata: { index: 4, term: 1, confState: { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
        });
      }
      expect(log.hasNextCommittedEnts(allowUnstable)).toBe(want.length > 0);
      expect(log.nextCommittedEnts(allowUnstable).map((e) => e.index)).toEqual(want);
    },
  );

  it.each<[number, boolean, number, boolean]>([
    [3, true, 99, true],
    [3, true, 100, true],
    [3, true, 101, true],
    [4, true, 99, true],
    [4, true, 100, true],
    [4, true, 101, true],
    [5, true, 99, false],
    [5, true, 100, true],
    [5, true, 101, true],
    [3, false, 99, true],
    [3, false, 100, true],
    [3, false, 101, true],
    [4, false, 99, false],
    [4, false, 100, true],
    [4, false, 101, true],
    [5, false, 99, false],
    [5, false, 100, true],
    [5, false, 101, true],
  ])('accepting entries up to %i for applying (unstable allowed %s, %i bytes of a 100-byte budget) pauses: %s', (index, allowUnstable, size, paused) => {
    const log = applyLog(100);
    log.appliedTo(3, 0);
    log.acceptApplying(index, size, allowUnstable);
    expect(log.applyingEntsPaused).toBe(paused);
  });

  it.each<[number, number, number, boolean]>([
    [4, 4, 101, true],
    [4, 5, 100, true],
    [4, 6, 99, false],
    [5, 4, 101, true],
    [5, 5, 100, true],
    [5, 6, 99, false],
    [4, 105, 0, false],
    [4, 106, 0, false], // over-reporting never underflows
  ])('applying up to %i with %i bytes leaves %i bytes in flight and paused %s', (index, size, wsize, wpaused) => {
    const log = applyLog(100);
    log.appliedTo(3, 0);
    log.acceptApplying(5, 105, false);
    log.appliedTo(index, size);
    expect(log.applied).toBe(index);
    expect(log.applying).toBe(5);
    expect(log.applyingEntsSize).toBe(wsize);
    expect(log.applyingEntsPaused).toBe(wpaused);
  });

  it('refuses to mark as applied an index beyond the commit index (§5.4.3)', () => {
    const log = applyLog();
    expect(() => log.appliedTo(6, 0)).toThrow(RaftPanic);
    expect(log.applied).toBe(3);
  });

  it('commits only when the entry at the index has the given term (§5.4.2)', () => {
    const log = newTestLog(new MemoryStorage());
    log.append(ents(1, 1, 2, 3));
    expect(log.maybeCommit(2, 3)).toBe(false);
    expect(log.maybeCommit(2, 0)).toBe(false);
    expect(log.committed).toBe(0);
    expect(log.maybeCommit(3, 3)).toBe(true);
    expect(log.committed).toBe(3);
    expect(log.maybeCommit(2, 2)).toBe(false); // never backwards
  });
});
