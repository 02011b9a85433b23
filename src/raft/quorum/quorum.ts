// Quorum arithmetic over voter sets: the commit index a majority (or a joint pair of majorities)
// has acknowledged, and the outcome of an election.
//
// Pure. A MajorityConfig is a set of voter IDs; a JointConfig is the incoming and the outgoing
// majority (the outgoing one is empty unless a joint configuration is in effect, Raft thesis §4.3).

/** Result of tallying votes. */
export type VoteResult = 'VotePending' | 'VoteLost' | 'VoteWon';

/** Looks up the index a voter has acknowledged; undefined when unknown. */
export type AckedIndexer = (id: number) => number | undefined;

export type MajorityConfig = ReadonlySet<number>;

export interface JointConfig {
  incoming: Set<number>;
  /** Empty when the configuration is not joint. */
  outgoing: Set<number>;
}

/** IDs in ascending order. */
export function sortedIds(ids: Iterable<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

/** etcd's MajorityConfig.String: `(1 2 3)`, IDs in hex. */
export function majorityString(c: MajorityConfig): string {
  return `(${sortedIds(c)
    .map((id) => id.toString(16))
    .join(' ')})`;
}

/** etcd's JointConfig.String: `(1 2 3)&&(1)` when joint, else the incoming half. */
export function jointString(c: JointConfig): string {
  if (c.outgoing.size > 0) return majorityString(c.incoming) + '&&' + majorityString(c.outgoing);
  return majorityString(c.incoming);
}

/** Every voter of either half. */
export function jointIds(c: JointConfig): Set<number> {
  const ids = new Set<number>(c.incoming);
  for (const id of c.outgoing) ids.add(id);
  return ids;
}

/**
 * The largest index acknowledged by a majority: sort the acked indexes (unknown counts as 0) and
 * take the one at position n - (n/2 + 1). An empty config returns Infinity, so that a joint
 * config with an empty half behaves like its other half.
 */
export function majorityCommittedIndex(c: MajorityConfig, acked: AckedIndexer): number {
  const n = c.size;
  if (n === 0) return Infinity;
  const srt = new Array<number>(n).fill(0);
  let i = n - 1;
  for (const id of c) {
    const idx = acked(id);
    if (idx !== undefined) srt[i--] = idx;
  }
  srt.sort((a, b) => a - b);
  return srt[n - (Math.floor(n / 2) + 1)]!;
}

/** Won with a majority of yes votes; lost once a majority is out of reach; pending otherwise. */
export function majorityVoteResult(c: MajorityConfig, votes: ReadonlyMap<number, boolean>): VoteResult {
  if (c.size === 0) return 'VoteWon';
  let yes = 0;
  let missing = 0;
  for (const id of c) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) yes++;
  }
  const q = Math.floor(c.size / 2) + 1;
  if (yes >= q) return 'VoteWon';
  if (yes + missing >= q) return 'VotePending';
  return 'VoteLost';
}

/** A joint config commits what both halves commit. */
export function jointCommittedIndex(c: JointConfig, acked: AckedIndexer): number {
  return Math.min(majorityCommittedIndex(c.incoming, acked), majorityCommittedIndex(c.outgoing, acked));
}

/** A joint election is won when both halves win, and lost when either loses. */
export function jointVoteResult(c: JointConfig, votes: ReadonlyMap<number, boolean>): VoteResult {
  const r1 = majorityVoteResult(c.incoming, votes);
  const r2 = majorityVoteResult(c.outgoing, votes);
  if (r1 === r2) return r1;
  if (r1 === 'VoteLost' || r2 === 'VoteLost') return 'VoteLost';
  return 'VotePending';
}

/** Prints an index as etcd's quorum.Index does (MaxUint64, here Infinity, as ∞). */
export function indexString(i: number): string {
  return i === Infinity ? '∞' : String(i);
}

/**
 * etcd's MajorityConfig.Describe: one line per voter with a bar whose length shows how many
 * voters acknowledged less, so the committed index can be read off visually.
 */
export function describeMajority(c: MajorityConfig, acked: AckedIndexer): string {
  if (c.size === 0) return '<empty majority quorum>';
  const n = c.size;
  const info = [...c].map((id) => {
    const idx = acked(id);
    return { id, idx: idx ?? 0, ok: idx !== undefined, bar: 0 };
  });
  info.sort((a, b) => a.idx - b.idx || a.id - b.id);
  for (let i = 1; i < info.length; i++) {
    info[i]!.bar = info[i - 1]!.idx < info[i]!.idx ? i : info[i - 1]!.bar;
  }
  info.sort((a, b) => a.id - b.id);
  let out = ' '.repeat(n) + '    idx\n';
  for (const t of info) {
    if (!t.ok) out += '?' + ' '.repeat(n);
    else out += 'x'.repeat(t.bar) + '>' + ' '.repeat(n - t.bar);
    out += ` ${String(t.idx).padStart(5)}    (id=${t.id.toString(16)})\n`;
  }
  return out;
}
