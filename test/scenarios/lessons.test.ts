// Every guided lesson, every step, on the inline executor: each check a step shows must hold on
// the real simulated cluster. Negative controls run the lessons that have a variant (pre-vote off,
// check-quorum off, lease checkpoints on) and require the very checks that carry the lesson's
// point to fail there, so the checks tell the two configurations apart. Time travel: going back
// to a step (seek to its start, replay to its end) shows the same outcome, and re-running a step
// from a recording cut at its start reproduces it exactly (what the UI does after a fork).

import { describe, expect, it } from 'vitest';
import { createPlayground, type Playground } from '../../src/playground/index';
import { evaluate, lessonById, lessonOptions, lessons, runLesson, runStep, type Lesson, type StepOutcome } from '../../src/scenarios/index';

function failing(lesson: Lesson, outs: StepOutcome[]): string[] {
  return outs.flatMap((o) => o.checks.filter((c) => !c.ok).map((c) => `step ${o.index + 1} (${lesson.steps[o.index]!.title}): ${c.label} — ${c.detail}`));
}

function checkIn(o: StepOutcome, label: string | RegExp) {
  const c = o.checks.find((x) => (typeof label === 'string' ? x.label === label : label.test(x.label)));
  if (c === undefined) throw new Error(`step ${o.index + 1} has no check ${String(label)}: ${o.checks.map((x) => x.label).join(' | ')}`);
  return c;
}

function checkOf(outs: StepOutcome[], step: number, label: string | RegExp) {
  return checkIn(outs[step]!, label);
}

async function run(lesson: Lesson, variant?: string): Promise<{ pg: Playground; outs: StepOutcome[] }> {
  const pg = await createPlayground(lessonOptions(lesson, variant));
  const outs = await runLesson(pg, lesson);
  return { pg, outs };
}

describe('guided lessons', () => {
  it('are listed in DESIGN.md order, with unique ids and at least two steps each', () => {
    expect(lessons.map((l) => l.id)).toEqual([
      'pre-vote',
      'check-quorum',
      'learners',
      'leadership-transfer',
      'linearizable-reads',
      'log-repair',
      'lease-leader-change',
      'watch-compaction',
    ]);
    for (const l of lessons) {
      expect(l.steps.length).toBeGreaterThanOrEqual(2);
      for (const s of l.steps) expect(s.narration.length).toBeGreaterThan(40);
    }
  });

  for (const lesson of lessons) {
    it(`${lesson.id}: every check of every step holds`, async () => {
      const { pg, outs } = await run(lesson);
      expect(outs).toHaveLength(lesson.steps.length);
      expect(failing(lesson, outs)).toEqual([]);
      for (const o of outs) {
        expect(o.checks.length).toBeGreaterThan(0);
        // Steps follow each other on the timeline, and each one moved time.
        expect(o.endedAt).toBeGreaterThan(o.startedAt);
        if (o.index > 0) expect(o.startedAt).toBe(outs[o.index - 1]!.endedAt);
      }
      await pg.dispose();
    });
  }
});

describe('negative controls: the checks tell the configurations apart', () => {
  it('pre-vote off: the cut-off member raises its term and its return forces an election', async () => {
    const lesson = lessonById('pre-vote')!;
    const { pg, outs } = await run(lesson, 'no-pre-vote');
    expect(pg.options.preVote).toBe(false);
    expect(checkOf(outs, 1, /campaigns with pre-votes only/).ok).toBe(false);
    expect(checkOf(outs, 1, 'Its term did not grow').ok).toBe(false);
    expect(checkOf(outs, 2, 'No election: every member is still at the same term').ok).toBe(false);
    expect(checkOf(outs, 2, 'Writes kept flowing through the rejoin').ok).toBe(false);
    // What did not depend on pre-vote still holds: the majority kept working while it was away.
    expect(checkOf(outs, 1, /kept its leader and committed/).ok).toBe(true);
    await pg.dispose();
  });

  it('check-quorum off: the cut-off leader keeps calling itself leader', async () => {
    const lesson = lessonById('check-quorum')!;
    const { pg, outs } = await run(lesson, 'no-check-quorum');
    expect(pg.options.checkQuorum).toBe(false);
    expect(checkOf(outs, 1, 'The majority elected a new leader in a higher term').ok).toBe(true);
    expect(checkOf(outs, 1, 'The old leader stepped down by itself').ok).toBe(false);
    expect(checkOf(outs, 1, 'Only one member calls itself leader').ok).toBe(false);
    expect(checkOf(outs, 2, 'It does not claim to be the leader').ok).toBe(false);
    await pg.dispose();
  });

  it('lease checkpoints on: the new leader keeps most of the count-down', async () => {
    const lesson = lessonById('lease-leader-change')!;
    const { pg, outs } = await run(lesson, 'lease-checkpoint');
    expect(checkOf(outs, 2, 'The lease survived the election').ok).toBe(true);
    expect(checkOf(outs, 2, 'The new leader restarted its count-down').ok).toBe(false);
    expect(checkOf(outs, 4, 'It expired more than a full TTL after the new leader took over').ok).toBe(false);
    await pg.dispose();
  });

  it('serializable read without a partition: the stale-read check fails', async () => {
    // The lesson's serializable read (step 3) right after step 1: no member was cut off and x was
    // written once, so the follower's answer is not stale, and the check must say so.
    const lesson = lessonById('linearizable-reads')!;
    const pg = await createPlayground(lessonOptions(lesson));
    const first = await runLesson(pg, lesson, { upTo: 0 });
    const follower = pg.status().find((n) => n.id !== pg.leader())!.id;
    const before = { ...first[0]!.state, notes: { ...first[0]!.state.notes, follower } };
    const o = await runStep(pg, lesson, 2, before);
    expect(checkIn(o, 'It answered at once').ok).toBe(true);
    expect(checkIn(o, 'It returned a stale value').ok).toBe(false);
    await pg.dispose();
  });
});

describe('going back in a lesson', () => {
  it('seeking to a step’s start and replaying to its end shows the same checks', async () => {
    const lesson = lessonById('check-quorum')!;
    const { pg, outs } = await run(lesson);
    for (const k of [2, 1, 3, 0]) {
      const o = outs[k]!;
      await pg.seek(o.startedAt);
      expect(pg.now()).toBe(o.startedAt);
      await pg.advance(o.endedAt - o.startedAt);
      expect(await evaluate(pg, lesson, k, o.state)).toEqual(o.checks);
    }
    await pg.dispose();
  });

  it('re-running a step from a recording cut at its start reproduces it exactly', async () => {
    for (const id of ['learners', 'log-repair']) {
      const lesson = lessonById(id)!;
      const { pg, outs } = await run(lesson);
      const rec = pg.record();
      const k = Math.floor(lesson.steps.length / 2);
      const start = outs[k]!.startedAt;
      const cut = { ...rec, actions: rec.actions.filter((a) => a.t <= start) };
      const again = await createPlayground({ replay: JSON.parse(JSON.stringify(cut)) as typeof cut });
      await again.advance(start - again.now());
      const o = await runStep(again, lesson, k, outs[k - 1]!.state);
      expect({ startedAt: o.startedAt, endedAt: o.endedAt, checks: o.checks }).toEqual({ startedAt: start, endedAt: outs[k]!.endedAt, checks: outs[k]!.checks });
      await again.dispose();
      await pg.dispose();
    }
  });
});
