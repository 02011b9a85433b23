// Drives a guided lesson on the page: opening it on a fresh in-memory cluster, stepping forward
// and back, playing each step back on screen, and keeping the URL (?lesson=, &variant=, &step=).
//
// How a step is shown. Its actions run first, paused, in virtual time (exactly as in the tests, so
// its checks are the tests' checks); then the Playground seeks to the step's start and plays it to
// its end at the chosen speed, so the person watches what happened; then the checks are read
// again from the cluster at the step's end. Back seeks to the start of the previous step and plays
// it again. Every step's outcome is kept with the recording it ran on: as long as the recording up
// to a step's end is unchanged, going there is only seek + play; when the person has acted
// meanwhile (forking the run), the lesson continues from the last step boundary that is still
// intact — by seeking there, or, if actions were recorded after it, by rebuilding the cluster
// from the recording cut at that boundary — and runs the missing steps again (deterministic, so
// they turn out the same).

import type { Playground, Speed } from '../playground/index';
import { evaluate, initialState, lessonById, lessonOptions, runStep, type Lesson, type StepOutcome } from '../scenarios/index';
import { currentSession, replaceSession } from './lessonSession';
import { readUrlOptions } from './session';
import { lessonStore } from './store/lessonStore';

/** A step's outcome and the recording it ran on (to tell whether it is still on the timeline). */
interface Kept extends StepOutcome {
  actionCount: number;
  actionsKey: string;
}

/** Console entries the lesson writes get IDs from here up (the console's own count from 1). */
const LESSON_ENTRY_IDS = 1_000_000;

/** A step longer than this (wall clock) is played back faster than the chosen speed. */
const MAX_PLAYBACK_MS = 12_000;

let outcomes: Kept[] = [];
let lessonStart = 0;
let busy = false;
let queued: number | undefined;
let playback: { cancelled: boolean } | undefined;
let booting: Promise<void> | undefined;

function pg(): Playground {
  const s = currentSession();
  if (s === undefined) throw new Error('no session');
  return s.pg;
}

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

function keep(p: Playground, o: StepOutcome): Kept {
  const actions = p.record().actions;
  return { ...o, actionCount: actions.length, actionsKey: JSON.stringify(actions) };
}

/** Whether the run still starts with the actions step `o` ended with (its end can be rebuilt). */
function prefixIntact(p: Playground, o: Kept): boolean {
  const actions = p.record().actions;
  return actions.length >= o.actionCount && JSON.stringify(actions.slice(0, o.actionCount)) === o.actionsKey;
}

/**
 * Whether step `o` is still on the timeline as it ran: its actions are unchanged and nothing else
 * was recorded up to its end, so seek(endedAt) shows exactly what its checks saw.
 */
function intact(p: Playground, o: Kept): boolean {
  return prefixIntact(p, o) && !p.record().actions.slice(o.actionCount).some((a) => a.t <= o.endedAt);
}

// -------------------------------------------------------------------------------------------------
// URL

export interface LessonUrl {
  id: string;
  variant: string | undefined;
  /** 1-based step in the URL; 0 for the introduction. */
  step: number;
  presenter: boolean;
}

export function readLessonUrl(search: string): LessonUrl | undefined {
  const q = new URLSearchParams(search);
  const id = q.get('lesson');
  if (id === null || id === '') return undefined;
  const step = Number(q.get('step') ?? '0');
  return { id, variant: q.get('variant') ?? undefined, step: Number.isInteger(step) && step > 0 ? step : 0, presenter: q.has('presenter') };
}

export function presenterFromUrl(search: string): boolean {
  return new URLSearchParams(search).has('presenter');
}

function writeUrl(): void {
  const { lesson, variant, index, presenter } = lessonStore.getState();
  const q = new URLSearchParams(location.search);
  for (const p of ['lesson', 'variant', 'step', 'presenter']) q.delete(p);
  if (lesson !== null) {
    q.set('lesson', lesson.id);
    if (variant !== null) q.set('variant', variant);
    if (index >= 0) q.set('step', String(index + 1));
  }
  const qs = q.toString();
  // `presenter` is a bare flag.
  const extra = presenter ? `${qs === '' ? '' : '&'}presenter` : '';
  history.replaceState(history.state, '', `${location.pathname}${qs === '' && extra === '' ? '' : `?${qs}${extra}`}${location.hash}`);
}

// -------------------------------------------------------------------------------------------------
// Opening and leaving

/** Builds the lesson's cluster (in memory, inline: the same run as the tests) and shows its introduction. */
export async function openLesson(id: string, variant?: string): Promise<void> {
  const lesson = lessonById(id);
  if (lesson === undefined) throw new Error(`no lesson "${id}"`);
  const v = variant !== undefined && lesson.variant?.id === variant ? variant : undefined;
  queued = undefined;
  stopPlayback();
  while (busy) await nextFrame();
  outcomes = [];
  queued = undefined;
  lessonStore.setState({ lesson, variant: v ?? null, index: -1, phase: 'intro', shown: null, ran: 0, message: null, error: null, pickerOpen: false });
  const s = await replaceSession({ ...lessonOptions(lesson, v), executor: 'inline', storage: 'memory' });
  // Steps play back at the page's speed (?speed=, then the speed control).
  s.pg.setSpeed(readUrlOptions(location.search).speed);
  s.cluster.setState({ speed: s.pg.speed });
  lessonStart = s.pg.now();
  writeUrl();
}

