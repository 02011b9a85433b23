// The ProgressTracker: the active configuration (voters, learners, joint state), the Progress of
// every member, and the votes of the current election.
//
// Pure.

import type { ConfState } from '../types';
import {
  jointCommittedIndex,
  jointIds,
  jointString,
  jointVoteResult,
  majorityString,
  sortedIds,
  type JointConfig,
  type VoteResult,
} from '../quorum/quorum';
import { Inflights } from './inflights';
import { Progress, type ProgressMap } from './progress';

/**
 * A configuration. Invariants (checked by confchange): learners and voters are disjoint; a node
 * in learnersNext is an outgoing voter that becomes a learner when the joint config is left.
 */
export interface TrackerConfig {
  voters: JointConfig;
  /** Leave the joint configuration automatically once it is applied. */
  autoLeave: boolean;
  learners: Set<number>;
  learnersNext: Set<number>;
}

export function emptyTrackerConfig(): TrackerConfig {
  return {
    voters: { incoming: new Set(), outgoing: new Set() },
    autoLeave: false,
    learners: new Set(),
    learnersNext: new Set(),
  };
}

export function cloneTrackerConfig(c: TrackerConfig): TrackerConfig {
  return {
    voters: { incoming: new Set(c.voters.incoming), outgoing: new Set(c.voters.outgoing) },
    autoLeave: c.autoLeave,
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
  };
}

/** etcd's Config.String: `voters=(1 2 3)&&(1) learners=(4) learners_next=(5) autoleave`. */
export function trackerConfigString(c: TrackerConfig): string {
  let s = `voters=${jointString(c.voters)}`;
  if (c.learners.size > 0) s += ` learners=${majorityString(c.learners)}`;
  if (c.learnersNext.size > 0) s += ` learners_next=${majorityString(c.learnersNext)}`;
  if (c.autoLeave) s += ' autoleave';
  return s;
}

export function confStateOf(c: TrackerConfig): ConfState {
  return {
    voters: sortedIds(c.voters.incoming),
    votersOutgoing: sortedIds(c.voters.outgoing),
    learners: sortedIds(c.learners),
    learnersNext: sortedIds(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig();
  progress: ProgressMap = new Map();
  votes = new Map<number, boolean>();

  constructor(
    readonly maxInflight: number,
    readonly maxInflightBytes: number,
  ) {}

  newInflights(): Inflights {
    return new Inflights(this.maxInflight, this.maxInflightBytes);
  }

  newProgress(): Progress {
    return new Progress(this.newInflights());
  }

  confState(): ConfState {
    return confStateOf(this.config);
  }

  /** Exactly one voter and no joint configuration. */
  isSingleton(): boolean {
    return this.config.voters.incoming.size === 1 && this.config.voters.outgoing.size === 0;
  }

  /** The largest index replicated on a (joint) quorum of voters. */
  committed(): number {
    return jointCommittedIndex(this.config.voters, (id) => this.progress.get(id)?.match);
  }

  /** Visits every member in ascending ID order (etcd's determinism for message order). */
  visit(f: (id: number, pr: Progress) => void): void {
    for (const id of sortedIds(this.progress.keys())) f(id, this.progress.get(id)!);
  }

  /** Whether a quorum of voters has been active since the last check (CheckQuorum). */
  quorumActive(): boolean {
    const votes = new Map<number, boolean>();
    this.visit((id, pr) => {
      if (!pr.isLearner) votes.set(id, pr.recentActive);
    });
    return jointVoteResult(this.config.voters, votes) === 'VoteWon';
  }

  voterNodes(): number[] {
    return sortedIds(jointIds(this.config.voters));
  }

  learnerNodes(): number[] {
    return sortedIds(this.config.learners);
  }

  isVoter(id: number): boolean {
    return this.config.voters.incoming.has(id) || this.config.voters.outgoing.has(id);
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  /** Records the first vote of `id` in this election; later ones are ignored. */
  recordVote(id: number, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** Counts granted and rejected votes from members that are not learners, and the result. */
  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const [id, pr] of this.progress) {
      if (pr.isLearner) continue;
      const v = this.votes.get(id);
      if (v === undefined) continue;
      if (v) granted++;
      else rejected++;
    }
    return { granted, rejected, result: jointVoteResult(this.config.voters, this.votes) };
  }
}
