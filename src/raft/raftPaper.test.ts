// The rules of the Raft paper ("In Search of an Understandable Consensus Algorithm", §5), one test
// per rule, against the etcd-io/raft semantics of the core (the intent of etcd's
// raft_paper_test.go, written afresh), with the five safety properties of §5.2–5.4 named in their
// own describe blocks.
//
// Method: single-node rules drive a bare Raft through step()/tick() and read its outgoing messages
// (etcd's newTestRaft / readMessages); cluster rules run an in-memory TestNetwork of RawNodes that
// persist every Ready to MemoryStorage. The safety properties are also checked after every step of
// seeded random runs (reordered, dropped and partitioned messages, random ticks and proposals);
// every random choice comes from a Prng, so a failing seed replays exactly.
import { describe, expect, it } from 'vitest';
import { Prng } from '../lib/prng';
import { Raft, RawNode, makeMessage, type Entry, type StateType } from './index';
import {
  acceptAndReply,
  advanceMessagesAfterAppend,
  ents,
  newTestNetwork,
  newTestRaft,
  newTestStorage,
  persistAndApply,
  readMessages,
  sendAmongRafts,
  sortMessages,
  testConfig,
  TestNetwork,
} from './testing';

const ET = 10; // election timeout in ticks, as etcd

function idsBySize(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** A bare Raft over a storage holding `terms` as entries 1.. and the given HardState. */
function raftWithLog(
  id: number,
  voters: readonly number[],
  terms: readonly number[],
  hs: { term: number; vote?: number; commit?: number } = { term: 0 },
  overrides: Parameters<typeof newTestRaft>[2] = {},
): Raft {
  const s = newTestStorage(voters);
  s.append(ents(1, ...terms));
  s.setHardState({ term: hs.term, vote: hs.vote ?? 0, commit: hs.commit ?? 0 });
  return newTestRaft(id, s, overrides);
}

function propose(r: Raft, data = ''): Error | undefined {
  return r.step(makeMessage({ type: 'MsgProp', from: r.id, to: r.id, entries: [{ term: 0, index: 0, type: 'EntryNormal', data }] }));
}

/** Commits the new leader's empty entry with acks from every follower (etcd's commitNoopEntry). */
function commitNoopEntry(r: Raft, s: ReturnType<typeof newTestStorage>): void {
  expect(r.state).toBe('StateLeader');
  r.bcastAppend();
  for (const m of readMessages(r)) {
    expect(m.type).toBe('MsgApp');
    expect(m.entries).toHaveLength(1);
    expect(m.entries![0]!.data).toBe('');
    r.step(acceptAndReply(m));
  }
  readMessages(r);
  s.append(r.raftLog.nextUnstableEnts());
  r.raftLog.appliedTo(r.raftLog.committed, 0);
  const last = r.raftLog.lastEntryID();
  r.raftLog.stableTo(last.index, last.term);
}

function termsOf(es: readonly Entry[]): number[] {
  return es.map((e) => e.term);
}

describe('§5.1 terms', () => {
  it.each<StateType>(['StateFollower', 'StateCandidate', 'StateLeader'])(
    'a %s seeing a message with a higher term adopts that term and reverts to follower (§5.1)',
    (state) => {
      const r = newTestRaft(1, [1, 2, 3]);
      if (state === 'StateFollower') r.becomeFollower(1, 2);
      if (state !== 'StateFollower') r.becomeCandidate();
      if (state === 'StateLeader') r.becomeLeader();
      expect(r.state).toBe(state);

      r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 2 }));

      expect(r.term).toBe(2);
      expect(r.state).toBe('StateFollower');
      expect(r.lead).toBe(2);
    },
  );

  it('a message with a stale term is not processed: etcd ignores it instead of answering (§5.1)', () => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.loadState({ term: 2, vote: 0, commit: 0 });
    let called = false;
    r.stepFn = () => {
      called = true;
      return undefined;
    };

    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 1, entries: ents(1, 1) }));

    expect(called).toBe(false);
    expect(r.term).toBe(2);
    expect(r.raftLog.lastIndex()).toBe(0);
    expect(readMessages(r)).toEqual([]);
  });

  it('a stale leader is told the newer term when CheckQuorum is on, so it can step down (§5.1)', () => {
    const r = newTestRaft(1, [1, 2, 3], { checkQuorum: true });
    r.loadState({ term: 2, vote: 0, commit: 0 });

    r.step(makeMessage({ type: 'MsgHeartbeat', from: 2, to: 1, term: 1 }));

    expect(readMessages(r)).toEqual([makeMessage({ type: 'MsgAppResp', from: 1, to: 2, term: 2 })]);
  });

  it('a vote request from a stale term is not granted and leaves the vote untouched (§5.1)', () => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.loadState({ term: 2, vote: 0, commit: 0 });

    r.step(makeMessage({ type: 'MsgVote', from: 2, to: 1, term: 1 }));

    expect(r.vote).toBe(0);
    expect(r.msgsAfterAppend).toEqual([]);
    expect(readMessages(r)).toEqual([]);
  });
});

