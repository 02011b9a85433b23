// Recordings: a run is (seed, config, the user's time-stamped actions). Each action carries its
// virtual time and its position (how many simulation events had run), so a replay applies it at
// exactly the same point. Plain JSON, to save, share as a link, and load again.

import type { ClusterTiming } from '../cluster/cluster';

export type ActionType =
  | 'kill'
  | 'crash'
  | 'restart'
  | 'stop'
  | 'partition'
  | 'isolate'
  | 'heal'
  | 'setLink'
  | 'setDisk'
  | 'forceElection'
  | 'transferLeader'
  | 'addMember'
  | 'promote'
  | 'removeMember'
  | 'client'
  | 'call'
  | 'exec'
  /** Stops what the action with index args[0] started (a watch, keep-alive, recipe or command). */
  | 'abort'
  /** A progress request on the watch started by action args[0]. */
  | 'progress'
  /** Closes recorded client #args[0]. */
  | 'close';

export interface RecordedAction {
  /** Virtual time, ms. */
  t: number;
  /** Events processed before the action. */
  pos: number;
  type: ActionType;
  args: unknown[];
}

export interface Recording {
  version: 1;
  seed: number;
  config: {
    nodes: number;
    preVote?: boolean;
    checkQuorum?: boolean;
    timing?: Partial<ClusterTiming>;
    snapshotCount?: number;
    snapshotCatchUpEntries?: number;
    leaseCheckpoint?: boolean;
    leaseCheckpointIntervalMs?: number;
    quotaBackendBytes?: number;
  };
  actions: RecordedAction[];
  /**
   * Set when the run did not start from its seed but from saved storage (a reload resumed it at
   * this virtual time): such a recording describes the run but cannot replay it.
   */
  resumedAt?: number;
}

export class Recorder {
  private readonly actions: RecordedAction[] = [];

  constructor(
    private readonly seed: number,
    private readonly config: Recording['config'],
    private readonly resumedAt?: number,
  ) {}

  /** Appends an action; returns its index. */
  add(a: RecordedAction): number {
    // Deep-copy: callers may mutate their arguments later.
    this.actions.push(JSON.parse(JSON.stringify(a)) as RecordedAction);
    return this.actions.length - 1;
  }

  /** The actions so far (the live list: a shadow replay reads it as it grows). */
  get list(): readonly RecordedAction[] {
    return this.actions;
  }

  /** Forgets every action from `count` on (a fork: the run goes another way from there). */
  truncate(count: number): void {
    this.actions.length = Math.min(this.actions.length, count);
  }

  recording(): Recording {
    const r: Recording = { version: 1, seed: this.seed, config: this.config, actions: this.actions };
    if (this.resumedAt !== undefined) r.resumedAt = this.resumedAt;
    return JSON.parse(JSON.stringify(r)) as Recording;
  }
}
