// The bridge from the Playground to clusterStore. Cluster events arrive synchronously and in
// bursts (thousands per frame at "max" speed); the listener only counts, buffers feed lines and
// remembers delivered or dropped messages. Once per animation frame the loop reads the real state
// (now, status, inFlight, links), prunes what has been drawn, and writes one new snapshot. Raft
// details (timers, votes, progress) are polled after frames in which time moved.
//
// The display clock: the real-time driver advances virtual time in slices on its own timer, which
// beats against the display's frames. Drawing at playground.now() would stutter at slow speeds,
// so the view draws at a display clock that advances smoothly at the playing speed and never
// passes the simulation. Messages delivered between the two clocks are kept until the display
// reaches their arrival, so every flight is drawn to its end. When paused, the display eases to
// the simulation's time in a few frames (a step is shown moving, not jumping).
//
// Time travel: a seek jumps the display to the instant on screen and redraws everything from the
// Playground; the timeline tape keeps what the live run went through (a replay moving forward
// re-emits marks the tape already has, so only marks beyond its end are added), and a fork cuts
// the tape at the fork.

import type { InFlight, NodeStatus, Playground, PlaygroundEvent } from '../../playground/index';
import type { Lifecycle } from '../lib/format';
import type { ClusterState, ClusterStore, FeedLine, MessageView, TapeMark, TimedDetail } from './clusterStore';

/** Lines kept in the feed (older ones fall off). */
const FEED_MAX = 4000;
const TAPE_MAX = 4000;
/** Messages drawn at most; heartbeats are the first to be left out beyond it. */
const MESSAGES_DRAWN_MAX = 400;
/** How long a dropped message's burst stays, in wall-clock ms (converted to virtual by speed). */
const DROP_BURST_WALL_MS = 450;
/** Minimum wall-clock interval between two polls of node details. */
const DETAIL_POLL_MS = 33;
/** The feed is read, not watched: it is published at most this often (wall-clock ms). */
const FEED_FLUSH_MS = 120;

export interface FrameLoopOptions {
  reducedMotion: () => boolean;
}