describe('§5.2 leader election', () => {
  it('a server starts up as a follower with no leader (§5.2)', () => {
    const r = newTestRaft(1, [1, 2, 3]);
    expect(r.state).toBe('StateFollower');
    expect(r.lead).toBe(0);

    // Also on restart from persisted state: the term survives, the role does not.
    const s = newTestStorage([1, 2, 3]);
    s.setHardState({ term: 5, vote: 2, commit: 0 });
    const rn = new RawNode(testConfig(1, s));
    expect(rn.raft.state).toBe('StateFollower');
    expect(rn.raft.term).toBe(5);
    expect(rn.raft.vote).toBe(2);
  });

  it('a leader sends empty heartbeats (no entries, index and log term 0) to every follower each heartbeat interval (§5.2)', () => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.becomeCandidate();
    r.becomeLeader();
    for (let i = 0; i < 10; i++) r.appendEntry([{ term: 0, index: 0, type: 'EntryNormal', data: '' }]);
    readMessages(r);

    r.tick(); // heartbeatTick = 1

    expect(sortMessages(readMessages(r))).toEqual([
      makeMessage({ type: 'MsgHeartbeat', from: 1, to: 2, term: 1, commit: 0 }),
      makeMessage({ type: 'MsgHeartbeat', from: 1, to: 3, term: 1, commit: 0 }),
    ]);
  });

  it('followers that keep hearing heartbeats never start an election (§5.2)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    const term = net.raft(1).term;

    net.tickAll(10 * ET);

    expect(net.leaders()).toEqual([1]);
    for (const id of net.ids()) expect(net.raft(id).term).toBe(term);
  });

  it.each<StateType>(['StateFollower', 'StateCandidate'])(
    'a %s that hears nothing for an election timeout increments its term, votes for itself and asks every other server for a vote (§5.2)',
    (state) => {
      const r = newTestRaft(1, [1, 2, 3]);
      if (state === 'StateFollower') r.becomeFollower(1, 2);
      else r.becomeCandidate();
      expect(r.term).toBe(1);

      for (let i = 1; i < 2 * ET; i++) r.tick();
      const msgs = sortMessages(readMessages(r));

      expect(r.term).toBe(2);
      expect(r.state).toBe('StateCandidate');
      expect(r.vote).toBe(1);
      expect(r.trk.votes.get(1)).toBe(true);
      expect(msgs).toEqual([
        makeMessage({ type: 'MsgVote', from: 1, to: 2, term: 2, index: 0, logTerm: 0 }),
        makeMessage({ type: 'MsgVote', from: 1, to: 3, term: 2, index: 0, logTerm: 0 }),
      ]);
    },
  );

  it.each<[number, Record<number, boolean>, StateType]>([
    // wins with votes from a majority
    [1, {}, 'StateLeader'],
    [3, { 2: true, 3: true }, 'StateLeader'],
    [3, { 2: true }, 'StateLeader'],
    [5, { 2: true, 3: true, 4: true, 5: true }, 'StateLeader'],
    [5, { 2: true, 3: true, 4: true }, 'StateLeader'],
    [5, { 2: true, 3: true }, 'StateLeader'],
    // returns to follower when a majority denies
    [3, { 2: false, 3: false }, 'StateFollower'],
    [5, { 2: false, 3: false, 4: false, 5: false }, 'StateFollower'],
    [5, { 2: true, 3: false, 4: false, 5: false }, 'StateFollower'],
    // stays candidate while the outcome is open
    [3, {}, 'StateCandidate'],
    [5, { 2: true }, 'StateCandidate'],
    [5, { 2: false, 3: false }, 'StateCandidate'],
    [5, {}, 'StateCandidate'],
  ])('in one round of votes a candidate of %i voters with votes %j ends as %s (§5.2)', (size, votes, want) => {
    const r = newTestRaft(1, idsBySize(size));
    r.step(makeMessage({ type: 'MsgHup', from: 1, to: 1 }));
    advanceMessagesAfterAppend(r);
    for (const [id, granted] of Object.entries(votes)) {
      r.step(makeMessage({ type: 'MsgVoteResp', from: Number(id), to: 1, term: r.term, reject: !granted }));
    }
    expect(r.state).toBe(want);
    expect(r.term).toBe(1);
  });

  it.each<[number, number, boolean]>([
    [0, 2, false],
    [0, 3, false],
    [2, 2, false],
    [3, 3, false],
    [2, 3, true],
    [3, 2, true],
  ])('a follower that voted for %i in this term answers a vote request from %i with reject=%s: one vote per term, first come first served (§5.2)', (vote, candidate, reject) => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.loadState({ term: 1, vote, commit: 0 });

    r.step(makeMessage({ type: 'MsgVote', from: candidate, to: 1, term: 1 }));

    expect(r.msgsAfterAppend).toEqual([makeMessage({ type: 'MsgVoteResp', from: 1, to: candidate, term: 1, reject })]);
    expect(r.vote).toBe(vote === 0 ? candidate : vote);
  });

  it.each([1, 2])('a candidate receiving MsgApp from a leader of term %i (>= its own) returns to follower (§5.2)', (term) => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.step(makeMessage({ type: 'MsgHup', from: 1, to: 1 }));
    expect(r.state).toBe('StateCandidate');
    expect(r.term).toBe(1);

    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term }));

    expect(r.state).toBe('StateFollower');
    expect(r.term).toBe(term);
    expect(r.lead).toBe(2);
  });

  it.each<StateType>(['StateFollower', 'StateCandidate'])(
    'a %s times out after a randomized election timeout in [et, 2et) and every value occurs (§5.2)',
    (state) => {
      const r = newTestRaft(1, [1, 2, 3], { random: new Prng(2024) });
      const seen = new Set<number>();
      for (let round = 0; round < 50 * ET; round++) {
        if (state === 'StateFollower') r.becomeFollower(r.term + 1, 2);
        else r.becomeCandidate();
        let elapsed = 0;
        while (readMessages(r).length === 0) {
          r.tick();
          elapsed++;
          expect(elapsed).toBeLessThan(2 * ET);
        }
        seen.add(elapsed);
      }
      expect(Math.min(...seen)).toBe(ET);
      expect(Math.max(...seen)).toBe(2 * ET - 1);
      expect(seen.size).toBe(ET);
    },
  );

  it.each<StateType>(['StateFollower', 'StateCandidate'])(
    'randomized timeouts spread %ss out: among five, several time out on the same tick in at most 30%% of rounds (§5.2)',
    (state) => {
      const ids = idsBySize(5);
      const seed = new Prng(77);
      const rs = ids.map((id) => newTestRaft(id, ids, { random: seed.fork(id) }));
      let conflicts = 0;
      for (let round = 0; round < 1000; round++) {
        for (const r of rs) {
          if (state === 'StateFollower') r.becomeFollower(r.term + 1, 0);
          else r.becomeCandidate();
        }
        let timedOut = 0;
        while (timedOut === 0) {
          for (const r of rs) {
            r.tick();
            if (readMessages(r).length > 0) timedOut++;
          }
        }
        if (timedOut > 1) conflicts++;
      }
      expect(conflicts / 1000).toBeLessThanOrEqual(0.3);
      expect(conflicts).toBeGreaterThan(0); // the draw is random, not a fixed order
    },
  );
});

