// Progress: the leader's view of one follower's log (Match, Next) and the flow-control state that
// decides what to send it next: Probe (one MsgApp at a time until we know where its log ends),
// Replicate (pipelined MsgApps bounded by Inflights), or Snapshot (nothing until the snapshot lands).
//
// Pure.

import { RaftPanic } from '../logger';
import type { ProgressStateType } from '../types';
import { Inflights } from './inflights';

export class Progress {
  /** Highest index known to be replicated on the follower. Invariant: match < next. */
  match = 0;
  /** Index of the next entry to send. */
  next = 0;
  /**
   * Highest commit index sent to the follower (an upper bound on what it knows). Used to send an
   * extra MsgApp carrying the commit index only when the follower may not know it yet.
   */
  sentCommit = 0;
  state: ProgressStateType = 'StateProbe';
  /** In StateSnapshot: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from recently (CheckQuorum); newly added peers start active. */
  recentActive = false;
  /** In Probe: a MsgApp with entries is in flight. In Replicate: Inflights is full. */
  msgAppFlowPaused = false;
  inflights: Inflights;
  isLearner = false;

  constructor(inflights: Inflights) {
    this.inflights = inflights;
  }

  clone(): Progress {
    const p = new Progress(this.inflights.clone());
    p.match = this.match;
    p.next = this.next;
    p.sentCommit = this.sentCommit;
    p.state = this.state;
    p.pendingSnapshot = this.pendingSnapshot;
    p.recentActive = this.recentActive;
    p.msgAppFlowPaused = this.msgAppFlowPaused;
    p.isLearner = this.isLearner;
    return p;
  }

  /** Forgets everything about the follower, as a new term's leader (or follower) starts afresh. */
  resetForNewTerm(match: number, next: number, inflights: Inflights): void {
    this.match = match;
    this.next = next;
    this.sentCommit = 0;
    this.state = 'StateProbe';
    this.pendingSnapshot = 0;
    this.recentActive = false;
    this.msgAppFlowPaused = false;
    this.inflights = inflights;
  }

  /** Moves to `state`, clearing pause, pending snapshot and inflights. */
  resetState(state: ProgressStateType): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /**
   * Probe from just after Match. Coming out of a snapshot, probe after the snapshot index when it
   * is ahead of Match: the follower has most likely applied it.
   */
  becomeProbe(): void {
    if (this.state === 'StateSnapshot') {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState('StateProbe');
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState('StateProbe');
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState('StateReplicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('StateSnapshot');
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
    this.sentCommit = snapshotIndex;
  }

  /** Updates flow control after a MsgApp with `entries` entries of `bytes` payload was sent. */
  sentEntries(entries: number, bytes: number): void {
    switch (this.state) {
      case 'StateReplicate':
        if (entries > 0) {
          this.next += entries;
          this.inflights.add(this.next - 1, bytes);
        }
        this.msgAppFlowPaused = this.inflights.full();
        return;
      case 'StateProbe':
        if (entries > 0) this.msgAppFlowPaused = true;
        return;
      default:
        throw new RaftPanic(`sending append in unhandled state ${this.state}`);
    }
  }

  /** Whether the follower may not know commit index `index` yet and a MsgApp could tell it. */
  canBumpCommit(index: number): boolean {
    return index > this.sentCommit && this.sentCommit < this.next - 1;
  }

  sentCommitTo(commit: number): void {
    this.sentCommit = commit;
  }

  /** Raises Match on an accepting MsgAppResp; false when it was stale. */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) return false;
    this.match = n;
    this.next = Math.max(this.next, n + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /**
   * Lowers Next after a rejection of the MsgApp at index `rejected`, using the follower's hint.
   * Returns false when the rejection is stale (Replicate: at or below Match; Probe: not for Next-1).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'StateReplicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /** Whether sending MsgApp to this follower is on hold. */
  isPaused(): boolean {
    switch (this.state) {
      case 'StateProbe':
      case 'StateReplicate':
        return this.msgAppFlowPaused;
      case 'StateSnapshot':
        return true;
    }
  }

  /** etcd's Progress.String: `StateReplicate match=5 next=6 learner paused ...`. */
  toString(): string {
    let s = `${this.state} match=${this.match} next=${this.next}`;
    if (this.isLearner) s += ' learner';
    if (this.isPaused()) s += ' paused';
    if (this.pendingSnapshot > 0) s += ` pendingSnap=${this.pendingSnapshot}`;
    if (!this.recentActive) s += ' inactive';
    const n = this.inflights.count();
    if (n > 0) {
      s += ` inflight=${n}`;
      if (this.inflights.full()) s += '[full]';
    }
    return s;
  }
}

/** Progress per node ID. */
export type ProgressMap = Map<number, Progress>;

/** etcd's ProgressMap.String: one `id: progress` line per node, by ID. */
export function progressMapString(m: ProgressMap): string {
  let s = '';
  for (const id of [...m.keys()].sort((a, b) => a - b)) s += `${id}: ${m.get(id)!.toString()}\n`;
  return s;
}