export function startFrameLoop(pg: Playground, store: ClusterStore, opts: FrameLoopOptions): () => void {
  const feedBuf: FeedLine[] = [];
  const tapeBuf: TapeMark[] = [];
  const recent = new Map<number, MessageView>();
  const lifecycle: Record<string, Lifecycle> = {};
  const lastRole = new Map<number, string>();
  let feedSeq = 0;
  let statusDirty = true;
  let linksDirty = true;
  let sent = 0;
  let delivered = 0;
  let dropped = 0;
  let display = pg.now();
  let lastFrameWall = performance.now();
  let polling = false;
  let lastPollWall = 0;
  let lastPolledSim = -1;
  let lastFeedWall = 0;
  let raf = 0;
  let stopped = false;
  /** The latest time the tape has marks for (replayed events before it are not marked again). */
  let tapeEnd = -1;
  let timelineDirty = true;

  for (const n of pg.status()) lifecycle[n.id] = n.alive ? 'up' : n.removed ? 'removed' : 'down';

  const pushFeed = (line: Omit<FeedLine, 'seq'>): void => {
    feedBuf.push({ ...line, seq: ++feedSeq });
    if (feedBuf.length > FEED_MAX) feedBuf.splice(0, feedBuf.length - FEED_MAX);
  };

  const mark = (m: TapeMark): void => {
    if (m.time < tapeEnd) return;
    tapeEnd = m.time;
    tapeBuf.push(m);
  };

  const onEvent = (e: PlaygroundEvent): void => {
    switch (e.type) {
      case 'seek': {
        // A jump: whatever was in flight on screen belongs to another instant.
        recent.clear();
        statusDirty = true;
        linksDirty = true;
        timelineDirty = true;
        display = e.time;
        lastRole.clear();
        for (const n of pg.status()) {
          lifecycle[n.id] = n.alive ? 'up' : n.removed ? 'removed' : n.failed !== undefined ? 'failed' : 'down';
          if (n.alive) lastRole.set(n.id, n.role);
        }
        pushFeed({ time: e.time, node: 0, level: 'INFO', kind: 'node', text: e.live ? '— back to the live run —' : `— time travel: showing ${(e.time / 1000).toFixed(3)} s —` });
        return;
      }
      case 'driverError':
        store.setState({ driverError: e.message, playing: false });
        pushFeed({ time: e.time, node: 0, level: 'ERROR', kind: 'fault', text: `the clock stopped: ${e.message}` });
        return;
      case 'violation': {
        // A safety property failed: stop the clock where it happened and raise the alarm.
        pg.pause();
        store.setState((s) => ({ alarms: [...s.alarms, e.violation], playing: false }));
        pushFeed({ time: e.time, node: e.violation.nodes[0] ?? 0, level: 'ERROR', kind: 'fault', text: `${e.violation.property} violated: ${e.violation.message}` });
        return;
      }
      case 'fork': {
        timelineDirty = true;
        tapeEnd = e.time;
        tapeBuf.length = 0;
        store.setState((s) => ({ tape: s.tape.filter((m) => m.time <= e.time) }));
        tapeBuf.push({ time: e.time, kind: 'fault', term: 0, label: 'fork: the run goes another way from here' });
        pushFeed({ time: e.time, node: 0, level: 'WARN', kind: 'fault', text: 'fork: acting in the past drops the recorded future from here' });
        return;
      }
      case 'message':
        if (e.phase === 'send') sent++;
        else if (e.phase === 'deliver') {
          delivered++;
          if (e.message.at > display) recent.set(e.message.id, { m: e.message, phase: 'delivered' });
        } else {
          dropped++;
          recent.set(e.message.id, { m: { ...e.message, text: e.message.text }, phase: 'dropped' });
        }
        return;
      case 'status': {
        statusDirty = true;
        const prev = lastRole.get(e.node);
        const role = e.status.role;
        if (prev !== role) {
          lastRole.set(e.node, role);
          if (role === 'StateLeader') mark({ time: e.time, kind: 'leader', term: e.status.term, label: `${e.status.name} leads term ${e.status.term}` });
          else if (role === 'StateCandidate' || role === 'StatePreCandidate')
            mark({ time: e.time, kind: 'election', term: e.status.term, label: `${e.status.name} campaigns (term ${e.status.term})` });
        }
        return;
      }
      case 'member':
        if (e.event.kind === 'log') {
          pushFeed({ time: e.time, node: e.node, level: e.event.level, kind: e.event.source, text: e.event.text });
        } else if (e.event.kind === 'snapshot') {
          pushFeed({ time: e.time, node: e.node, level: 'INFO', kind: 'etcdserver', text: `saved snapshot at index ${e.event.index} (compacted to ${e.event.compactedTo})` });
        } else if (e.event.kind === 'restore') {
          pushFeed({ time: e.time, node: e.node, level: 'INFO', kind: 'etcdserver', text: `restored snapshot at index ${e.event.index} (term ${e.event.term})` });
        }
        return;
      case 'fault':
        linksDirty = true;
        statusDirty = true;
        pushFeed({ time: e.time, node: 0, level: 'WARN', kind: 'fault', text: `${e.action}: ${e.detail}` });
        mark({ time: e.time, kind: 'fault', term: 0, label: `${e.action} ${e.detail}` });
        return;
      case 'node':
        statusDirty = true;
        lifecycle[e.node] = e.state;
        if (e.state !== 'up') lastRole.delete(e.node);
        pushFeed({
          time: e.time,
          node: e.node,
          level: e.state === 'failed' ? 'ERROR' : e.state === 'up' ? 'INFO' : 'WARN',
          kind: 'node',
          text: `member ${e.state === 'up' ? 'started' : e.state}${e.detail !== undefined ? `: ${e.detail}` : ''}`,
        });
        return;
      case 'client': {
        const op = e.op;
        const took = op.returnedAt - op.invokedAt;
        const what = [op.op, op.key].filter((x) => x !== undefined && x !== '').join(' ');
        pushFeed({
          time: e.time,
          node: 0,
          level: op.ok ? 'INFO' : 'WARN',
          kind: 'client',
          text: `${op.clientId} ${what} → ${op.ok ? 'ok' : `error ${String(resultText(op.result))}`} (${Number.isInteger(took) ? took : took.toFixed(1)} ms, ${op.endpoint})`,
        });
        return;
      }
    }
  };
  const unsubscribe = pg.subscribe(onEvent);

  const frame = (wall: number): void => {
    if (stopped) return;
    raf = requestAnimationFrame(frame);
    const dt = Math.min(100, Math.max(0, wall - lastFrameWall));
    lastFrameWall = wall;
    const sim = pg.now();
    const playing = pg.playing;
    const speed = pg.speed;
    display = nextDisplay(display, sim, dt, playing, speed, opts.reducedMotion());

    const prev = store.getState();
    const patch: Partial<ClusterState> = {};
    if (display !== prev.now) patch.now = display;
    if (sim !== prev.simNow) patch.simNow = sim;
    if (playing !== prev.playing) patch.playing = playing;
    if (speed !== prev.speed) patch.speed = speed;

    if (statusDirty) {
      statusDirty = false;
      const nodes = pg.status();
      if (!sameStatuses(nodes, prev.nodes)) {
        patch.nodes = nodes;
        patch.statusSeq = prev.statusSeq + 1;
      }
      if (!sameRecord(lifecycle, prev.lifecycle)) patch.lifecycle = { ...lifecycle };
    }
    if (linksDirty) {
      linksDirty = false;
      patch.links = pg.links();
    }
    if (feedBuf.length > 0 && wall - lastFeedWall >= FEED_FLUSH_MS) {
      lastFeedWall = wall;
      const merged = prev.feed.concat(feedBuf);
      patch.feed = merged.length > FEED_MAX ? merged.slice(merged.length - FEED_MAX) : merged;
      feedBuf.length = 0;
    }
    if (tapeBuf.length > 0) {
      const merged = prev.tape.concat(tapeBuf);
      patch.tape = merged.length > TAPE_MAX ? merged.slice(merged.length - TAPE_MAX) : merged;
      tapeBuf.length = 0;
    }
    const tl = pg.timeline;
    if (timelineDirty || tl.end !== prev.timeline.end || tl.viewing !== prev.timeline.viewing || tl.start !== prev.timeline.start) {
      timelineDirty = false;
      patch.timeline = { start: tl.start, end: tl.end, viewing: tl.viewing };
    }
    if (sent !== prev.counters.sent || delivered !== prev.counters.delivered || dropped !== prev.counters.dropped) {
      patch.counters = { sent, delivered, dropped };
    }
    if (display !== prev.now || sim !== prev.simNow || recent.size > 0 || prev.messages.length > 0 || patch.links !== undefined) {
      const burstMs = dropBurstMs(speed);
      patch.messages = collectMessages(pg.inFlight(), recent, display, burstMs);
    }
    if (Object.keys(patch).length > 0) store.setState(patch);

    if (!polling && sim !== lastPolledSim && wall - lastPollWall >= DETAIL_POLL_MS) {
      polling = true;
      lastPollWall = wall;
      lastPolledSim = sim;
      void pollDetails(pg, store.getState().nodes).then(
        (details) => {
          polling = false;
          if (stopped) return;
          const state = store.getState();
          const lead = pg.leader();
          const progress = lead !== undefined ? details[lead]?.detail.progress : undefined;
          const prev = state.leaderProgress;
          const leaderProgress =
            lead === undefined || progress === undefined
              ? undefined
              : prev !== undefined && prev.leader === lead && JSON.stringify(prev.progress) === JSON.stringify(progress)
                ? prev
                : { leader: lead, progress };
          store.setState({ details, leaderProgress });
        },
        () => {
          polling = false;
        },
      );
    }
  };
  raf = requestAnimationFrame(frame);

  return () => {
    stopped = true;
    cancelAnimationFrame(raf);
    unsubscribe();
  };
}