describe('§5.3 log replication', () => {
  it('a leader appends a proposal to its log and sends MsgApp with the preceding (index, term) to every follower (§5.3)', () => {
    const s = newTestStorage([1, 2, 3]);
    const r = newTestRaft(1, s);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(r, s);
    const li = r.raftLog.lastIndex();

    propose(r, 'some data');

    expect(r.raftLog.lastIndex()).toBe(li + 1);
    expect(r.raftLog.committed).toBe(li);
    const want: Entry[] = [{ index: li + 1, term: 1, type: 'EntryNormal', data: 'some data' }];
    expect(sortMessages(readMessages(r))).toEqual([
      makeMessage({ type: 'MsgApp', from: 1, to: 2, term: 1, index: li, logTerm: 1, entries: want, commit: li }),
      makeMessage({ type: 'MsgApp', from: 1, to: 3, term: 1, index: li, logTerm: 1, entries: want, commit: li }),
    ]);
    // ...and hands it out to be written to stable storage.
    expect(r.raftLog.nextUnstableEnts()).toEqual(want);
  });

  it('once a majority has the entry the leader commits it, hands it out for applying, and tells followers the new commit index (§5.3)', () => {
    const s = newTestStorage([1, 2, 3]);
    const r = newTestRaft(1, s);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(r, s);
    const li = r.raftLog.lastIndex();
    propose(r, 'some data');

    for (const m of readMessages(r)) r.step(acceptAndReply(m));

    expect(r.raftLog.committed).toBe(li + 1);
    expect(r.raftLog.nextCommittedEnts(true)).toEqual([{ index: li + 1, term: 1, type: 'EntryNormal', data: 'some data' }]);
    const msgs = sortMessages(readMessages(r));
    expect(msgs.map((m) => [m.to, m.type, m.commit])).toEqual([
      [2, 'MsgApp', li + 1],
      [3, 'MsgApp', li + 1],
    ]);
  });

  it.each<[number, number[], boolean]>([
    [1, [], true],
    [3, [], false],
    [3, [2], true],
    [3, [2, 3], true],
    [5, [], false],
    [5, [2], false],
    [5, [2, 3], true],
    [5, [2, 3, 4], true],
    [5, [2, 3, 4, 5], true],
  ])('with %i voters and acks from %j the entry is committed: %s — exactly when a majority holds it (§5.3)', (size, acceptors, committed) => {
    const ids = idsBySize(size);
    const s = newTestStorage(ids);
    const r = newTestRaft(1, s);
    r.becomeCandidate();
    r.becomeLeader();
    if (size > 1) commitNoopEntry(r, s);
    else persistAndApply(r, s);
    const li = r.raftLog.lastIndex();
    propose(r, 'some data');
    advanceMessagesAfterAppend(r);

    for (const m of [...r.msgs]) if (acceptors.includes(m.to)) r.step(acceptAndReply(m));

    expect(r.raftLog.committed > li).toBe(committed);
  });

  it.each<[string, Entry[]]>([
    ['an empty log', []],
    ['one entry of term 2', ents(1, 2)],
    ['entries of terms 1 and 2', ents(1, 1, 2)],
    ['one entry of term 1', ents(1, 1)],
  ])('committing an entry also commits every preceding one, from earlier terms too, applied in log order — %s (§5.3)', (_, prior) => {
    const s = newTestStorage([1, 2, 3]);
    s.append(prior);
    const r = newTestRaft(1, s);
    r.loadState({ term: 2, vote: 0, commit: 0 });
    r.becomeCandidate();
    r.becomeLeader();
    propose(r, 'some data');

    for (const m of readMessages(r)) r.step(acceptAndReply(m));

    const li = prior.length;
    expect(r.raftLog.nextCommittedEnts(true)).toEqual([
      ...prior,
      { term: 3, index: li + 1, type: 'EntryNormal', data: '' },
      { term: 3, index: li + 2, type: 'EntryNormal', data: 'some data' },
    ]);
  });

  it.each<[number, number, Entry[]]>([
    [1, 1, [{ term: 1, index: 1, type: 'EntryNormal', data: 'some data' }]],
    [
      2,
      2,
      [
        { term: 1, index: 1, type: 'EntryNormal', data: 'some data' },
        { term: 1, index: 2, type: 'EntryNormal', data: 'some data2' },
      ],
    ],
    [
      2,
      2,
      [
        { term: 1, index: 1, type: 'EntryNormal', data: 'some data2' },
        { term: 1, index: 2, type: 'EntryNormal', data: 'some data' },
      ],
    ],
    [
      1,
      2,
      [
        { term: 1, index: 1, type: 'EntryNormal', data: 'some data' },
        { term: 1, index: 2, type: 'EntryNormal', data: 'some data2' },
      ],
    ],
  ])('a follower learns commit index %i of %i appended entries from MsgApp and applies them in log order (§5.3)', (commit, _n, entries) => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.becomeFollower(1, 2);

    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 1, entries, commit }));

    expect(r.raftLog.committed).toBe(commit);
    expect(r.raftLog.nextCommittedEnts(true)).toEqual(entries.slice(0, commit));
  });

  it.each<[string, number, number, number, boolean, number, number]>([
    // [case, logTerm, index, want index, want reject, want hint index, want hint term]
    ['matches the committed prefix', 0, 0, 1, false, 0, 0],
    ['matches a committed entry', 1, 1, 1, false, 0, 0],
    ['matches an uncommitted entry', 2, 2, 2, false, 0, 0],
    ['conflicts with an existing entry', 1, 2, 2, true, 1, 1],
    ['names an entry the follower lacks', 3, 3, 3, true, 2, 2],
  ])('a follower checks the previous (index, term) of a MsgApp: it %s (§5.3)', (_, logTerm, index, windex, reject, hint, hintTerm) => {
    const s = newTestStorage([1, 2, 3]);
    s.append(ents(1, 1, 2));
    const r = newTestRaft(1, s);
    r.loadState({ term: 0, vote: 0, commit: 1 });
    r.becomeFollower(2, 2);

    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 2, logTerm, index }));

    const want = makeMessage({ type: 'MsgAppResp', from: 1, to: 2, term: 2, index: windex });
    if (reject) Object.assign(want, { reject: true, rejectHint: hint, logTerm: hintTerm });
    expect(readMessages(r)).toEqual([want]);
  });

  it.each<[string, number, number, Entry[], number[], Entry[]]>([
    // [case, prev index, prev term, entries, resulting log terms, new unstable entries]
    ['appends after the last entry', 2, 2, ents(3, 3), [1, 2, 3], ents(3, 3)],
    ['truncates a conflicting suffix and appends', 1, 1, ents(2, 3, 4), [1, 3, 4], ents(2, 3, 4)],
    ['ignores entries it already holds', 0, 0, ents(1, 1), [1, 2], []],
    ['replaces the whole log on a conflict at index 1', 0, 0, ents(1, 3), [3], ents(1, 3)],
  ])('on a valid MsgApp a follower deletes conflicting entries and appends new ones: it %s (§5.3)', (_, index, logTerm, entries, wantTerms, wantUnstable) => {
    const s = newTestStorage([1, 2, 3]);
    s.append(ents(1, 1, 2));
    const r = newTestRaft(1, s);
    r.becomeFollower(2, 2);

    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 2, logTerm, index, entries }));

    expect(termsOf(r.raftLog.allEntries())).toEqual(wantTerms);
    expect(r.raftLog.nextUnstableEnts()).toEqual(wantUnstable);
  });
});

