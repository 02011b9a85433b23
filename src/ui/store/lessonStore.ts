// The guided lesson on screen, if any, as the lesson panel draws it: which lesson (and variant),
// which step, what that step's checks found, and whether the step is running, playing back or
// shown. Also presenter mode and the lesson picker. One store for the page (a lesson outlives the
// sessions it builds: starting, restarting or re-running it replaces the Playground).

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Check, CommandRecord, Lesson } from '../../scenarios/index';

export type LessonPhase =
  /** The lesson's title and summary, before its first step. */
  | 'intro'
  /** A step's actions are running (virtual time, as fast as possible). */
  | 'running'
  /** The step is played back on screen from its start to its end. */
  | 'playing'
  /** The step's end is on screen with its checks. */
  | 'shown'
  | 'error';

export interface ShownStep {
  index: number;
  checks: Check[];
  commands: CommandRecord[];
  startedAt: number;
  endedAt: number;
}

export interface LessonUiState {
  lesson: Lesson | null;
  variant: string | null;
  /** -1: the introduction; 0..n-1: the step on screen. */
  index: number;
  phase: LessonPhase;
  shown: ShownStep | null;
  /** Steps that have run in this lesson (their outcome is kept to go back to them). */
  ran: number;
  /** A line about what the lesson did for the person (continued from a step boundary, ...). */
  message: string | null;
  error: string | null;
  /** The playback of the step is held (Play / Space pressed during it). */
  held: boolean;
  presenter: boolean;
  pickerOpen: boolean;
}

export type LessonStore = StoreApi<LessonUiState>;

export const lessonStore: LessonStore = createStore<LessonUiState>()(() => ({
  lesson: null,
  variant: null,
  index: -1,
  phase: 'intro',
  shown: null,
  ran: 0,
  message: null,
  error: null,
  held: false,
  presenter: false,
  pickerOpen: false,
}));