/** Opens the lesson the URL names, at the step it names (earlier steps run without playback). */
export function bootLessonFromUrl(url: LessonUrl): Promise<void> {
  booting ??= (async () => {
    lessonStore.setState({ presenter: url.presenter });
    await openLesson(url.id, url.variant);
    const n = lessonStore.getState().lesson?.steps.length ?? 0;
    if (url.step > 0) await goTo(Math.min(url.step, n) - 1, { playback: false });
    // Keys pressed while the earlier steps ran.
    if (queued !== undefined) void drain(queued);
  })();
  return booting;
}

/** Leaves the lesson: back to the page's own cluster (a reload resumes the saved one). */
export function closeLesson(): void {
  stopPlayback();
  const q = new URLSearchParams(location.search);
  for (const p of ['lesson', 'variant', 'step']) q.delete(p);
  const qs = q.toString();
  location.assign(`${location.pathname}${qs === '' ? '' : `?${qs}`}`);
}

export function restartLesson(variant?: string | null): Promise<void> {
  const { lesson } = lessonStore.getState();
  if (lesson === null) return Promise.resolve();
  return openLesson(lesson.id, variant ?? undefined);
}

// -------------------------------------------------------------------------------------------------
// Stepping

/** Next: skips to the end of a step being played back, else shows the next step. */
export function next(): void {
  const st = lessonStore.getState();
  if (st.lesson === null) return;
  if (st.phase === 'playing') {
    stopPlayback();
    return;
  }
  if (busy) return;
  if (st.index + 1 >= st.lesson.steps.length) return;
  request(st.index + 1);
}

/** Back: shows the previous step again, played from its start (or the introduction). */
export function back(): void {
  const st = lessonStore.getState();
  if (st.lesson === null || st.index < 0) return;
  request((queued ?? st.index) - 1);
}

/** Plays the step on screen again from its start. */
export function replay(): void {
  const st = lessonStore.getState();
  if (st.lesson === null || st.index < 0 || busy) return;
  request(st.index);
}

function request(index: number): void {
  if (busy) {
    // Whatever is being played back stops; the latest request runs next.
    queued = index;
    stopPlayback();
    return;
  }
  void drain(index);
}

async function drain(first: number): Promise<void> {
  let target: number | undefined = first;
  while (target !== undefined) {
    queued = undefined;
    await goTo(target, { playback: true });
    target = queued;
  }
}

function stopPlayback(): void {
  if (playback !== undefined) playback.cancelled = true;
}

/** Shows step `index` (-1: the introduction), running what has not run yet. */
export async function goTo(index: number, opts: { playback: boolean }): Promise<void> {
  const lesson = lessonStore.getState().lesson;
  if (lesson === null || busy) return;
  busy = true;
  try {
    stopPlayback();
    pg().pause();
    if (index < 0) {
      await seekTo(lessonStart);
      lessonStore.setState({ index: -1, phase: 'intro', shown: null, error: null });
      writeUrl();
      return;
    }
    const o = outcomes[index];
    if (o !== undefined && intact(pg(), o)) {
      await show(lesson, o, opts.playback);
      return;
    }
    // Run what is missing, from the last step boundary still on the timeline.
    let j = index - 1;
    while (j >= 0 && (outcomes[j] === undefined || !prefixIntact(pg(), outcomes[j]!))) j--;
    outcomes.length = j + 1;
    const boundary = j >= 0 ? outcomes[j]!.endedAt : lessonStart;
    let state = j >= 0 ? outcomes[j]!.state : initialState();
    await standAt(boundary, j >= 0 ? outcomes[j]!.actionCount : 0, j);
    lessonStore.setState({ index, phase: 'running', shown: null, error: null });
    for (let k = j + 1; k <= index; k++) {
      const out = await runStep(pg(), lesson, k, state);
      outcomes[k] = keep(pg(), out);
      state = out.state;
    }
    lessonStore.setState({ ran: outcomes.length });
    await show(lesson, outcomes[index]!, opts.playback);
  } catch (err) {
    lessonStore.setState({ phase: 'error', error: (err as Error)?.message ?? String(err) });
  } finally {
    busy = false;
  }
}

async function seekTo(t: number): Promise<void> {
  const p = pg();
  // At `t` already (live, or replayed to it): the same state seek(t) would restore.
  if (p.now() !== t) await p.seek(t);
}

/**
 * Puts the world at step boundary `t` (the end of step `j`, where the run had `count` actions)
 * with nothing recorded after it, so the next step runs exactly as it would have: a seek when only
 * time moved past it, else a rebuild from the recording cut after those `count` actions (the
 * person's own actions since are set aside).
 */