describe('§5.3 replication keeps going, §5.5 follower crashes', () => {
  it('a heartbeat tells each follower the commit index, but never more than that follower is known to hold (§5.3)', () => {
    const s = newTestStorage([1, 2, 3]);
    const r = newTestRaft(1, s);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(r, s);
    propose(r, 'x');
    for (const m of readMessages(r)) if (m.to === 2) r.step(acceptAndReply(m));
    readMessages(r);
    expect(r.raftLog.committed).toBe(2);
    expect(r.trk.progress.get(3)!.match).toBe(1);

    r.tick();

    const beats = sortMessages(readMessages(r)).filter((m) => m.type === 'MsgHeartbeat');
    expect(beats.map((m) => [m.to, m.commit])).toEqual([
      [2, 2],
      [3, 1],
    ]);
  });

  it('the leader retries appends until a follower that missed them holds every entry (§5.3)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    net.msgHook = (m) => !(m.type === 'MsgApp' && m.to === 3);
    for (const d of ['a', 'b', 'c']) expect(net.propose(1, d)).toBeUndefined();
    expect(net.raft(1).raftLog.committed).toBe(5);
    expect(net.raft(3).raftLog.lastIndex()).toBe(2);

    net.recover();
    net.tick(1); // the heartbeat response shows 3 is behind; the leader sends again

    expect(net.node(3).log()).toEqual(net.node(1).log());
    expect(net.node(3).applied.map((e) => e.data)).toEqual(['', 'a', 'b', 'c']);
  });

  it('AppendEntries is idempotent: a duplicated MsgApp changes nothing and is acknowledged again (§5.5)', () => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.becomeFollower(1, 2);
    const app = makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 1, entries: ents(1, 1, 1), commit: 0 });
    r.step(app);
    const first = readMessages(r);
    const log = r.raftLog.allEntries();
    expect(r.raftLog.nextUnstableEnts()).toHaveLength(2);
    r.raftLog.acceptUnstable(); // handed out for persistence

    r.step({ ...app });

    expect(first).toEqual([makeMessage({ type: 'MsgAppResp', from: 1, to: 2, term: 1, index: 2 })]);
    expect(readMessages(r)).toEqual(first);
    expect(r.raftLog.allEntries()).toEqual(log);
    expect(r.raftLog.nextUnstableEnts()).toEqual([]); // nothing new to persist

    // Once the follower knows index 1 is committed, a duplicate anchored below it is answered
    // with the commit index (etcd's shortcut), never with a rejection.
    r.step(makeMessage({ type: 'MsgHeartbeat', from: 2, to: 1, term: 1, commit: 1 }));
    readMessages(r);
    r.step({ ...app });
    expect(readMessages(r)).toEqual([makeMessage({ type: 'MsgAppResp', from: 1, to: 2, term: 1, index: 1 })]);
    expect(r.raftLog.allEntries()).toEqual(log);
  });

  it('a follower that crashes and restarts from its storage keeps its term, vote and log and is brought up to date (§5.5, Figure 2)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    net.propose(1, 'a');
    const before = { term: net.raft(3).term, vote: net.raft(3).vote, log: net.node(3).log() };

    net.isolate(3);
    net.restart(3);
    expect(net.raft(3).term).toBe(before.term);
    expect(net.raft(3).vote).toBe(before.vote);
    expect(net.node(3).log()).toEqual(before.log);
    expect(net.raft(3).state).toBe('StateFollower');
    net.propose(1, 'b'); // missed while down

    net.recover();
    net.tick(1);
    expect(net.node(3).log()).toEqual(net.node(1).log());
    expect(net.node(3).applied.map((e) => e.data)).toEqual(['', 'a', 'b']);
  });
});

// Raft paper, Figure 7: the leader for term 8 and six possible follower logs (a)-(f).
const FIG7_LEADER = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
const FIG7_FOLLOWERS: Record<string, number[]> = {
  a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
  b: [1, 1, 1, 4],
  c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
  d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
  e: [1, 1, 1, 4, 4, 4, 4],
  f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
};

describe('§5.3 Figure 7: the leader brings divergent follower logs into agreement', () => {
  it.each(Object.keys(FIG7_FOLLOWERS))('follower (%s) of Figure 7 ends with exactly the leader log (§5.3, Figure 7)', (name) => {
    const term = 8;
    const lead = raftWithLog(1, [1, 2, 3], FIG7_LEADER, { term, commit: FIG7_LEADER.length });
    const follower = raftWithLog(2, [1, 2, 3], FIG7_FOLLOWERS[name]!, { term: term - 1 });
    const peers = new Map([
      [1, lead],
      [2, follower],
    ]); // node 3 is a black hole except for the one vote it casts below

    lead.step(makeMessage({ type: 'MsgHup', from: 1, to: 1 }));
    sendAmongRafts(peers, readMessages(lead));
    // The follower may have the more up-to-date log and refuse; node 3's vote decides.
    sendAmongRafts(peers, [makeMessage({ type: 'MsgVoteResp', from: 3, to: 1, term: term + 1 })]);
    expect(lead.state).toBe('StateLeader');
    propose(lead, '');
    sendAmongRafts(peers, readMessages(lead));

    const leaderLog = lead.raftLog.allEntries();
    expect(leaderLog.map((e) => e.term)).toEqual([...FIG7_LEADER, term + 1, term + 1]);
    expect(follower.raftLog.allEntries()).toEqual(leaderLog);
    expect(follower.raftLog.committed).toBe(lead.raftLog.committed);
  });

  it('a new leader in a seven-server cluster holding all logs of Figure 7 wins with four votes and repairs all six followers (§5.3, §5.4.1, Figure 7)', () => {
    const ids = idsBySize(7);
    const net = new TestNetwork();
    const logs = [FIG7_LEADER, ...Object.values(FIG7_FOLLOWERS)];
    ids.forEach((id, i) => {
      const s = newTestStorage(ids);
      s.append(ents(1, ...logs[i]!));
      s.setHardState({ term: 7, vote: 0, commit: 0 });
      net.addNode(id, s);
    });

    net.campaign(1);

    expect(net.leaders()).toEqual([1]);
    // c (node 4) and d (node 5) hold logs more up to date than the leader's and refuse (§5.4.1).
    const refusals = net.delivered.filter((m) => m.type === 'MsgVoteResp' && m.reject).map((m) => m.from);
    expect(refusals.sort()).toEqual([4, 5]);
    expect(net.propose(1, 'x')).toBeUndefined();
    const leaderLog = net.node(1).log();
    expect(leaderLog.map((e) => e.term)).toEqual([...FIG7_LEADER, 8, 8]);
    for (const id of ids) {
      expect(net.node(id).log()).toEqual(leaderLog);
      expect(net.raft(id).raftLog.committed).toBe(12);
      expect(net.node(id).applied.map((e) => e.index)).toEqual(idsBySize(12));
    }
  });
});

