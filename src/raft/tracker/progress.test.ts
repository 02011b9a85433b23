// Progress, the leader's view of one follower (Match, Next) and its flow-control state machine:
// Probe (one MsgApp in flight), Replicate (pipelined, bounded by Inflights), Snapshot (nothing
// until the snapshot lands). Raft §5.3 has the leader back off nextIndex after a rejection; etcd
// refines that into these states.
//
// Method: table tests (it.each) of every transition and of the stale-message guards, with the
// expectations of etcd-io/raft's tracker/progress_test.go (raft-main semantics: BecomeSnapshot
// moves Next, sentCommit bounds the extra commit-carrying MsgApp).
import { describe, expect, it } from 'vitest';
import { RaftPanic } from '../logger';
import type { ProgressStateType } from '../types';
import { Inflights } from './inflights';
import { Progress } from './progress';

function progress(fields: Partial<Pick<Progress, 'state' | 'match' | 'next' | 'pendingSnapshot' | 'msgAppFlowPaused' | 'sentCommit'>>): Progress {
  const p = new Progress(new Inflights(256, 0));
  Object.assign(p, fields);
  return p;
}

describe('Progress', () => {
  it('prints like etcd: state, match, next, learner, paused, pending snapshot, inactive, inflights', () => {
    const ins = new Inflights(1, 0);
    ins.add(123, 1);
    const p = new Progress(ins);
    Object.assign(p, { match: 1, next: 2, state: 'StateSnapshot', pendingSnapshot: 123, recentActive: false, msgAppFlowPaused: true, isLearner: true });
    expect(p.toString()).toBe('StateSnapshot match=1 next=2 learner paused pendingSnap=123 inactive inflight=1[full]');
    const q = progress({ state: 'StateReplicate', match: 5, next: 6 });
    q.recentActive = true;
    expect(q.toString()).toBe('StateReplicate match=5 next=6');
  });

  it.each<[ProgressStateType, boolean, boolean]>([
    ['StateProbe', false, false],
    ['StateProbe', true, true],
    ['StateReplicate', false, false],
    ['StateReplicate', true, true],
    ['StateSnapshot', false, true],
    ['StateSnapshot', true, true],
  ])('in %s with the flow paused=%s, sending is on hold: %s', (state, paused, want) => {
    expect(progress({ state, msgAppFlowPaused: paused }).isPaused()).toBe(want);
  });

  it('resumes the flow on an accepted or a rejected response', () => {
    const p = progress({ next: 2, msgAppFlowPaused: true });
    expect(p.maybeDecrTo(1, 1)).toBe(true);
    expect(p.msgAppFlowPaused).toBe(false);
    p.msgAppFlowPaused = true;
    expect(p.maybeUpdate(2)).toBe(true);
    expect(p.msgAppFlowPaused).toBe(false);
  });

  it.each<[string, ProgressStateType, number, number]>([
    ['from Replicate probes right after Match', 'StateReplicate', 0, 2],
    ['after a finished snapshot probes after the snapshot index', 'StateSnapshot', 10, 11],
    ['after a failed snapshot (pending cleared) probes after Match', 'StateSnapshot', 0, 2],
  ])('becomeProbe %s', (_, state, pendingSnapshot, wnext) => {
    const p = progress({ state, match: 1, next: 5, pendingSnapshot });
    p.inflights.add(4, 10);
    p.msgAppFlowPaused = true;
    p.becomeProbe();
    expect(p.state).toBe('StateProbe');
    expect(p.match).toBe(1);
    expect(p.next).toBe(wnext);
    expect(p.pendingSnapshot).toBe(0);
    expect(p.msgAppFlowPaused).toBe(false);
    expect(p.inflights.count()).toBe(0);
  });

  it('becomeProbe never leaves sentCommit at or above Next', () => {
    const p = progress({ state: 'StateReplicate', match: 3, next: 9, sentCommit: 8 });
    p.becomeProbe();
    expect(p.next).toBe(4);
    expect(p.sentCommit).toBe(3);
  });

  it('becomeReplicate sends next what follows Match, with an empty window', () => {
    const p = progress({ state: 'StateProbe', match: 1, next: 5 });
    p.becomeReplicate();
    expect(p.state).toBe('StateReplicate');
    expect(p.match).toBe(1);
    expect(p.next).toBe(2);
    expect(p.inflights.count()).toBe(0);
  });

  it('becomeSnapshot records the snapshot index, moves Next past it and pauses', () => {
    const p = progress({ state: 'StateProbe', match: 1, next: 5 });
    p.becomeSnapshot(10);
    expect(p.state).toBe('StateSnapshot');
    expect(p.match).toBe(1);
    expect(p.pendingSnapshot).toBe(10);
    expect(p.next).toBe(11);
    expect(p.sentCommit).toBe(10);
    expect(p.isPaused()).toBe(true);
  });

  it.each<[number, number, number, boolean]>([
    [2, 3, 5, false], // an old ack changes nothing
    [3, 3, 5, false], // nor does a repeated one
    [4, 4, 5, true], // Match moves, Next stays ahead
    [5, 5, 6, true], // both move
  ])('maybeUpdate(%i) from match 3, next 5 gives match %i, next %i, updated %s', (n, wm, wn, wok) => {
    const p = progress({ match: 3, next: 5 });
    expect(p.maybeUpdate(n)).toBe(wok);
    expect(p.match).toBe(wm);
    expect(p.next).toBe(wn);
  });

  it.each<[string, ProgressStateType, number, number, number, number, boolean, number]>([
    ['Replicate: a rejection at Match is stale', 'StateReplicate', 5, 10, 5, 5, false, 10],
    ['Replicate: a rejection below Match is stale', 'StateReplicate', 5, 10, 4, 4, false, 10],
    ['Replicate: a rejection above Match falls back to Match + 1', 'StateReplicate', 5, 10, 9, 9, true, 6],
    ['Probe: only a rejection of Next - 1 counts (Next 0)', 'StateProbe', 0, 0, 0, 0, false, 0],
    ['Probe: only a rejection of Next - 1 counts', 'StateProbe', 0, 10, 5, 5, false, 10],
    ['Probe: steps back by one', 'StateProbe', 0, 10, 9, 9, true, 9],
    ['Probe: steps back to 1', 'StateProbe', 0, 2, 1, 1, true, 1],
    ['Probe: never below 1', 'StateProbe', 0, 1, 0, 0, true, 1],
    ['Probe: jumps to the hint + 1', 'StateProbe', 0, 10, 9, 2, true, 3],
    ['Probe: a hint of 0 sends from 1', 'StateProbe', 0, 10, 9, 0, true, 1],
    ['Probe: never at or below Match', 'StateProbe', 4, 10, 9, 1, true, 5],
  ])('maybeDecrTo: %s (§5.3 nextIndex back-off)', (_, state, match, next, rejected, hint, wok, wnext) => {
    const p = progress({ state, match, next });
    expect(p.maybeDecrTo(rejected, hint)).toBe(wok);
    expect(p.match).toBe(match);
    expect(p.next).toBe(wnext);
  });

  it('maybeDecrTo lowers sentCommit with Next so the new Next is told the commit index again', () => {
    const p = progress({ state: 'StateProbe', match: 0, next: 10, sentCommit: 9 });
    p.maybeDecrTo(9, 2);
    expect(p.next).toBe(3);
    expect(p.sentCommit).toBe(2);
  });

  it('in Probe a MsgApp with entries pauses the flow, an empty one does not', () => {
    const p = progress({ state: 'StateProbe', match: 0, next: 1 });
    p.sentEntries(0, 0);
    expect(p.isPaused()).toBe(false);
    expect(p.next).toBe(1);
    p.sentEntries(3, 30);
    expect(p.isPaused()).toBe(true);
    expect(p.next).toBe(1); // Probe does not move Next optimistically
  });

  it('in Replicate Next moves optimistically and the flow pauses when the window fills', () => {
    const p = new Progress(new Inflights(2, 0));
    p.becomeReplicate();
    p.sentEntries(3, 30);
    expect(p.next).toBe(4);
    expect(p.inflights.count()).toBe(1);
    expect(p.isPaused()).toBe(false);
    p.sentEntries(2, 20);
    expect(p.next).toBe(6);
    expect(p.isPaused()).toBe(true);
    p.inflights.freeLE(3);
    expect(p.maybeUpdate(3)).toBe(true);
    expect(p.isPaused()).toBe(false);
  });

  it('refuses to send appends while a snapshot is in flight', () => {
    const p = progress({ state: 'StateProbe' });
    p.becomeSnapshot(7);
    expect(() => p.sentEntries(1, 1)).toThrow(RaftPanic);
  });

  it.each<[number, number, number, boolean]>([
    [5, 4, 10, true], // the follower was told 4, commit is 5, and entries up to 9 were sent
    [4, 4, 10, false], // already told
    [5, 9, 10, false], // told everything it can hold
    [6, 4, 5, false], // the follower holds nothing beyond 4 yet: a commit past it is useless
  ])('canBumpCommit(%i) with sentCommit %i and next %i: %s', (commit, sentCommit, next, want) => {
    expect(progress({ sentCommit, next }).canBumpCommit(commit)).toBe(want);
  });

  it('clone is deep: changing the copy or its window leaves the original alone', () => {
    const p = progress({ state: 'StateReplicate', match: 3, next: 4 });
    p.inflights.add(3, 5);
    const c = p.clone();
    c.match = 9;
    c.inflights.add(4, 5);
    expect(p.match).toBe(3);
    expect(p.inflights.count()).toBe(1);
    expect(c.inflights.count()).toBe(2);
  });
});
