// The guided lessons, in the order DESIGN.md lists them ("What a person sees"), and the runner
// the UI and the tests share. A lesson is data (options, titles, narration) plus, per step, the
// actions that make it happen and checks read from the running cluster.

import { checkQuorumLesson } from './checkQuorum';
import { leaseLeaderChangeLesson } from './leaseLeaderChange';
import { leadershipTransferLesson } from './leadershipTransfer';
import { learnersLesson } from './learners';
import { linearizableReadsLesson } from './linearizableReads';
import { logRepairLesson } from './logRepair';
import { preVoteLesson } from './preVote';
import type { Lesson } from './types';
import { watchCompactionLesson } from './watchCompaction';

export type { Check, CommandRecord, Lesson, LessonState, LessonStep, LessonVariant, Note, PanelHint, StepApi } from './types';
export { evaluate, initialState, lessonOptions, runLesson, runStep, stepApi, type StepOutcome } from './runner';

export const lessons: readonly Lesson[] = [
  preVoteLesson,
  checkQuorumLesson,
  learnersLesson,
  leadershipTransferLesson,
  linearizableReadsLesson,
  logRepairLesson,
  leaseLeaderChangeLesson,
  watchCompactionLesson,
];

export function lessonById(id: string): Lesson | undefined {
  return lessons.find((l) => l.id === id);
}