describe('§5.4 safety: election restriction and commitment rules', () => {
  it.each<[Entry[], number]>([
    [ents(1, 1), 2],
    [ents(1, 1, 2), 3],
  ])('a vote request carries the last index and term of the candidate log and goes to every other server (§5.4.1)', (entries, wterm) => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: wterm - 1, logTerm: 0, index: 0, entries }));
    readMessages(r);

    for (let i = 1; i < 2 * ET; i++) r.tick();

    const last = entries[entries.length - 1]!;
    expect(sortMessages(readMessages(r))).toEqual([
      makeMessage({ type: 'MsgVote', from: 1, to: 2, term: wterm, index: last.index, logTerm: last.term }),
      makeMessage({ type: 'MsgVote', from: 1, to: 3, term: wterm, index: last.index, logTerm: last.term }),
    ]);
  });

  it.each<[string, number[], number, number, boolean]>([
    // same last term: the longer log wins
    ['same last term, same length', [1], 1, 1, false],
    ['same last term, candidate longer', [1], 1, 2, false],
    ['same last term, voter longer', [1, 1], 1, 1, true],
    // candidate's last term higher: granted whatever the length
    ['candidate last term higher, same length', [1], 2, 1, false],
    ['candidate last term higher, candidate longer', [1], 2, 2, false],
    ['candidate last term higher, voter longer', [1, 1], 2, 1, false],
    // voter's last term higher: refused whatever the length
    ['voter last term higher, same length', [2], 1, 1, true],
    ['voter last term higher, candidate longer', [2], 1, 2, true],
    ['voter last term higher, voter longer', [2, 2], 1, 1, true],
    ['voter longer at the same term', [1, 1], 1, 1, true],
  ])('a voter refuses a candidate whose log is less up to date than its own — %s (§5.4.1)', (_, voterTerms, logTerm, index, reject) => {
    const r = raftWithLog(1, [1, 2], voterTerms);

    r.step(makeMessage({ type: 'MsgVote', from: 2, to: 1, term: 3, logTerm, index }));

    const msgs = readMessages(r);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.type).toBe('MsgVoteResp');
    expect(msgs[0]!.reject).toBe(reject);
  });

  it.each<[number, number]>([
    [1, 0],
    [2, 0],
    [3, 3],
  ])('counting replicas commits only entries of the current term: an ack of index %i commits up to %i (§5.4.2)', (index, wcommit) => {
    const r = raftWithLog(1, [1, 2], [1, 2], { term: 2 });
    r.becomeCandidate(); // term 3
    r.becomeLeader();
    readMessages(r);
    propose(r);

    r.step(makeMessage({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index }));
    advanceMessagesAfterAppend(r);

    expect(r.raftLog.committed).toBe(wcommit);
  });

  describe('the Figure 8 situation (§5.4.2)', () => {
    // Figure 8 after (b): S1 led term 2 and put 2@2 on S1, S2; S5 led term 3 and put 2@3 on S5
    // only. S1 now campaigns for term 4 with S2 and S3 holding 2@2 (in the paper S1 copies 2@2 to
    // S3 in term 4; here S3 starts with it). S4 holds only 1@1.
    function figure8(): Map<number, Raft> {
      const voters = [1, 2, 3, 4, 5];
      return new Map([
        [1, raftWithLog(1, voters, [1, 2], { term: 3 })],
        [2, raftWithLog(2, voters, [1, 2], { term: 2 })],
        [3, raftWithLog(3, voters, [1, 2], { term: 3, vote: 5 })],
        [4, raftWithLog(4, voters, [1], { term: 3, vote: 5 })],
        [5, raftWithLog(5, voters, [1, 3], { term: 3, vote: 5 })],
      ]);
    }

    function electS1(rafts: Map<number, Raft>): Raft {
      const s1 = rafts.get(1)!;
      s1.step(makeMessage({ type: 'MsgHup', from: 1, to: 1 }));
      // Only S2 and S3 hear S1 (S4, S5 are down); S1's appends are lost for now.
      const withS2S3 = new Map([...rafts].filter(([id]) => id <= 3));
      sendAmongRafts(withS2S3, readMessages(s1), (m) => m.type !== 'MsgApp');
      expect(s1.state).toBe('StateLeader');
      expect(s1.term).toBe(4);
      readMessages(s1);
      return s1;
    }

    it('an entry of an earlier term stored on a majority is not committed by counting replicas, because it can still be overwritten (§5.4.2, Figure 8c-d)', () => {
      const rafts = figure8();
      const s1 = electS1(rafts);
      expect(termsOf(s1.raftLog.allEntries())).toEqual([1, 2, 4]);

      // (c) S2 and S3 acknowledge 2@2: it is on S1, S2, S3, a majority of five.
      s1.step(makeMessage({ type: 'MsgAppResp', from: 2, to: 1, term: 4, index: 2 }));
      s1.step(makeMessage({ type: 'MsgAppResp', from: 3, to: 1, term: 4, index: 2 }));
      advanceMessagesAfterAppend(s1);
      expect(s1.raftLog.committed).toBe(0);

      // (d) S1 crashes. S5 (last entry 2@3) can win term 5 with S2, S3 and S4: each finds its
      // log at least as up to date (§5.4.1) ...
      const s5 = rafts.get(5)!;
      s5.loadState({ term: 4, vote: 0, commit: 0 });
      s5.step(makeMessage({ type: 'MsgHup', from: 5, to: 5 }));
      const others = new Map([...rafts].filter(([id]) => id !== 1));
      sendAmongRafts(others, readMessages(s5));
      expect(s5.state).toBe('StateLeader');
      expect(s5.term).toBe(5);
      // ... and then replaces 2@2 with its own 2@3 on S2 and S3.
      expect(rafts.get(2)!.raftLog.term(2)).toEqual({ term: 3 });
      expect(rafts.get(3)!.raftLog.term(2)).toEqual({ term: 3 });
    });

    it('once an entry of the current term is on a majority, it and every entry before it are committed and no stale candidate can win (§5.4.2, Figure 8e)', () => {
      const rafts = figure8();
      const s1 = electS1(rafts);
      // (e) S1's next heartbeat round lets it replicate its term-4 entry to S2 and S3.
      s1.tick();
      const withS2S3 = new Map([...rafts].filter(([id]) => id <= 3));
      sendAmongRafts(withS2S3, readMessages(s1));
      expect(s1.raftLog.committed).toBe(3);
      expect(termsOf(rafts.get(2)!.raftLog.allEntries())).toEqual([1, 2, 4]);

      // S1 crashes. S5 cannot win: S2 and S3 hold a log ending in term 4.
      const s5 = rafts.get(5)!;
      s5.loadState({ term: 4, vote: 0, commit: 0 });
      s5.step(makeMessage({ type: 'MsgHup', from: 5, to: 5 }));
      const others = new Map([...rafts].filter(([id]) => id !== 1));
      sendAmongRafts(others, readMessages(s5));
      expect(s5.state).not.toBe('StateLeader');
      expect(rafts.get(2)!.raftLog.term(2)).toEqual({ term: 2 });
      expect(rafts.get(3)!.raftLog.term(2)).toEqual({ term: 2 });
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The five safety properties (Raft paper, Figure 3), each with a targeted scenario, and all of them
// checked together after every step of seeded random runs.

interface ChaosStats {
  /** Terms in which some node led. */
  leaderTerms: number;
  /** Highest index any node knew committed. */
  maxCommit: number;
}

/** Checks the five properties after every step of a random run; throws on a violation. */
class SafetyChecker {
  private readonly leaderOfTerm = new Map<number, number>();
  private readonly leaderLogs = new Map<string, Entry[]>();
  /** Entries known committed: the entry and the lowest term of a node that knew it committed. */
  private readonly committed = new Map<number, { entry: Entry; term: number }>();
  private readonly appliedAt = new Map<number, Entry>();
  private readonly appliedChecked = new Map<number, number>();

  constructor(private readonly net: TestNetwork) {}

  leaderTerms(): number {
    return this.leaderOfTerm.size;
  }

  maxCommit(): number {
    return Math.max(0, ...this.committed.keys());
  }

  check(where: string): void {
    const net = this.net;
    const logs = new Map<number, Entry[]>();
    for (const id of net.ids()) logs.set(id, net.node(id).log());

    for (const id of net.ids()) {
      const r = net.raft(id);
      if (r.state !== 'StateLeader') continue;
      // Election Safety: at most one leader per term.
      const other = this.leaderOfTerm.get(r.term);
      if (other !== undefined && other !== id) throw new Error(`${where}: Election Safety: ${other} and ${id} both lead term ${r.term}`);
      this.leaderOfTerm.set(r.term, id);
      // Leader Append-Only: what the leader held before in this term is still a prefix of its log.
      const key = `${id}@${r.term}`;
      const before = this.leaderLogs.get(key);
      const now = logs.get(id)!;
      if (before !== undefined && !isPrefix(before, now)) throw new Error(`${where}: Leader Append-Only violated by ${key}`);
      this.leaderLogs.set(key, now);
    }

    // Log Matching: two logs holding an entry with the same index and term agree up to it.
    const ids = net.ids();
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = logs.get(ids[i]!)!;
        const b = logs.get(ids[j]!)!;
        const hi = Math.min(lastIndexOf(a), lastIndexOf(b));
        let k = hi;
        while (k > 0 && !(termAt(a, k) !== undefined && termAt(a, k) === termAt(b, k))) k--;
        for (let x = 1; x <= k; x++) {
          const ea = entryAt(a, x);
          const eb = entryAt(b, x);
          if (ea === undefined || eb === undefined) continue; // before a node's first index
          if (ea.term !== eb.term || ea.data !== eb.data) {
            throw new Error(`${where}: Log Matching: ${ids[i]} and ${ids[j]} agree at ${k} but differ at ${x}`);
          }
        }
      }
    }

    // Record what each node knows committed, at the lowest term it was seen at.
    for (const id of ids) {
      const r = net.raft(id);
      const log = logs.get(id)!;
      for (let x = 1; x <= r.raftLog.committed; x++) {
        const e = entryAt(log, x);
        if (e === undefined) continue;
        const seen = this.committed.get(x);
        if (seen === undefined) this.committed.set(x, { entry: e, term: r.term });
        else {
          if (seen.entry.term !== e.term || seen.entry.data !== e.data) {
            throw new Error(`${where}: two different entries committed at ${x}`);
          }
          if (r.term < seen.term) seen.term = r.term;
        }
      }
    }

    // Leader Completeness: a leader of term T holds every entry committed at a term <= T.
    for (const id of ids) {
      const r = net.raft(id);
      if (r.state !== 'StateLeader') continue;
      const log = logs.get(id)!;
      for (const [x, { entry, term }] of this.committed) {
        if (term > r.term) continue;
        const mine = entryAt(log, x);
        if (x < (log[0]?.index ?? 1)) continue;
        if (mine === undefined || mine.term !== entry.term || mine.data !== entry.data) {
          throw new Error(`${where}: Leader Completeness: leader ${id}@${r.term} lacks committed entry ${x}`);
        }
      }
    }

    // State Machine Safety: no two nodes apply different entries at the same index.
    for (const id of ids) {
      const applied = net.node(id).applied;
      for (let k = this.appliedChecked.get(id) ?? 0; k < applied.length; k++) {
        const e = applied[k]!;
        if (k > 0 && applied[k - 1]!.index + 1 !== e.index) throw new Error(`${where}: ${id} applied out of order`);
        const other = this.appliedAt.get(e.index);
        if (other === undefined) this.appliedAt.set(e.index, e);
        else if (other.term !== e.term || other.data !== e.data) {
          throw new Error(`${where}: State Machine Safety: different entries applied at ${e.index}`);
        }
      }
      this.appliedChecked.set(id, applied.length);
    }
  }
}

function lastIndexOf(log: readonly Entry[]): number {
  return log.length === 0 ? 0 : log[log.length - 1]!.index;
}

function entryAt(log: readonly Entry[], index: number): Entry | undefined {
  if (log.length === 0) return undefined;
  return log[index - log[0]!.index];
}

function termAt(log: readonly Entry[], index: number): number | undefined {
  return entryAt(log, index)?.term;
}

function isPrefix(a: readonly Entry[], b: readonly Entry[]): boolean {
  if (a.length > b.length) return false;
  return a.every((e, i) => b[i]!.index === e.index && b[i]!.term === e.term && b[i]!.data === e.data);
}

/**
 * A seeded random run: random ticks, proposals, reordered and dropped deliveries, partitions; the
 * five properties are checked after every step. Then the network heals and a leader must emerge
 * and commit a final proposal everywhere (liveness, so that the run is known to have done work).
 */
function chaos(seed: number, steps: number): ChaosStats {
  const prng = new Prng(seed);
  const size = prng.pick([3, 5]);
  const ids = idsBySize(size);
  const preVote = prng.chance(1, 2);
  const checkQuorum = prng.chance(1, 2);
  const electionTick = prng.pick([3, 5, 10]);
  const net = newTestNetwork(ids, { preVote, checkQuorum, electionTick }, { seed });
  const checker = new SafetyChecker(net);
  let proposals = 0;

  for (let step = 0; step < steps; step++) {
    const roll = prng.int(1000);
    if (roll < 450 && net.pending.length > 0) {
      // Deliver one of the oldest few messages: mild reordering.
      const m = net.pending.splice(prng.int(Math.min(net.pending.length, 4)), 1)[0]!;
      net.deliver(m);
    } else if (roll < 500 && net.pending.length > 0) {
      net.pending.splice(prng.int(net.pending.length), 1); // loss
    } else if (roll < 850) {
      const id = prng.pick(ids);
      net.node(id).rawNode.tick();
      net.handleReady(id);
    } else if (roll < 950) {
      const id = prng.pick(ids);
      try {
        net.node(id).rawNode.propose(`s${seed}-p${proposals++}`);
      } catch {
        // dropped: no leader known, or a transfer in progress
      }
      net.handleReady(id);
    } else if (roll < 957) {
      net.recover();
    } else if (roll < 980) {
      net.isolate(prng.pick(ids));
    } else {
      const a = prng.pick(ids);
      const b = prng.pick(ids);
      if (a !== b) net.cut(a, b);
    }
    checker.check(`seed ${seed} step ${step}`);
  }

  // Liveness: heal and let the cluster settle.
  net.recover();
  net.stabilize();
  let leader: number | undefined;
  for (let round = 0; round < 50 * ET && leader === undefined; round++) {
    net.tickAll();
    checker.check(`seed ${seed} heal round ${round}`);
    const leaders = net.leaders().filter((id) => net.raft(id).term === Math.max(...ids.map((x) => net.raft(x).term)));
    if (leaders.length === 1) leader = leaders[0];
  }
  if (leader === undefined) throw new Error(`seed ${seed}: no leader after healing`);
  // A leader elected in the last round may have to retry once its first round of appends lands.
  let err = net.propose(leader, `s${seed}-final`);
  for (let round = 0; err !== undefined && round < 10 * ET; round++) {
    net.tickAll();
    leader = net.leaders()[0] ?? leader;
    err = net.propose(leader, `s${seed}-final`);
  }
  expect(err).toBeUndefined();
  net.tickAll(3);
  checker.check(`seed ${seed} final`);
  const lastApplied = ids.map((id) => net.node(id).applied.at(-1)?.data);
  for (const d of lastApplied) expect(d).toBe(`s${seed}-final`);
  return { leaderTerms: checker.leaderTerms(), maxCommit: checker.maxCommit() };
}

const CHAOS_SEEDS = Array.from({ length: 24 }, (_, i) => 1000 + i);

describe('Election Safety: at most one leader can be elected in a given term (§5.2)', () => {
  it('a split vote elects nobody in that term, and the next term elects exactly one leader (§5.2)', () => {
    const net = newTestNetwork([1, 2, 3, 4]);
    // Two halves that cannot reach each other; 1 and 3 campaign at the same time.
    for (const [a, b] of [
      [1, 3],
      [1, 4],
      [2, 3],
      [2, 4],
    ] as const)
      net.cut(a, b);
    net.node(1).rawNode.campaign();
    net.node(3).rawNode.campaign();
    net.stabilize();

    expect(net.raft(1).state).toBe('StateCandidate');
    expect(net.raft(3).state).toBe('StateCandidate');
    expect(net.raft(1).term).toBe(1);
    expect(net.raft(3).term).toBe(1);
    expect(net.leaders()).toEqual([]);
    // Each got exactly two of four votes: its own and its neighbour's.
    expect(net.raft(1).trk.tallyVotes()).toMatchObject({ granted: 2, result: 'VotePending' });
    expect(net.raft(3).trk.tallyVotes()).toMatchObject({ granted: 2, result: 'VotePending' });

    net.recover();
    const leaderOfTerm = new Map<number, Set<number>>();
    for (let i = 0; i < 4 * ET && net.leaders().length === 0; i++) {
      net.tickAll();
      for (const id of net.leaders()) {
        const t = net.raft(id).term;
        leaderOfTerm.set(t, new Set([...(leaderOfTerm.get(t) ?? []), id]));
      }
    }
    expect(net.leaders()).toHaveLength(1);
    expect(leaderOfTerm.has(1)).toBe(false);
    for (const set of leaderOfTerm.values()) expect(set.size).toBe(1);
    expect(net.raft(net.leaders()[0]!).term).toBeGreaterThanOrEqual(2);
  });

  it('a vote is persisted before it is sent, so a restarted follower does not vote twice in a term (§5.2, Figure 2)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.cut(1, 3); // 3 hears only from 1's rival later
    net.campaign(1);
    expect(net.leaders()).toEqual([1]);
    const term = net.raft(2).term;
    expect(net.raft(2).vote).toBe(1);
    expect(net.node(2).storage.initialState().hardState).toMatchObject({ term, vote: 1 });

    // Node 2 restarts from its storage and is asked by 3 for a vote in the same term.
    const restarted = new RawNode(testConfig(2, net.node(2).storage, { applied: net.raft(2).raftLog.applied }));
    restarted.step(makeMessage({ type: 'MsgVote', from: 3, to: 2, term, index: 99, logTerm: term }));
    const rd = restarted.ready();

    expect(rd.messages).toEqual([makeMessage({ type: 'MsgVoteResp', from: 2, to: 3, term, reject: true })]);
    expect(restarted.raft.vote).toBe(1);
  });

  it.each(CHAOS_SEEDS)('no two leaders share a term in random run %i with reordering, loss and partitions (§5.2)', (seed) => {
    const stats = chaos(seed, 4000);
    expect(stats.leaderTerms).toBeGreaterThanOrEqual(1);
  });
});

describe('Leader Append-Only: a leader never overwrites or deletes entries in its log (§5.3)', () => {
  it('a leader ignores a conflicting MsgApp from a stale term and keeps its log (§5.3)', () => {
    const r = raftWithLog(1, [1, 2, 3], [1, 1], { term: 2 });
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    const before = r.raftLog.allEntries();

    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 2, index: 1, logTerm: 1, entries: ents(2, 2, 2, 2), commit: 2 }));

    expect(r.state).toBe('StateLeader');
    expect(r.raftLog.allEntries()).toEqual(before);
  });

  it('a leader only moves its view of a follower when the follower rejects, never its own log (§5.3)', () => {
    const r = raftWithLog(1, [1, 2, 3], [1, 1, 1], { term: 1 });
    r.becomeCandidate();
    r.becomeLeader();
    propose(r, 'a');
    readMessages(r);
    const before = r.raftLog.allEntries();

    r.step(makeMessage({ type: 'MsgAppResp', from: 2, to: 1, term: r.term, index: 3, reject: true, rejectHint: 1, logTerm: 1 }));
    const resent = readMessages(r).filter((m) => m.to === 2);

    expect(r.raftLog.allEntries()).toEqual(before);
    expect(resent).toHaveLength(1);
    expect(resent[0]).toMatchObject({ type: 'MsgApp', index: 1, logTerm: 1 });
    expect(resent[0]!.entries!.map((e) => e.index)).toEqual([2, 3, 4, 5]);
  });

  it.each(CHAOS_SEEDS.slice(0, 8))('every leader log only grows within its term in random run %i (§5.3)', (seed) => {
    expect(chaos(seed + 500, 2500).leaderTerms).toBeGreaterThanOrEqual(1);
  });
});