function nextDisplay(display: number, sim: number, dt: number, playing: boolean, speed: number | 'max', reduced: boolean): number {
  if (sim < display) return sim;
  if (playing && speed !== 'max') {
    const step = dt * speed;
    let next = display + step;
    // Fell far behind (a long frame, a burst of work): jump to one slice behind the simulation.
    if (sim - next > Math.max(step, 16 * speed) * 4) next = sim - 16 * speed;
    return Math.min(sim, Math.max(display, next));
  }
  if (reduced || playing) return sim;
  // Paused: ease towards the simulation's time (a step is shown moving).
  const gap = sim - display;
  if (gap < 0.05) return sim;
  return display + gap * Math.min(1, dt / 90);
}

/** In-flight messages plus those delivered or dropped that the display has not finished drawing. */
function collectMessages(inFlight: InFlight[], recent: Map<number, MessageView>, display: number, burstMs: number): MessageView[] {
  const out: MessageView[] = [];
  for (const m of inFlight) if (m.sentAt <= display) out.push({ m, phase: 'flight' });
  for (const [id, v] of recent) {
    const end = v.phase === 'dropped' ? v.m.at + burstMs : v.m.at;
    if (end <= display) recent.delete(id);
    else if (v.m.sentAt <= display) out.push(v);
  }
  if (recent.size > 4 * MESSAGES_DRAWN_MAX) {
    // At "max" speed flights end faster than frames: forget the oldest.
    const drop = recent.size - 2 * MESSAGES_DRAWN_MAX;
    let i = 0;
    for (const id of recent.keys()) {
      if (i++ >= drop) break;
      recent.delete(id);
    }
  }
  if (out.length <= MESSAGES_DRAWN_MAX) return out;
  const important = out.filter((v) => !isHeartbeat(v.m.type));
  const beats = out.filter((v) => isHeartbeat(v.m.type));
  return important.concat(beats).slice(0, MESSAGES_DRAWN_MAX);
}