async function standAt(t: number, count: number, j: number): Promise<void> {
  const p = pg();
  const rec = p.record();
  if (rec.actions.length === count) {
    await seekTo(t);
    return;
  }
  const cut = { ...rec, actions: rec.actions.slice(0, count) };
  const s = await replaceSession({ replay: cut, executor: 'inline', storage: 'memory' });
  if (s.pg.now() < t) await s.pg.advance(t - s.pg.now());
  lessonStore.setState({
    message: j < 0 ? 'Your changes to the cluster were set aside: the lesson starts again from its beginning.' : `Your changes to the cluster were set aside: the lesson continues from the end of step ${j + 1}.`,
  });
}

/** Plays step `o` back (unless asked not to, or motion is reduced), then shows its checks. */
async function show(lesson: Lesson, o: Kept, withPlayback: boolean): Promise<void> {
  const s = currentSession()!;
  const step = lesson.steps[o.index]!;
  lessonStore.setState({ index: o.index, phase: withPlayback && !reducedMotion() ? 'playing' : 'running', shown: null, error: null });
  const focus = o.state.focus;
  // The Console tab shows what the lesson typed so far (the person's own commands stay after it).
  const typed = outcomes.slice(0, o.index + 1).flatMap((k) => k.state.commands);
  s.ui.setState((u) => ({
    selection: focus !== null && s.pg.status().some((n) => n.id === focus) ? { kind: 'node', id: focus } : { kind: 'none' },
    ...(step.panel !== undefined ? { tab: step.panel } : {}),
    consoleEntries: [
      ...typed.map((c, n) => ({ id: LESSON_ENTRY_IDS + n, line: c.line, stdout: c.stdout, stderr: c.stderr, exitCode: c.exitCode, running: false })),
      ...u.consoleEntries.filter((e) => e.id < LESSON_ENTRY_IDS),
    ],
  }));
  writeUrl();
  if (withPlayback && !reducedMotion()) await playSpan(o.startedAt, o.endedAt);
  const p = pg();
  if (!intact(p, o)) {
    // The person acted during the playback: the run on screen is theirs now.
    lessonStore.setState({
      phase: 'shown',
      shown: { index: o.index, checks: o.checks, commands: o.state.commands, startedAt: o.startedAt, endedAt: o.endedAt },
      message: 'You acted on the cluster: the checks below are from the lesson’s own run. Next continues the lesson from its last intact step.',
    });
    return;
  }
  if (p.playing) p.pause();
  await seekTo(o.endedAt);
  // Read again from the cluster at the step's end (the same instant the step's run ended at).
  const checks = await evaluate(p, lesson, o.index, o.state);
  lessonStore.setState({ phase: 'shown', shown: { index: o.index, checks, commands: o.state.commands, startedAt: o.startedAt, endedAt: o.endedAt } });
}

/**
 * Seeks to `start` and plays in real time (the speed control's speed, faster for long steps)
 * until `end`, unless stopped. The person may pause and resume meanwhile (space): it waits.
 */
async function playSpan(start: number, end: number): Promise<void> {
  const p = pg();
  const token = { cancelled: false, held: false };
  playback = token;
  try {
    await seekTo(start);
    const chosen: Speed = p.speed;
    const speed = chosen === 'max' ? Infinity : Math.max(chosen, (end - start) / MAX_PLAYBACK_MS);
    // Event by event, never stopping the clock between two events: replaying in time slices
    // (play(), advance()) can end a slice while an etcdctl command the step ran is half-way, and
    // the replay then parts from the recording (reported to the Playground's owners).
    let target = p.now();
    let lastWall = performance.now();
    while (!token.cancelled && target < end) {
      await nextFrame();
      if (p.playing) {
        // Play / Space during a playback holds it or lets it go on (the lesson drives time here).
        p.pause();
        while (p.playing) await nextFrame();
        token.held = !token.held;
        lessonStore.setState({ held: token.held });
      }
      const wall = performance.now();
      const dt = Math.min(100, wall - lastWall);
      lastWall = wall;
      if (token.held) continue;
      target = Math.min(end, target + dt * speed);
      for (let n = 0; n < 5000 && !token.cancelled; n++) {
        const next = p.cluster.nextEventTime();
        if (next === undefined || next > target) break;
        await p.stepEvent();
      }
    }
    // The last stretch to the step's end (a quiet instant: the step's actions all finished).
    if (!token.cancelled && p.now() < end) await p.advance(end - p.now());
  } finally {
    if (playback === token) playback = undefined;
    lessonStore.setState({ held: false });
  }
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => resolve());
    else setTimeout(resolve, 16);
  });
}

// -------------------------------------------------------------------------------------------------
// Presenter mode and the picker

export function togglePresenter(on?: boolean): void {
  lessonStore.setState((s) => ({ presenter: on ?? !s.presenter }));
  writeUrl();
}

export function openPicker(open = true): void {
  lessonStore.setState({ pickerOpen: open });
}

export function dismissMessage(): void {
  lessonStore.setState({ message: null });
}
