// Configuration changes: the simple protocol (at most one voter changes) and joint consensus
// (enter a joint configuration C_old,new, later leave it for C_new; Raft thesis §4.3), with
// learners. A Changer works on copies and returns the new configuration and progress map; the
// caller switches to them only if no error was thrown.
//
// Pure. Worked example of joint notation: voters=(1 2 3)&&(1 2) is the joint config whose incoming
// half is {1,2,3} and outgoing half {1,2}; a decision needs a majority of both.

import { confStateOf, cloneTrackerConfig, type TrackerConfig, type ProgressTracker } from '../tracker/tracker';
import type { ProgressMap } from '../tracker/progress';
import type { ConfChangeSingle } from '../types';

/** A configuration change that cannot be applied, with etcd's message. */
export class ConfChangeError extends Error {
  override name = 'ConfChangeError';
}

export interface ChangeResult {
  config: TrackerConfig;
  progress: ProgressMap;
}

export class Changer {
  /**
   * @param tracker the current configuration and progress (not modified)
   * @param lastIndex the log's last index; new members start probing from there
   */
  constructor(
    readonly tracker: Pick<ProgressTracker, 'config' | 'progress' | 'newProgress'>,
    readonly lastIndex: number,
  ) {}

  /**
   * Enters a joint configuration: the current voters become the outgoing half, and the changes
   * are applied to the incoming half.
   */
  enterJoint(autoLeave: boolean, ccs: readonly ConfChangeSingle[]): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (isJoint(config)) throw new ConfChangeError('config is already joint');
    if (config.voters.incoming.size === 0) {
      // Adding nodes to an empty config is allowed (bootstrap), but not through joint consensus.
      throw new ConfChangeError("can't make a zero-voter config joint");
    }
    config.voters.outgoing = new Set(config.voters.incoming);
    this.apply(config, progress, ccs);
    config.autoLeave = autoLeave;
    return checkAndReturn(config, progress);
  }

  /**
   * Leaves the joint configuration: the outgoing half is dropped, learnersNext become learners,
   * and nodes that are in neither half nor learners lose their progress.
   */
  leaveJoint(): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (!isJoint(config)) throw new ConfChangeError("can't leave a non-joint config");
    for (const id of config.learnersNext) {
      config.learners.add(id);
      progress.get(id)!.isLearner = true;
    }
    config.learnersNext = new Set();
    for (const id of config.voters.outgoing) {
      if (!config.voters.incoming.has(id) && !config.learners.has(id)) progress.delete(id);
    }
    config.voters.outgoing = new Set();
    config.autoLeave = false;
    return checkAndReturn(config, progress);
  }

  /** Applies changes that alter at most one voter, outside of a joint configuration. */
  simple(ccs: readonly ConfChangeSingle[]): ChangeResult {
    const { config, progress } = this.checkAndCopy();
    if (isJoint(config)) throw new ConfChangeError("can't apply simple config change in joint config");
    this.apply(config, progress, ccs);
    if (symdiff(this.tracker.config.voters.incoming, config.voters.incoming) > 1) {
      throw new ConfChangeError('more than one voter changed without entering joint config');
    }
    return checkAndReturn(config, progress);
  }

  private apply(config: TrackerConfig, progress: ProgressMap, ccs: readonly ConfChangeSingle[]): void {
    for (const cc of ccs) {
      // A zero node ID is how the application neutralizes a change it refuses.
      if (cc.nodeId === 0) continue;
      switch (cc.type) {
        case 'ConfChangeAddNode':
          this.makeVoter(config, progress, cc.nodeId);
          break;
        case 'ConfChangeAddLearnerNode':
          this.makeLearner(config, progress, cc.nodeId);
          break;
        case 'ConfChangeRemoveNode':
          this.remove(config, progress, cc.nodeId);
          break;
        case 'ConfChangeUpdateNode':
          break;
        default:
          throw new ConfChangeError(`unexpected conf type ${String((cc as ConfChangeSingle).type)}`);
      }
    }
    if (config.voters.incoming.size === 0) throw new ConfChangeError('removed all voters');
  }

  private makeVoter(config: TrackerConfig, progress: ProgressMap, id: number): void {
    const pr = progress.get(id);
    if (pr === undefined) {
      this.initProgress(config, progress, id, false);
      return;
    }
    pr.isLearner = false;
    config.learners.delete(id);
    config.learnersNext.delete(id);
    config.voters.incoming.add(id);
  }

  /**
   * Makes `id` a learner. A voter of the outgoing half cannot become a learner while joint (it
   * would then be both), so it is parked in learnersNext until the joint config is left.
   */
  private makeLearner(config: TrackerConfig, progress: ProgressMap, id: number): void {
    const pr = progress.get(id);
    if (pr === undefined) {
      this.initProgress(config, progress, id, true);
      return;
    }
    if (pr.isLearner) return;
    // Remove any existing voter in the incoming half, then keep the progress.
    this.remove(config, progress, id);
    progress.set(id, pr);
    if (config.voters.outgoing.has(id)) {
      config.learnersNext.add(id);
    } else {
      pr.isLearner = true;
      config.learners.add(id);
    }
  }

  /** Removes `id` from the incoming half and the learners; its progress stays while it is outgoing. */
  private remove(config: TrackerConfig, progress: ProgressMap, id: number): void {
    if (!progress.has(id)) return;
    config.voters.incoming.delete(id);
    config.learners.delete(id);
    config.learnersNext.delete(id);
    if (!config.voters.outgoing.has(id)) progress.delete(id);
  }

  private initProgress(config: TrackerConfig, progress: ProgressMap, id: number, isLearner: boolean): void {
    if (!isLearner) config.voters.incoming.add(id);
    else config.learners.add(id);
    const pr = this.tracker.newProgress();
    pr.match = 0;
    // Invariant: match < next. Start probing at the last index: the new node may well be empty,
    // and a rejection then tells the leader where its log ends.
    pr.next = Math.max(this.lastIndex, 1);
    pr.isLearner = isLearner;
    // Newly added peers count as active, or CheckQuorum could step the leader down right away.
    pr.recentActive = true;
    progress.set(id, pr);
  }

  private checkAndCopy(): ChangeResult {
    const config = cloneTrackerConfig(this.tracker.config);
    const progress: ProgressMap = new Map();
    for (const [id, pr] of this.tracker.progress) progress.set(id, pr.clone());
    return checkAndReturn(config, progress);
  }
}

