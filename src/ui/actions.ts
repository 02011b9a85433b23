// Everything a control can do to the cluster, in one place: each action calls the Playground API
// (never a separate model) and turns a failure into a notice instead of an unhandled rejection.
// Keyboard shortcuts and buttons share these, so both behave the same.

import type { Playground, Speed } from '../playground/index';
import type { Session } from './session';
import { SPEEDS } from './session';
import { leaderOf } from './store/clusterStore';
import { notify } from './store/uiStore';
import { hexId } from './lib/format';

async function attempt(s: Session, label: string, fn: () => Promise<unknown> | unknown, done?: string): Promise<void> {
  try {
    await fn();
    if (done !== undefined) notify(s.ui, 'info', done);
  } catch (err) {
    notify(s.ui, 'error', `${label}: ${(err as Error).message ?? String(err)}`);
  }
}

function nameOf(pg: Playground, id: number): string {
  return pg.status().find((n) => n.id === id)?.name ?? hexId(id);
}

/** Mirrors the driver's state into the store at once (controls must not wait for a frame). */
function syncDriver(s: Session): void {
  s.cluster.setState({ playing: s.pg.playing, speed: s.pg.speed });
}

export function togglePlay(s: Session): void {
  if (s.pg.playing) s.pg.pause();
  else s.pg.play(s.pg.speed);
  syncDriver(s);
}

export function setSpeed(s: Session, speed: Speed): void {
  s.pg.setSpeed(speed);
  syncDriver(s);
}

/** One notch faster (+1) or slower (-1) on the speed scale. */
export function nudgeSpeed(s: Session, dir: 1 | -1): void {
  const i = SPEEDS.indexOf(s.pg.speed);
  const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? SPEEDS.indexOf(1) : i) + dir))]!;
  setSpeed(s, next);
}

export type StepKind = 'event' | 'message' | 'tick';

let stepping = false;

/** Pauses, then moves the simulation by one event, one message or one tick. */
export async function step(s: Session, kind: StepKind): Promise<void> {
  if (stepping) return;
  stepping = true;
  s.pg.pause();
  syncDriver(s);
  try {
    await attempt(s, `step ${kind}`, () => (kind === 'event' ? s.pg.stepEvent() : kind === 'message' ? s.pg.stepMessage() : s.pg.stepTick()));
  } finally {
    stepping = false;
  }
}

export function kill(s: Session, id: number): Promise<void> {
  return attempt(s, `kill ${nameOf(s.pg, id)}`, () => s.pg.kill(id));
}

export function crash(s: Session, id: number): Promise<void> {
  return attempt(s, `crash ${nameOf(s.pg, id)}`, () => s.pg.crash(id));
}

export function restart(s: Session, id: number): Promise<void> {
  return attempt(s, `restart ${nameOf(s.pg, id)}`, () => s.pg.restart(id));
}

export function stop(s: Session, id: number): Promise<void> {
  return attempt(s, `stop ${nameOf(s.pg, id)}`, () => s.pg.stop(id));
}

export function setDisk(s: Session, id: number, latencyMs: number): Promise<void> {
  return attempt(s, 'disk latency', () => s.pg.setDisk(id, latencyMs));
}

export function forceElection(s: Session, id: number): Promise<void> {
  return attempt(s, 'force election', () => s.pg.forceElection(id));
}

export function transferLeader(s: Session, id: number): Promise<void> {
  return attempt(s, `move leader to ${nameOf(s.pg, id)}`, () => s.pg.transferLeader(id), `leadership moved to ${nameOf(s.pg, id)}`);
}

export function addMember(s: Session, learner: boolean): Promise<void> {
  return attempt(s, learner ? 'add learner' : 'add member', async () => {
    const id = await s.pg.addMember(undefined, { learner });
    notify(s.ui, 'info', `${learner ? 'learner' : 'member'} ${nameOf(s.pg, id)} added`);
  });
}

export function promote(s: Session, id: number): Promise<void> {
  return attempt(s, `promote ${nameOf(s.pg, id)}`, () => s.pg.promote(id), `${nameOf(s.pg, id)} promoted to voter`);
}

export function removeMember(s: Session, id: number): Promise<void> {
  return attempt(s, `remove ${nameOf(s.pg, id)}`, () => s.pg.removeMember(id), `${nameOf(s.pg, id)} removed`);
}

export function heal(s: Session): Promise<void> {
  return attempt(s, 'heal', () => s.pg.heal());
}

export function isolateLeader(s: Session): Promise<void> {
  const lead = leaderOf(s.pg.status());
  if (lead === undefined) {
    notify(s.ui, 'error', 'isolate leader: there is no leader right now');
    return Promise.resolve();
  }
  return attempt(s, 'isolate leader', () => s.pg.isolate(lead.id));
}

/**
 * Splits the voters into a minority that holds the current leader and a majority without it,
 * the classic "stale leader in the minority" setup.
 */
export function splitMinority(s: Session): Promise<void> {
  const members = s.pg.status().filter((n) => !n.removed);
  const lead = leaderOf(members);
  const ordered = lead === undefined ? members : [lead, ...members.filter((n) => n.id !== lead.id)];
  const minority = Math.floor((members.length - 1) / 2) || 1;
  const a = ordered.slice(0, minority).map((n) => n.id);
  const b = ordered.slice(minority).map((n) => n.id);
  return attempt(s, 'split', () => s.pg.partition([a, b]));
}

/** Label of the split preset for the current size: "Split 2 | 3". */
export function splitLabel(count: number): string {
  const minority = Math.floor((count - 1) / 2) || 1;
  return `Split ${minority} | ${count - minority}`;
}

/** Click on a link: cut both directions if any is up, else restore both. */
export function toggleLink(s: Session, a: number, b: number): Promise<void> {
  const links = s.pg.links();
  const ab = links.find((l) => l.from === a && l.to === b)?.state.up ?? true;
  const ba = links.find((l) => l.from === b && l.to === a)?.state.up ?? true;
  const up = !(ab || ba);
  return attempt(s, up ? 'restore link' : 'cut link', () => {
    s.pg.setLink(a, b, { up });
    s.pg.setLink(b, a, { up });
  });
}

export function setLinkDirection(s: Session, from: number, to: number, settings: { up?: boolean; latencyMs?: number; dropRate?: number }): Promise<void> {
  return attempt(s, 'link settings', () => s.pg.setLink(from, to, settings));
}

let writer: ReturnType<Playground['client']> | undefined;
let writeSeq = 0;

/** A client write through the real etcd client (what RaftScope's "client request" did). */
export function clientPut(s: Session): Promise<void> {
  writer ??= s.pg.client();
  const n = ++writeSeq;
  const c = writer;
  return attempt(s, 'client put', () => c.put(`key${n}`, `value${n}`));
}

// ---------------------------------------------------------------------------------------------
// Time travel

let seeking = false;
let seekNext: number | undefined;

/**
 * Shows instant `t` (pausing first). Dragging asks faster than seeks finish: while one runs, only
 * the latest target waits, so the view follows the pointer without a backlog.
 */
export function seekTo(s: Session, t: number): void {
  if (seeking) {
    seekNext = t;
    return;
  }
  seeking = true;
  s.pg.pause();
  syncDriver(s);
  void attempt(s, 'seek', () => s.pg.seek(t)).finally(() => {
    seeking = false;
    const next = seekNext;
    seekNext = undefined;
    if (next !== undefined) seekTo(s, next);
  });
}

/** Shows the live run again. */
export function backToLive(s: Session): void {
  seekTo(s, s.pg.timeline.end);
}