describe('Log Matching: logs with an entry of the same index and term are identical up to it (§5.3)', () => {
  it('a follower accepts a MsgApp only where its log matches the previous entry, so every accepted append extends a matching prefix (§5.3)', () => {
    const r = raftWithLog(1, [1, 2, 3], [1, 2, 2], { term: 3 });
    r.becomeFollower(3, 2);

    // The leader's log is 1, 3, 3: no match at (2, term 3), then a match at (1, term 1).
    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 3, index: 2, logTerm: 3, entries: ents(3, 3) }));
    expect(readMessages(r)[0]).toMatchObject({ type: 'MsgAppResp', reject: true, rejectHint: 2, logTerm: 2 });
    expect(termsOf(r.raftLog.allEntries())).toEqual([1, 2, 2]);

    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 3, index: 1, logTerm: 1, entries: ents(2, 3, 3) }));
    expect(readMessages(r)[0]).toMatchObject({ type: 'MsgAppResp', reject: false, index: 3 });
    expect(termsOf(r.raftLog.allEntries())).toEqual([1, 3, 3]);
  });

  it('a new leader turns Prng-random divergent follower logs into exact copies of its own (§5.3, Figure 7 generalized)', () => {
    const prng = new Prng(7);
    for (let run = 0; run < 300; run++) {
      // A shared prefix, then tails that never agree on a term at the same index: the leader's
      // tail uses even terms, the follower's odd ones (as if written by different leaders).
      const prefix: number[] = [];
      for (let t = 1, n = prng.int(6); prefix.length < n; t += prng.int(2)) prefix.push(t);
      const base = prefix.at(-1) ?? 0;
      const tail = (parity: number): number[] => {
        const out: number[] = [];
        let t = base + 1 + ((base + 1) % 2 === parity ? 0 : 1);
        for (let n = prng.int(7); out.length < n; ) {
          out.push(t);
          if (prng.chance(1, 3)) t += 2;
        }
        return out;
      };
      const leaderTerms = [...prefix, ...tail(0)];
      const followerTerms = [...prefix, ...tail(1)];
      const maxTerm = Math.max(0, ...leaderTerms, ...followerTerms);
      const lead = raftWithLog(1, [1, 2, 3], leaderTerms, { term: maxTerm });
      const follower = raftWithLog(2, [1, 2, 3], followerTerms, { term: maxTerm });
      const peers = new Map([
        [1, lead],
        [2, follower],
      ]);

      lead.step(makeMessage({ type: 'MsgHup', from: 1, to: 1 }));
      sendAmongRafts(peers, readMessages(lead));
      sendAmongRafts(peers, [makeMessage({ type: 'MsgVoteResp', from: 3, to: 1, term: maxTerm + 1 })]);
      const what = `run ${run}: leader ${leaderTerms}, follower ${followerTerms}`;
      expect(lead.state, what).toBe('StateLeader');
      propose(lead, 'x');
      sendAmongRafts(peers, readMessages(lead));

      expect(termsOf(lead.raftLog.allEntries()), what).toEqual([...leaderTerms, maxTerm + 1, maxTerm + 1]);
      expect(follower.raftLog.allEntries(), what).toEqual(lead.raftLog.allEntries());
      expect(follower.raftLog.committed, what).toBe(lead.raftLog.lastIndex());
    }
  });

  it.each(CHAOS_SEEDS.slice(8, 16))('logs match wherever they share an (index, term) in random run %i (§5.3)', (seed) => {
    expect(chaos(seed + 700, 2500).maxCommit).toBeGreaterThan(1);
  });
});