function isJoint(config: TrackerConfig): boolean {
  return config.voters.outgoing.size > 0;
}

function symdiff(l: ReadonlySet<number>, r: ReadonlySet<number>): number {
  let n = 0;
  for (const id of l) if (!r.has(id)) n++;
  for (const id of r) if (!l.has(id)) n++;
  return n;
}

/** Validates the configuration's invariants (and that every member has a progress). */
function checkInvariants(config: TrackerConfig, progress: ProgressMap): void {
  for (const set of [config.voters.incoming, config.voters.outgoing, config.learners, config.learnersNext]) {
    for (const id of set) {
      if (!progress.has(id)) throw new ConfChangeError(`no progress for ${id}`);
    }
  }
  for (const id of config.learnersNext) {
    if (!config.voters.outgoing.has(id)) throw new ConfChangeError(`${id} is in LearnersNext, but not Voters[1]`);
    if (progress.get(id)!.isLearner) {
      throw new ConfChangeError(`${id} is in LearnersNext, but is already marked as learner`);
    }
  }
  for (const id of config.learners) {
    if (config.voters.outgoing.has(id)) throw new ConfChangeError(`${id} is in Learners and Voters[1]`);
    if (config.voters.incoming.has(id)) throw new ConfChangeError(`${id} is in Learners and Voters[0]`);
    if (!progress.get(id)!.isLearner) throw new ConfChangeError(`${id} is in Learners, but is not marked as learner`);
  }
  if (!isJoint(config)) {
    if (config.learnersNext.size > 0) throw new ConfChangeError('cfg.LearnersNext must be nil when not joint');
    if (config.autoLeave) throw new ConfChangeError('AutoLeave must be false when not joint');
  }
}

function checkAndReturn(config: TrackerConfig, progress: ProgressMap): ChangeResult {
  checkInvariants(config, progress);
  return { config, progress };
}

/** The ConfState describing a change result (what ApplyConfChange returns). */
export function confStateOfResult(r: ChangeResult) {
  return confStateOf(r.config);
}