/** How long (virtual ms) a dropped message's burst is drawn at this speed. */
export function dropBurstMs(speed: number | 'max'): number {
  return speed === 'max' ? 0 : DROP_BURST_WALL_MS * speed;
}

export function isHeartbeat(type: string): boolean {
  return type === 'MsgHeartbeat' || type === 'MsgHeartbeatResp';
}

async function pollDetails(pg: Playground, nodes: readonly NodeStatus[]): Promise<Record<string, TimedDetail>> {
  const at = pg.now();
  const out: Record<string, TimedDetail> = {};
  await Promise.all(
    nodes
      .filter((n) => n.alive)
      .map(async (n) => {
        try {
          out[n.id] = { detail: await pg.nodeDetail(n.id), at };
        } catch {
          // The node went down between the status read and this call: no detail for it.
        }
      }),
  );
  return out;
}

function sameStatuses(a: readonly NodeStatus[], b: readonly NodeStatus[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.id !== y.id ||
      x.alive !== y.alive ||
      x.role !== y.role ||
      x.isLearner !== y.isLearner ||
      x.term !== y.term ||
      x.vote !== y.vote ||
      x.lead !== y.lead ||
      x.commit !== y.commit ||
      x.applied !== y.applied ||
      x.lastIndex !== y.lastIndex ||
      x.firstIndex !== y.firstIndex ||
      x.revision !== y.revision ||
      x.removed !== y.removed ||
      x.failed !== y.failed ||
      x.diskLatencyMs !== y.diskLatencyMs
    )
      return false;
  }
  return true;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function resultText(result: unknown): string {
  if (result === null || result === undefined) return '';
  if (typeof result === 'string') return result;
  if (typeof result === 'object' && 'message' in result) return String((result as { message: unknown }).message);
  return JSON.stringify(result);
}
