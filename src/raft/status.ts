// Status: a read-only snapshot of one node's Raft state, for the application, the UI and tests.
//
// Pure. Progress is included only on the leader (as in etcd).

import type { Raft } from './raft';
import { cloneTrackerConfig, type TrackerConfig } from './tracker/tracker';
import type { HardState, ProgressStateType, SoftState } from './types';

/** Plain data describing one follower's progress as the leader sees it. */
export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressStateType;
  pendingSnapshot: number;
  recentActive: boolean;
  msgAppFlowPaused: boolean;
  isLearner: boolean;
  inflightCount: number;
  inflightBytes: number;
  inflightFull: boolean;
  /** etcd's Progress.String(), e.g. "StateReplicate match=5 next=6". */
  text: string;
}

export interface BasicStatus {
  id: number;
  hardState: HardState;
  softState: SoftState;
  applied: number;
  leadTransferee: number;
}

export interface Status extends BasicStatus {
  config: TrackerConfig;
  /** Present only on the leader, keyed by node ID. */
  progress?: Map<number, ProgressStatus>;
}

export function getBasicStatus(r: Raft): BasicStatus {
  return {
    id: r.id,
    hardState: r.hardState(),
    softState: r.softState(),
    applied: r.raftLog.applied,
    leadTransferee: r.leadTransferee,
  };
}

export function getStatus(r: Raft): Status {
  const s: Status = { ...getBasicStatus(r), config: cloneTrackerConfig(r.trk.config) };
  if (s.softState.raftState === 'StateLeader') {
    s.progress = new Map();
    r.trk.visit((id, pr) => {
      s.progress!.set(id, {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        pendingSnapshot: pr.pendingSnapshot,
        recentActive: pr.recentActive,
        msgAppFlowPaused: pr.msgAppFlowPaused,
        isLearner: pr.isLearner,
        inflightCount: pr.inflights.count(),
        inflightBytes: pr.inflights.bytes(),
        inflightFull: pr.inflights.full(),
        text: pr.toString(),
      });
    });
  }
  return s;
}
