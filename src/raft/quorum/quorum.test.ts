// Quorum arithmetic: the index a majority (or both halves of a joint configuration, Raft thesis
// §4.3) has acknowledged, which is the leader's commit index (Raft §5.3), and the outcome of an
// election (Raft §5.2).
//
// Method: table tests (it.each) of small configurations, then property tests against naive
// reference implementations (etcd-io/raft's quorum/quick_test.go idea) over thousands of
// Prng-random configurations and acknowledgement maps.
import { describe, expect, it } from 'vitest';
import { Prng } from '../../lib/prng';
import {
  jointCommittedIndex,
  jointVoteResult,
  majorityCommittedIndex,
  majorityVoteResult,
  type JointConfig,
  type VoteResult,
} from './quorum';

function indexer(acked: Record<number, number>): (id: number) => number | undefined {
  return (id) => acked[id];
}

function votesOf(v: Record<number, boolean>): Map<number, boolean> {
  return new Map(Object.entries(v).map(([k, b]) => [Number(k), b]));
}

/** Naive: the largest index that at least a majority has acknowledged (unknown counts as nothing). */
function naiveCommitted(voters: ReadonlySet<number>, acked: (id: number) => number | undefined): number {
  if (voters.size === 0) return Infinity;
  const q = Math.floor(voters.size / 2) + 1;
  const candidates = new Set<number>([0]);
  for (const id of voters) {
    const a = acked(id);
    if (a !== undefined) candidates.add(a);
  }
  let best = 0;
  for (const c of candidates) {
    let n = 0;
    for (const id of voters) if ((acked(id) ?? -1) >= c) n++;
    if (c === 0) n = voters.size; // everyone has index 0
    if (n >= q && c > best) best = c;
  }
  return best;
}

/** Naive: won with a majority of yes, lost when even all missing votes cannot make one. */
function naiveVote(voters: ReadonlySet<number>, votes: ReadonlyMap<number, boolean>): VoteResult {
  if (voters.size === 0) return 'VoteWon';
  let yes = 0;
  let no = 0;
  for (const id of voters) {
    if (votes.get(id) === true) yes++;
    if (votes.get(id) === false) no++;
  }
  const q = Math.floor(voters.size / 2) + 1;
  if (yes >= q) return 'VoteWon';
  if (voters.size - no < q) return 'VoteLost';
  return 'VotePending';
}

function randomIds(prng: Prng, max: number): Set<number> {
  const n = prng.int(max + 1);
  const ids = new Set<number>();
  while (ids.size < n) ids.add(1 + prng.int(2 * max));
  return ids;
}

describe('majority commit index', () => {
  it.each<[string, number[], Record<number, number>, number]>([
    ['an empty config commits everything (∞), so a joint config with an empty half follows the other', [], {}, Infinity],
    ['one voter: its own ack', [1], { 1: 12 }, 12],
    ['one voter without an ack: 0', [1], {}, 0],
    ['two voters need both', [1, 2], { 1: 12, 2: 5 }, 5],
    ['three voters: the median', [1, 2, 3], { 1: 12, 2: 5, 3: 7 }, 7],
    ['three voters, one unknown', [1, 2, 3], { 1: 12, 3: 7 }, 7],
    ['three voters, two unknown', [1, 2, 3], { 1: 12 }, 0],
    ['four voters need three', [1, 2, 3, 4], { 1: 12, 2: 5, 3: 7, 4: 9 }, 7],
    ['five voters need three', [1, 2, 3, 4, 5], { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 }, 3],
    ['acks from non-voters do not count', [1, 2, 3], { 1: 9, 4: 9, 5: 9 }, 0],
  ])('%s (§5.3)', (_, voters, acked, want) => {
    expect(majorityCommittedIndex(new Set(voters), indexer(acked))).toBe(want);
  });

  it('agrees with a naive reference on 20000 Prng-random configurations (§5.3)', () => {
    const prng = new Prng(20240601);
    for (let n = 0; n < 20000; n++) {
      const voters = randomIds(prng, 9);
      const acked: Record<number, number> = {};
      for (let id = 1; id <= 18; id++) if (prng.chance(2, 3)) acked[id] = prng.int(10);
      const got = majorityCommittedIndex(voters, indexer(acked));
      const want = naiveCommitted(voters, indexer(acked));
      if (got !== want) expect({ voters: [...voters], acked, got }).toEqual({ voters: [...voters], acked, got: want });
    }
  });

  it('is monotone: raising one acknowledgement never lowers the commit index (§5.3)', () => {
    const prng = new Prng(3);
    for (let n = 0; n < 2000; n++) {
      const voters = randomIds(prng, 7);
      const acked: Record<number, number> = {};
      for (const id of voters) acked[id] = prng.int(20);
      const before = majorityCommittedIndex(voters, indexer(acked));
      const ids = [...voters];
      if (ids.length === 0) continue;
      const id = prng.pick(ids);
      acked[id] = acked[id]! + 1 + prng.int(5);
      expect(majorityCommittedIndex(voters, indexer(acked))).toBeGreaterThanOrEqual(before);
    }
  });
});

