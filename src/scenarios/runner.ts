// Runs a lesson's steps against a Playground, the same way for the UI and for the tests, and
// keeps step boundaries that time travel can return to exactly.
//
// Boundaries. seek(t) shows the run with every event and every recorded action at times <= t.
// So a step ends by finishing its instant (advance(0): every event due at that time is processed)
// and the next step waits 1 ms before its first action: seek(endedAt) then shows exactly the state
// the checks saw, without the next step's actions, and seek(startedAt) the state before the step.

import type { ExecResult, Playground, PlaygroundOptions } from '../playground/index';
import type { Check, CommandRecord, Lesson, LessonState, Note, StepApi } from './types';

/** What one step did: where it starts and ends in virtual time, and what its checks saw. */
export interface StepOutcome {
  index: number;
  startedAt: number;
  endedAt: number;
  checks: Check[];
  /** The lesson's state after the step (restored when the lesson goes back to this step). */
  state: LessonState;
}

export function initialState(): LessonState {
  return { notes: {}, focus: null, commands: [] };
}

/** The cluster options of a lesson, or of its variant. */
export function lessonOptions(lesson: Lesson, variantId?: string): PlaygroundOptions {
  if (variantId === undefined || lesson.variant === undefined || lesson.variant.id !== variantId) return { ...lesson.options };
  return { ...lesson.options, ...lesson.variant.options };
}

function copy<T>(x: T): T {
  return structuredClone(x);
}

/** A step's handle on the lesson: notes, focus and recorded etcdctl commands. */
class StepContext implements StepApi {
  constructor(
    readonly pg: Playground,
    readonly state: LessonState,
  ) {}

  note<T extends Note>(key: string, value: T): T {
    this.state.notes[key] = copy(value);
    return value;
  }

  get<T>(key: string): T {
    const v = this.state.notes[key];
    if (v === undefined) throw new Error(`lesson note "${key}" is missing (an earlier step did not run)`);
    return v as T;
  }

  maybe<T>(key: string): T | undefined {
    return this.state.notes[key] as T | undefined;
  }

  focus(id: number | null): void {
    this.state.focus = id;
  }

  async etcdctl(line: string, opts: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    const at = this.pg.now();
    const r = await this.pg.exec(line, opts);
    const rec: CommandRecord = { line, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, at, doneAt: this.pg.now() };
    this.state.commands.push(rec);
    return r;
  }

  get commands(): readonly CommandRecord[] {
    return this.state.commands;
  }
}

/** The handle a step's checks get, on a copy of the lesson's state (checks only read it). */
export function stepApi(pg: Playground, state: LessonState): StepApi {
  return new StepContext(pg, copy(state));
}

/**
 * Runs step `index` from the lesson state `before` (the previous step's outcome state) and
 * checks it. The Playground should be paused (not driven in real time): awaited operations then
 * move virtual time themselves, and the run is the same as in the tests.
 */
export async function runStep(pg: Playground, lesson: Lesson, index: number, before: LessonState): Promise<StepOutcome> {
  const step = lesson.steps[index];
  if (step === undefined) throw new Error(`lesson ${lesson.id} has no step ${index}`);
  const state: LessonState = { ...copy(before), commands: [] };
  const ctx = new StepContext(pg, state);
  await pg.advance(0);
  const startedAt = pg.now();
  await pg.advance(1);
  let failure: string | undefined;
  try {
    await step.run(pg, ctx);
  } catch (err) {
    failure = (err as Error)?.message ?? String(err);
  }
  // Finish the instant: the boundary is "every event up to endedAt".
  await pg.advance(0);
  const endedAt = pg.now();
  const checks = await evaluate(pg, lesson, index, state);
  if (failure !== undefined) checks.unshift({ label: 'The step ran to its end', ok: false, detail: failure });
  return { index, startedAt, endedAt, checks, state: copy(state) };
}

/** Evaluates step `index`'s checks on the world on screen, with the state that step left. */
export async function evaluate(pg: Playground, lesson: Lesson, index: number, state: LessonState): Promise<Check[]> {
  const step = lesson.steps[index]!;
  try {
    return await step.expect(pg, stepApi(pg, state));
  } catch (err) {
    return [{ label: 'The checks could read the cluster', ok: false, detail: (err as Error)?.message ?? String(err) }];
  }
}

/** Runs every step of a lesson in order (tests; share links that open at a later step). */
export async function runLesson(pg: Playground, lesson: Lesson, opts: { upTo?: number; onStep?: (o: StepOutcome) => void } = {}): Promise<StepOutcome[]> {
  const out: StepOutcome[] = [];
  let state = initialState();
  const last = Math.min(lesson.steps.length - 1, opts.upTo ?? lesson.steps.length - 1);
  for (let i = 0; i <= last; i++) {
    const o = await runStep(pg, lesson, i, state);
    out.push(o);
    opts.onStep?.(o);
    state = o.state;
  }
  return out;
}
