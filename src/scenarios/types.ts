// What a guided lesson is made of: data (the cluster's options, the steps' titles and narration)
// plus, per step, the actions that make it happen and the checks that read what really happened.
// A lesson never states an outcome it did not observe: `expect` computes every check from the
// cluster's own state (status(), history(), logs, keyspaces) and from what `run` noted down.

import type { ExecResult, Playground, PlaygroundOptions } from '../playground/index';

/** One observation a step promises, checked against the running cluster. */
export interface Check {
  /** What should hold, in a few plain words ("The old leader stepped down"). */
  label: string;
  ok: boolean;
  /** What was actually seen, with numbers and names ("infra4 is StateFollower at term 3"). */
  detail: string;
}

/** A value a step writes down for its checks and for later steps: plain data, so it can be copied. */
export type Note = string | number | boolean | null | Note[] | { [key: string]: Note };

/** One etcdctl command a step ran, and what it printed (the lesson shows it like a console). */
export interface CommandRecord {
  line: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Virtual time the command was issued at, and when it finished. */
  at: number;
  doneAt: number;
}

/**
 * The lesson's memory between steps. Plain data: the runner copies it after every step so that
 * going back restores exactly what the checks of that step saw.
 */
export interface LessonState {
  notes: Record<string, Note>;
  /** The member the step is about (the UI selects it), if any. */
  focus: number | null;
  /** Commands run by the current step. */
  commands: CommandRecord[];
}

export type PanelHint = 'logs' | 'data' | 'console';

export interface StepApi {
  readonly pg: Playground;
  /** Writes a note (returns the value, for chaining). */
  note<T extends Note>(key: string, value: T): T;
  /** Reads a note an earlier step (or this one) wrote; throws if it is missing. */
  get<T>(key: string): T;
  /** Reads a note that may be missing. */
  maybe<T>(key: string): T | undefined;
  /** Points the UI at one member (it gets selected in the cluster view). */
  focus(id: number | null): void;
  /** Runs an etcdctl command line through the playground and records it with its output. */
  etcdctl(line: string, opts?: { timeoutMs?: number; stdin?: string }): Promise<ExecResult>;
  /** The commands this step ran so far. */
  readonly commands: readonly CommandRecord[];
}

export interface LessonStep {
  title: string;
  /** Short, plain and correct; etcd's own names for messages, states and flags. */
  narration: string;
  /** The bottom panel that shows this step best. */
  panel?: PanelHint;
  /**
   * Performs the step through the Playground API and leaves virtual time advanced far enough
   * for its checks to mean something. Deterministic from the lesson's seed.
   */
  run(pg: Playground, ctx: StepApi): Promise<void>;
  /**
   * Reads the outcome. Observation only (views, history, notes): it may be evaluated again
   * after a seek to the end of the step, so it must never act on the cluster.
   */
  expect(pg: Playground, ctx: StepApi): Check[] | Promise<Check[]>;
}

/** Another configuration of the same lesson, where its point shows by its absence. */
export interface LessonVariant {
  id: string;
  /** Button text ("Run it with pre-vote off"). */
  label: string;
  options: Partial<PlaygroundOptions>;
  /** What to look for when running it (which checks are expected to fail, and why). */
  note: string;
}

export interface Lesson {
  id: string;
  title: string;
  /** One or two sentences: what the lesson shows. */
  summary: string;
  /** How the lesson's cluster is built (createPlayground options). */
  options: PlaygroundOptions;
  variant?: LessonVariant;
  steps: LessonStep[];
}