describe('joint commit index', () => {
  it.each<[string, number[], number[], Record<number, number>, number]>([
    ['not joint: the incoming majority alone', [1, 2, 3], [], { 1: 5, 2: 6, 3: 7 }, 6],
    ['the lower of the two majorities', [1, 2, 3], [4, 5, 6], { 1: 5, 2: 6, 3: 7, 4: 1, 5: 2, 6: 3 }, 2],
    ['overlapping halves', [1, 2, 3], [2, 3, 4], { 1: 9, 2: 8, 3: 2, 4: 1 }, 2],
    ['both empty: ∞', [], [], {}, Infinity],
  ])('%s (Raft thesis §4.3)', (_, incoming, outgoing, acked, want) => {
    const c: JointConfig = { incoming: new Set(incoming), outgoing: new Set(outgoing) };
    expect(jointCommittedIndex(c, indexer(acked))).toBe(want);
  });

  it('is the minimum of both halves computed naively, on 10000 Prng-random joint configurations', () => {
    const prng = new Prng(77);
    for (let n = 0; n < 10000; n++) {
      const c: JointConfig = { incoming: randomIds(prng, 7), outgoing: randomIds(prng, 7) };
      const acked: Record<number, number> = {};
      for (let id = 1; id <= 14; id++) if (prng.chance(3, 4)) acked[id] = prng.int(10);
      const want = Math.min(naiveCommitted(c.incoming, indexer(acked)), naiveCommitted(c.outgoing, indexer(acked)));
      expect(jointCommittedIndex(c, indexer(acked))).toBe(want);
    }
  });
});

describe('vote results', () => {
  it.each<[number[], Record<number, boolean>, VoteResult]>([
    [[], {}, 'VoteWon'],
    [[1], {}, 'VotePending'],
    [[1], { 1: true }, 'VoteWon'],
    [[1], { 1: false }, 'VoteLost'],
    [[1, 2], { 1: true }, 'VotePending'],
    [[1, 2], { 1: true, 2: false }, 'VoteLost'],
    [[1, 2, 3], { 1: true }, 'VotePending'],
    [[1, 2, 3], { 1: true, 2: true }, 'VoteWon'],
    [[1, 2, 3], { 1: true, 2: false }, 'VotePending'],
    [[1, 2, 3], { 2: false, 3: false }, 'VoteLost'],
    [[1, 2, 3, 4], { 1: true, 2: true }, 'VotePending'],
    [[1, 2, 3, 4], { 1: true, 2: true, 3: false, 4: false }, 'VoteLost'],
    [[1, 2, 3, 4, 5], { 1: true, 2: true, 3: true }, 'VoteWon'],
    [[1, 2, 3], { 1: true, 4: true, 5: true }, 'VotePending'], // votes of non-voters do not count
  ])('a majority of %j with votes %j: %s (§5.2)', (voters, votes, want) => {
    expect(majorityVoteResult(new Set(voters), votesOf(votes))).toBe(want);
  });

  it.each<[number[], number[], Record<number, boolean>, VoteResult]>([
    [[], [], {}, 'VoteWon'],
    [[1], [], {}, 'VotePending'],
    [[1], [1], { 1: true }, 'VoteWon'],
    [[1], [1], { 1: false }, 'VoteLost'],
    [[1], [2], { 1: true }, 'VotePending'],
    [[1], [2], { 1: true, 2: true }, 'VoteWon'],
    [[1], [2], { 1: true, 2: false }, 'VoteLost'],
    [[1], [2], { 1: false }, 'VoteLost'],
    [[1, 2], [3, 4], { 1: true, 2: true }, 'VotePending'],
    [[1, 2], [3, 4], { 1: true, 2: true, 3: false }, 'VoteLost'],
    [[1, 2, 3], [3, 4, 5], { 1: true, 2: true, 4: true }, 'VotePending'],
    [[1, 2, 3], [3, 4, 5], { 1: true, 3: true, 4: true }, 'VoteWon'],
    [[1, 2, 3], [3, 4, 5], { 1: true, 2: true, 4: false, 5: false }, 'VoteLost'],
  ])('joint voters %j && %j with votes %j: %s — both halves must win (Raft thesis §4.3)', (incoming, outgoing, votes, want) => {
    expect(jointVoteResult({ incoming: new Set(incoming), outgoing: new Set(outgoing) }, votesOf(votes))).toBe(want);
  });

  it('agree with naive references on 20000 Prng-random elections, majority and joint', () => {
    const prng = new Prng(4242);
    for (let n = 0; n < 20000; n++) {
      const c: JointConfig = { incoming: randomIds(prng, 7), outgoing: prng.chance(1, 2) ? new Set() : randomIds(prng, 7) };
      const votes = new Map<number, boolean>();
      for (let id = 1; id <= 14; id++) {
        const r = prng.int(3);
        if (r < 2) votes.set(id, r === 0);
      }
      const a = naiveVote(c.incoming, votes);
      const b = naiveVote(c.outgoing, votes);
      const want: VoteResult = a === 'VoteLost' || b === 'VoteLost' ? 'VoteLost' : a === 'VoteWon' && b === 'VoteWon' ? 'VoteWon' : 'VotePending';
      expect(majorityVoteResult(c.incoming, votes)).toBe(a);
      expect(jointVoteResult(c, votes)).toBe(want);
    }
  });
});
