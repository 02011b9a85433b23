// keyIndex: generations after put, tombstone and compaction, reads at a revision, and keep().
// Method: the worked example of keyIndex.ts as a table, then a seeded property test against a
// naive model (the full list of changes, scanned linearly).
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../lib/assert';
import { Prng } from '../lib/prng';
import { KeyIndex } from './keyIndex';
import { revisionId, type Revision } from './revision';

const r = (main: number, sub = 0): Revision => ({ main, sub });

/** put 2, put 5, delete 7, put 9, delete 12: the example at the top of keyIndex.ts. */
function exampleIndex(): KeyIndex {
  const ki = new KeyIndex('k');
  ki.put(r(2));
  ki.put(r(5));
  expect(ki.tombstone(r(7))).toBe(true);
  ki.put(r(9));
  expect(ki.tombstone(r(12))).toBe(true);
  return ki;
}

function gens(ki: KeyIndex): number[][] {
  return ki.view().map((g) => g.revs.map((x) => x.main));
}

describe('KeyIndex', () => {
  it('opens a generation per life of the key and an empty one after each tombstone', () => {
    const ki = exampleIndex();
    expect(ki.view()).toEqual([
      { created: r(2), ver: 3, revs: [r(2), r(5), r(7)] },
      { created: r(9), ver: 2, revs: [r(9), r(12)] },
      { created: r(0), ver: 0, revs: [] },
    ]);
  });

  it.each([
    [1, null],
    [2, { modified: r(2), created: r(2), version: 1 }],
    [4, { modified: r(2), created: r(2), version: 1 }],
    [6, { modified: r(5), created: r(2), version: 2 }],
    [7, null],
    [8, null],
    [9, { modified: r(9), created: r(9), version: 1 }],
    [11, { modified: r(9), created: r(9), version: 1 }],
    [12, null],
    [100, null],
  ])('reads the key at revision %i from the generation alive then', (at, want) => {
    expect(exampleIndex().get(at)).toEqual(want);
  });

  it('counts versions with sub revisions of one transaction', () => {
    const ki = new KeyIndex('k');
    ki.put(r(3, 0));
    ki.put(r(4, 1));
    ki.put(r(4, 2));
    expect(ki.get(4)).toEqual({ modified: r(4, 2), created: r(3), version: 3 });
    expect(ki.get(3)).toEqual({ modified: r(3), created: r(3), version: 1 });
  });

  it.each([
    // [compact at, generations after, revision made available]
    [4, [[2, 5, 7], [9, 12], []], ['2_0']],
    [6, [[5, 7], [9, 12], []], ['5_0']],
    [7, [[7], [9, 12], []], ['7_0']],
    [8, [[9, 12], []], []],
    [12, [[12], []], ['12_0']],
  ])('compacts at %i keeping the newest revision at or below it', (at, want, available) => {
    const ki = exampleIndex();
    const set = new Set<string>();
    ki.compact(at, set);
    expect(gens(ki)).toEqual(want);
    expect([...set]).toEqual(available);
    expect(ki.isEmpty()).toBe(false);
  });

  it('becomes empty once compaction passes its last tombstone', () => {
    const ki = exampleIndex();
    ki.compact(13, new Set());
    expect(ki.isEmpty()).toBe(true);
    expect(gens(ki)).toEqual([[]]);
  });

  it('keeps compacting in steps the same as compacting once', () => {
    const stepped = exampleIndex();
    for (const at of [3, 6, 7, 10]) stepped.compact(at, new Set());
    const once = exampleIndex();
    once.compact(10, new Set());
    expect(stepped.view()).toEqual(once.view());
  });

  it('leaves out of keep() a tombstone exactly at the revision, which compact() keeps', () => {
    const keep = new Set<string>();
    exampleIndex().keep(7, keep);
    expect([...keep]).toEqual([]);
    const compacted = new Set<string>();
    exampleIndex().compact(7, compacted);
    expect([...compacted]).toEqual(['7_0']);
    const keep6 = new Set<string>();
    exampleIndex().keep(6, keep6);
    expect([...keep6]).toEqual(['5_0']);
  });

  it('refuses a tombstone when the key does not exist and a revision that is not newer', () => {
    const ki = exampleIndex();
    expect(ki.tombstone(r(13))).toBe(false);
    expect(() => ki.put(r(12))).toThrow(AssertionError);
  });

  it('restores a key from its only surviving tombstone', () => {
    const ki = new KeyIndex('k');
    ki.restoreTombstone(r(16));
    for (let at = 16; at <= 20; at++) expect(ki.get(at)).toBeNull();
    const set = new Set<string>();
    ki.compact(16, set);
    expect([...set]).toEqual(['16_0']);
    ki.put(r(17));
    ki.put(r(18));
    expect(ki.get(18)).toEqual({ modified: r(18), created: r(17), version: 2 });
    ki.compact(17, new Set());
    expect(gens(ki)).toEqual([[17, 18]]);
  });
});

/** The naive model: every change of one key, oldest first. */
interface Change {
  rev: Revision;
  tombstone: boolean;
}

function naiveGet(changes: readonly Change[], at: number): { modified: Revision; created: Revision; version: number } | null {
  let state: { modified: Revision; created: Revision; version: number } | null = null;
  for (const c of changes) {
    if (c.rev.main > at) break;
    if (c.tombstone) state = null;
    else state = state ? { modified: c.rev, created: state.created, version: state.version + 1 } : { modified: c.rev, created: c.rev, version: 1 };
  }
  return state;
}

describe('KeyIndex against a naive model', () => {
  it('answers every read at or after the compacted revision like a full history scan', () => {
    const prng = new Prng(2024);
    for (let round = 0; round < 300; round++) {
      const ki = new KeyIndex('k');
      const changes: Change[] = [];
      let main = 1;
      let live = false;
      const n = 1 + prng.int(30);
      for (let i = 0; i < n; i++) {
        main += 1 + prng.int(3);
        const subs = 1 + prng.int(2);
        for (let sub = 0; sub < subs; sub++) {
          const rev = r(main, sub);
          if (live && prng.chance(1, 3)) {
            expect(ki.tombstone(rev)).toBe(true);
            changes.push({ rev, tombstone: true });
            live = false;
            break; // a key is deleted at most once per transaction
          }
          ki.put(rev);
          changes.push({ rev, tombstone: false });
          live = true;
        }
      }
      let compactedAt = 0;
      if (prng.chance(2, 3)) {
        compactedAt = 1 + prng.int(main + 1);
        const available = new Set<string>();
        if (!ki.isEmpty()) ki.compact(compactedAt, available);
        // What compaction keeps is the newest change <= compactedAt of the live generation then,
        // or the tombstone at exactly compactedAt.
        const atCompact = naiveGet(changes, compactedAt);
        const last = [...changes].reverse().find((c) => c.rev.main <= compactedAt);
        if (atCompact) expect([...available]).toEqual([revisionId(atCompact.modified)]);
        else if (last?.tombstone && last.rev.main === compactedAt) expect([...available]).toEqual([revisionId(last.rev)]);
        else expect(available.size).toBe(0);
      }
      if (ki.isEmpty()) {
        expect(naiveGet(changes, main + 5)).toBeNull();
        continue;
      }
      for (let at = compactedAt; at <= main + 2; at++) {
        const got = ki.get(at);
        const want = naiveGet(changes, at);
        if (want === null) expect(got).toBeNull();
        else {
          expect(got?.modified).toEqual(want.modified);
          expect(got?.version).toBe(want.version);
          expect(got?.created).toEqual(want.created);
        }
      }
    }
  });
});