describe('Leader Completeness: a committed entry is in the log of every later leader (§5.4)', () => {
  it('a server whose log lacks a committed entry cannot win an election; one that holds it can (§5.4.1)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    net.isolate(3);
    expect(net.propose(1, 'x')).toBeUndefined();
    const xIndex = net.raft(1).raftLog.lastIndex();
    expect(net.raft(1).raftLog.committed).toBe(xIndex);
    expect(net.raft(3).raftLog.lastIndex()).toBeLessThan(xIndex);

    // 1 crashes; 2 and 3 can talk again.
    net.recover();
    net.isolate(1);
    net.campaign(3);
    expect(net.raft(3).state).toBe('StateCandidate');
    expect(net.delivered.some((m) => m.type === 'MsgVoteResp' && m.from === 2 && m.to === 3 && m.reject)).toBe(true);

    net.campaign(2);
    // 2 leads the new term; the crashed 1 still believes it leads the old one.
    expect(net.raft(2).state).toBe('StateLeader');
    expect(net.raft(2).term).toBeGreaterThan(net.raft(1).term);
    expect(net.node(2).log().find((e) => e.index === xIndex)?.data).toBe('x');
    expect(net.node(3).log().find((e) => e.index === xIndex)?.data).toBe('x');
  });

  it('a new leader does not lose entries it holds but that it cannot yet know are committed (§5.4.2)', () => {
    const net = newTestNetwork([1, 2, 3]);
    net.campaign(1);
    // 1 appends 'y' and reaches only 2; the commit index never leaves 1.
    net.isolate(3);
    net.ignore('MsgHeartbeat');
    net.msgHook = (m) => !(m.type === 'MsgApp' && m.from === 1 && (m.entries?.length ?? 0) === 0);
    expect(net.propose(1, 'y')).toBeUndefined();
    const yIndex = net.raft(1).raftLog.lastIndex();
    expect(net.raft(2).raftLog.lastIndex()).toBe(yIndex);
    expect(net.raft(2).raftLog.committed).toBeLessThan(yIndex);

    net.recover();
    net.isolate(1);
    net.campaign(2);
    expect(net.raft(2).state).toBe('StateLeader');
    expect(net.raft(2).term).toBeGreaterThan(net.raft(1).term);
    // 2 commits 'y' through an entry of its own term and 3 applies it.
    expect(net.node(3).applied.find((e) => e.index === yIndex)?.data).toBe('y');
  });

  it.each(CHAOS_SEEDS.slice(16, 24))('every leader holds every entry committed before its term in random run %i (§5.4)', (seed) => {
    expect(chaos(seed + 900, 2500).leaderTerms).toBeGreaterThanOrEqual(1);
  });
});

