// Rebuilds a tracker configuration from a ConfState (a snapshot's or the stored one) by replaying
// it as a sequence of changes against an empty configuration, so that the same code paths and
// invariant checks apply as for live changes.
//
// Pure. For a joint ConfState (outgoing voters present) the outgoing voters are first added one by
// one with the simple protocol, then the joint config is entered with: remove every outgoing voter,
// add every incoming voter, learners and learnersNext as learners (makeLearner parks outgoing
// voters in learnersNext by itself).

import type { ConfChangeSingle, ConfState } from '../types';
import type { ProgressTracker } from '../tracker/tracker';
import { Changer, type ChangeResult } from './changer';

type TrackerLike = Pick<ProgressTracker, 'config' | 'progress' | 'newProgress'>;

export function restoreConfState(tracker: TrackerLike, lastIndex: number, cs: ConfState): ChangeResult {
  const outgoing: ConfChangeSingle[] = cs.votersOutgoing.map((id) => ({ type: 'ConfChangeAddNode', nodeId: id }));
  const incoming: ConfChangeSingle[] = [
    ...cs.votersOutgoing.map((id): ConfChangeSingle => ({ type: 'ConfChangeRemoveNode', nodeId: id })),
    ...cs.voters.map((id): ConfChangeSingle => ({ type: 'ConfChangeAddNode', nodeId: id })),
    ...cs.learners.map((id): ConfChangeSingle => ({ type: 'ConfChangeAddLearnerNode', nodeId: id })),
    ...cs.learnersNext.map((id): ConfChangeSingle => ({ type: 'ConfChangeAddLearnerNode', nodeId: id })),
  ];

  const ops: Array<(c: Changer) => ChangeResult> = [];
  if (outgoing.length === 0) {
    for (const cc of incoming) ops.push((c) => c.simple([cc]));
  } else {
    for (const cc of outgoing) ops.push((c) => c.simple([cc]));
    ops.push((c) => c.enterJoint(cs.autoLeave, incoming));
  }

  let current: ChangeResult = { config: tracker.config, progress: tracker.progress };
  for (const op of ops) {
    const changer = new Changer(
      { config: current.config, progress: current.progress, newProgress: () => tracker.newProgress() },
      lastIndex,
    );
    current = op(changer);
  }
  return current;
}