describe('State Machine Safety: no two servers apply different entries at the same index (§5.4.3)', () => {
  it('servers apply only committed entries, in index order, and the same entry at each index across leader changes (§5.4.3)', () => {
    const net = newTestNetwork([1, 2, 3, 4, 5]);
    net.campaign(1);
    net.propose(1, 'a');
    // 1 and 2 are cut off from the rest; 1 appends entries that can never commit.
    for (const a of [1, 2]) for (const b of [3, 4, 5]) net.cut(a, b);
    net.node(1).rawNode.propose('lost-1');
    net.node(1).rawNode.propose('lost-2');
    net.stabilize();
    // 3 leads the majority side and commits its own entries.
    net.campaign(3);
    expect(net.leaders()).toContain(3);
    net.propose(3, 'b');
    net.propose(3, 'c');
    net.recover();
    net.tickAll(3 * ET);
    net.propose(net.leaders()[0]!, 'd');

    const applied = net.ids().map((id) => net.node(id).applied.map((e) => e.data).filter((d) => d !== ''));
    for (const a of applied) expect(a).toEqual(['a', 'b', 'c', 'd']);
    for (const id of net.ids()) {
      const idx = net.node(id).applied.map((e) => e.index);
      expect(idx).toEqual(idx.map((_, k) => idx[0]! + k));
      expect(idx.at(-1)).toBeLessThanOrEqual(net.raft(id).raftLog.committed);
    }
  });

  it('a follower never hands out for applying an entry above its commit index (§5.4.3)', () => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.becomeFollower(1, 2);
    r.step(makeMessage({ type: 'MsgApp', from: 2, to: 1, term: 1, entries: ents(1, 1, 1, 1), commit: 2 }));
    expect(r.raftLog.nextCommittedEnts(true).map((e) => e.index)).toEqual([1, 2]);
    r.step(makeMessage({ type: 'MsgHeartbeat', from: 2, to: 1, term: 1, commit: 3 }));
    expect(r.raftLog.committed).toBe(3);
  });

  it.each(CHAOS_SEEDS.slice(0, 8))('every server applies the same entry at each index in random run %i (§5.4.3)', (seed) => {
    const stats = chaos(seed + 1300, 2500);
    expect(stats.maxCommit).toBeGreaterThan(1);
  });
});
