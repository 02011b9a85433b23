// The coordinator: one deterministic simulation of an etcd cluster. It owns virtual time, the
// queue of pending events ordered by (time, sequence), the seeded network, the members' disks
// (write latency) and the clients. At each event it hands the affected node its input, awaits its
// outputs and schedules what they cause: deliveries, drops, disk completions, client answers. Nodes
// are always driven one at a time in a fixed order, so a run is determined by (seed, config, the
// user's time-stamped actions), whichever executor runs the nodes.
//
// No clock, no timers: time moves only when advance(), runUntil() or waitFor() move it (the
// playground's real-time driver calls advance() from animation frames).

import { assert } from '../lib/assert';
import { CLONE_AS, shareOnClone } from '../lib/clone';
import { AppendLog } from '../lib/appendLog';
import { Prng, deriveSeed, hashString } from '../lib/prng';
import { describeMessage, type Message } from '../raft/index';
import type { ClientRequest, ClientResponse, MemberEvent, MemberStatus, PeerMessage } from '../server/index';
import { Client, type ClientTransport, type HistoryOp } from '../client/client';
import type { ClientOptions } from '../client/api';
import { EventQueue } from './eventQueue';
import type { HostInput, HostResult, NodeHost } from './host';
import { InMemoryDisk, MemberHost } from './memberHost';
import { Network, type LinkSettings, type LinkState } from './network';

/** One member of the simulated cluster. */
export interface NodeSpec {
  id: number;
  name: string;
  peerUrl: string;
  clientUrl: string;
}

export interface ClusterTiming {
  /** Raft tick (etcd's heartbeat interval). Default 100 ms. */
  tickMs: number;
  /** Ticks per election timeout. Default 10. */
  electionTicks: number;
  heartbeatTicks: number;
  /** One-way peer link latency, mean and jitter. Defaults 30 ± 10 ms: a visible fraction of a tick. */
  latencyMs: number;
  jitterMs: number;
  /** Client ↔ member latency. Default 5 ms. */
  clientLatencyMs: number;
  /** Time to make one batch durable. Default 2 ms (an SSD's fsync). */
  diskLatencyMs: number;
}

export interface ClusterOptions {
  seed: number;
  /** Initial members (3 to 9). */
  nodes: number;
  timing?: Partial<ClusterTiming>;
  preVote?: boolean;
  checkQuorum?: boolean;
  snapshotCount?: number;
  snapshotCatchUpEntries?: number;
  leaseCheckpoint?: boolean;
  /** Interval of lease checkpoints (etcd: 5 minutes). */
  leaseCheckpointIntervalMs?: number;
  quotaBackendBytes?: number;
  /** Builds the host of a node (the executor). The host keeps its storage across kills. */
  hostFactory: (spec: NodeSpec, clusterId: number) => NodeHost;
  /**
   * Rebuilds a cluster whose members' storage already exists (a reload of the page): these members,
   * links and clock instead of a fresh bootstrap. start() restarts the members that were running.
   */
  resume?: ClusterLayout;
}

/** What a cluster is made of beyond its members' storage: enough to build it again after a reload. */
export interface ClusterLayout {
  /** Virtual time to continue from. */
  now: number;
  nodes: Array<{ spec: NodeSpec; joinExisting: boolean; removed: boolean; running: boolean; diskLatencyMs: number }>;
  memberCounter: number;
  links: Array<{ from: number; to: number; state: LinkState }>;
}

/** A message in flight, as the UI draws it. */
export interface InFlight {
  id: number;
  from: number;
  to: number;
  /** 'raft' messages carry etcd's type in `type`; client traffic is 'client'. */
  channel: 'raft' | 'forward' | 'client';
  type: string;
  sentAt: number;
  /** When it will arrive, or die. */
  at: number;
  fate: 'deliver' | 'drop';
  dropReason?: string;
  /** For MsgVoteResp / MsgPreVoteResp / MsgAppResp: whether it rejects. */
  reject?: boolean;
  /** etcd's one-line description (describeMessage). */
  text: string;
  msg?: Message;
}

/** Everything observable, in the order it happened. */
export type ClusterEvent =
  | { type: 'message'; phase: 'send' | 'deliver' | 'drop'; time: number; message: InFlight }
  | { type: 'status'; time: number; node: number; status: MemberStatus }
  | { type: 'member'; time: number; node: number; event: MemberEvent }
  | { type: 'fault'; time: number; action: string; detail: string }
  | { type: 'client'; time: number; op: HistoryOp }
  | { type: 'node'; time: number; node: number; state: 'up' | 'down' | 'stopped' | 'removed' | 'failed'; detail?: string };

type SimEvent =
  | { kind: 'tick'; node: number; epoch: number }
  | { kind: 'deliver'; msgId: number }
  | { kind: 'diskDone'; node: number; epoch: number }
  | { kind: 'clientResponse'; clientId: string; resp: ClientResponse; msgId: number }
  | { kind: 'clientTimer'; clientId: string; timerId: number }
  | { kind: 'input'; node: number; epoch: number; input: HostInput };

interface NodeRuntime {
  spec: NodeSpec;
  host: NodeHost;
  alive: boolean;
  /** Increments on every start, so events of an earlier life are ignored. */
  epoch: number;
  status: MemberStatus | undefined;
  writing: boolean;
  diskScheduled: boolean;
  diskLatencyMs: number;
  stopping: boolean;
  removed: boolean;
  failed: string | undefined;
  /** Member config beyond the spec (initial cluster for a new cluster, empty when joining). */
  joinExisting: boolean;
  /** Resumed as not running (it was down when the layout was saved): start() leaves it down. */
  resumeStopped?: boolean;
}

const DEFAULT_TIMING: ClusterTiming = {
  tickMs: 100,
  electionTicks: 10,
  heartbeatTicks: 1,
  latencyMs: 30,
  jitterMs: 10,
  clientLatencyMs: 5,
  diskLatencyMs: 2,
};

/** Member IDs derive from the name and the cluster token, as etcd derives them from peer URLs. */
export function memberIdFor(name: string, token: string): number {
  const h1 = hashString(`${token}/${name}`);
  const h2 = hashString(`${name}#${token}`);
  return ((h1 & 0x1fffff) * 0x100000000 + h2) || 1;
}

export function specFor(i: number, token: string): NodeSpec {
  const name = `infra${i}`;
  return {
    id: memberIdFor(name, token),
    name,
    peerUrl: `http://127.0.0.1:${i}2380`,
    clientUrl: `http://127.0.0.1:${i}2379`,
  };
}

export class Cluster {
  readonly seed: number;
  readonly timing: ClusterTiming;
  readonly clusterId: number;
  readonly options: ClusterOptions;
  private nowMs = 0;
  private eventIndex = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly network: Network;
  private readonly phasePrng: Prng;
  private readonly nodes = new Map<number, NodeRuntime>();
  /** Node IDs in a fixed order (creation order): the order nodes are visited in. */
  private readonly order: number[] = [];
  private readonly inflight = new Map<number, InFlight & { payload: PeerMessage | { clientReq: ClientRequest } }>();
  private nextMsgId = 1;
  private readonly clients = new Map<string, Client>();
  private nextClientNo = 1;
  private readonly listeners = new Set<(e: ClusterEvent) => void>();
  /** Client operations, oldest first (chunked: checkpoints share what is already there). */
  private readonly historyOps = new AppendLog<HistoryOp>();
  /** Links that are up between live members since when (for the transport's activity). */
  private activeSince = new Map<string, number>();
  private memberCounter: number;
  private readonly token: string;
  private unsettled = 0;
  /** Operations in progress whose continuations change the simulation when they resume. */
  private tasks = 0;
  /** One event or one user action at a time: the lock and who waits for it, first come first served. */
  private lockHeld = false;
  private lockWaiters: Array<() => void> = [];
  /** Called after every event (checkpoints hang off it). */
  private stepObservers: Array<() => void> = [];
  /** etcdctl invocations so far (each gets its own client UUIDs). */
  execCount = 0;
  private conditions: Array<{ pred: () => boolean; resolve: () => void }> = [];
  /** How many drivers of virtual time are active (advance, runUntil, a self-driving waitFor). */
  private driverDepth = 0;
  /** Events being processed right now (0 or 1). */
  private stepping = 0;
  private externalDriver = false;

  constructor(options: ClusterOptions) {
    assert(options.nodes >= 1 && options.nodes <= 9, 'a cluster has 1 to 9 initial members');
    this.options = options;
    this.seed = options.seed >>> 0;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.token = `etcd-cluster-${this.seed.toString(16)}`;
    this.network = new Network(new Prng(deriveSeed(this.seed, 'network')), {
      up: true,
      latencyMs: this.timing.latencyMs,
      jitterMs: this.timing.jitterMs,
      dropRate: 0,
      duplicateRate: 0,
      reorder: false,
    });
    this.phasePrng = new Prng(deriveSeed(this.seed, 'phases'));
    const specs = Array.from({ length: options.nodes }, (_, i) => specFor(i + 1, this.token));
    this.clusterId = (hashString(specs.map((s) => s.id).join(',') + this.token) & 0x1fffff) * 0x100000000 + hashString(this.token) || 1;
    this.memberCounter = options.nodes;
    const resume = options.resume;
    if (resume === undefined) {
      for (const spec of specs) this.addRuntime(spec, false);
      return;
    }
    this.nowMs = resume.now;
    this.memberCounter = resume.memberCounter;
    for (const n of resume.nodes) {
      const rt = this.addRuntime(n.spec, n.joinExisting);
      rt.removed = n.removed;
      rt.diskLatencyMs = n.diskLatencyMs;
      rt.resumeStopped = !n.running;
    }
    for (const l of resume.links) this.network.set(l.from, l.to, l.state);
  }

  /** This cluster's layout now (what a reload needs besides the members' storage). */
  layout(): ClusterLayout {
    return {
      now: this.nowMs,
      nodes: this.order.map((id) => {
        const rt = this.nodes.get(id)!;
        return { spec: { ...rt.spec }, joinExisting: rt.joinExisting, removed: rt.removed, running: rt.alive, diskLatencyMs: rt.diskLatencyMs };
      }),
      memberCounter: this.memberCounter,
      links: this.network.linkStates(this.order),
    };
  }

  private addRuntime(spec: NodeSpec, joinExisting: boolean): NodeRuntime {
    const rt: NodeRuntime = {
      spec,
      host: this.options.hostFactory(spec, this.clusterId),
      alive: false,
      epoch: 0,
      status: undefined,
      writing: false,
      diskScheduled: false,
      diskLatencyMs: this.timing.diskLatencyMs,
      stopping: false,
      removed: false,
      failed: undefined,
      joinExisting,
    };
    this.nodes.set(spec.id, rt);
    this.order.push(spec.id);
    return rt;
  }

  /**
   * What a checkpoint copies (see isQuiescent): the simulation without whoever watches or drives
   * it. The copy's new nodes (a member added later) run inline on memory disks.
   */
  [CLONE_AS](): Cluster {
    assert(this.tasks === 0 && this.conditions.length === 0 && this.stepping === 0, 'a checkpoint needs a quiescent cluster');
    const copy = Object.assign(Object.create(Cluster.prototype) as Cluster, this) as unknown as Record<string, unknown>;
    copy['options'] = { ...this.options, hostFactory: inMemoryHostFactory };
    copy['listeners'] = new Set();
    copy['conditions'] = [];
    copy['lockHeld'] = false;
    copy['lockWaiters'] = [];
    copy['stepObservers'] = [];
    copy['unsettled'] = 0;
    copy['driverDepth'] = 0;
    copy['externalDriver'] = false;
    return copy as unknown as Cluster;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts every initial member. */
  start(): Promise<void> {
    return this.track(this.startNow());
  }

  private async startNow(): Promise<void> {
    for (const id of this.order) {
      const rt = this.nodes.get(id)!;
      if (rt.removed || rt.resumeStopped === true) continue;
      await this.startNode(id);
    }
  }

  private memberConfig(rt: NodeRuntime) {
    const initialCluster = rt.joinExisting
      ? []
      : this.order
          .map((id) => this.nodes.get(id)!)
          .filter((r) => !r.joinExisting)
          .map((r) => ({ id: r.spec.id, name: r.spec.name, peerUrls: [r.spec.peerUrl], clientUrls: [r.spec.clientUrl], isLearner: false }));
    return {
      id: rt.spec.id,
      name: rt.spec.name,
      clusterId: this.clusterId,
      peerUrls: [rt.spec.peerUrl],
      clientUrls: [rt.spec.clientUrl],
      initialCluster,
      seed: deriveSeed(this.seed, `member-${rt.spec.name}-${rt.epoch}`),
      tickMs: this.timing.tickMs,
      electionTicks: this.timing.electionTicks,
      heartbeatTicks: this.timing.heartbeatTicks,
      preVote: this.options.preVote ?? false,
      checkQuorum: this.options.checkQuorum ?? true,
      snapshotCount: this.options.snapshotCount ?? 10_000,
      snapshotCatchUpEntries: this.options.snapshotCatchUpEntries ?? 5_000,
      leaseCheckpoint: this.options.leaseCheckpoint ?? false,
      leaseCheckpointIntervalMs: this.options.leaseCheckpointIntervalMs ?? 5 * 60 * 1000,
      quotaBackendBytes: this.options.quotaBackendBytes ?? 2 * 1024 * 1024 * 1024,
    };
  }

  private async startNode(id: number): Promise<void> {
    const rt = this.need(id);
    assert(!rt.alive, `node ${rt.spec.name} is already running`);
    rt.epoch++;
    rt.failed = undefined;
    rt.stopping = false;
    const res = await rt.host.open(this.memberConfig(rt), this.nowMs);
    if ('ok' in res) {
      rt.failed = `${res.name}: ${res.message}`;
      this.emit({ type: 'node', time: this.nowMs, node: id, state: 'failed', detail: rt.failed });
      return;
    }
    rt.alive = true;
    this.emit({ type: 'node', time: this.nowMs, node: id, state: 'up' });
    // Clocks of different machines do not tick together: each node gets its own phase.
    const phase = this.phasePrng.int(this.timing.tickMs) + 1;
    this.queue.push(this.nowMs + phase, { kind: 'tick', node: id, epoch: rt.epoch });
    this.handleResult(rt, res);
    this.updateActivity();
  }

  // -------------------------------------------------------------------------------------------
  // Time

  now(): number {
    return this.nowMs;
  }

  /** Number of events processed so far (a precise position in the run). */
  get position(): number {
    return this.eventIndex;
  }

  /** Processes every event up to now + ms, then sets the clock to now + ms. */
  async advance(ms: number, stop?: () => boolean): Promise<void> {
    assert(ms >= 0, 'cannot advance by a negative time');
    const target = this.nowMs + ms;
    await this.drive(async () => {
      for (;;) {
        // Stopped early (a pause), the clock stays at the last event.
        if (stop?.() === true) return;
        const next = this.queue.peek();
        if (next === undefined || next.time > target) break;
        await this.stepOne();
      }
      this.nowMs = Math.max(this.nowMs, target);
    });
  }

  /**
   * Runs `fn` as the one driver of virtual time: operations awaited meanwhile (waitFor) do not
   * drive time themselves, so events and recorded actions interleave exactly as scheduled.
   */
  asDriver<T>(fn: () => Promise<T>): Promise<T> {
    return this.drive(fn);
  }

  private async drive<T>(fn: () => Promise<T>): Promise<T> {
    this.driverDepth++;
    try {
      return await fn();
    } finally {
      this.driverDepth--;
    }
  }

  /** Moves the clock forward to `t` when no event is due before it (replays use it). */
  setNow(t: number): void {
    const next = this.queue.peek();
    assert(t >= this.nowMs, 'time only moves forward');
    assert(next === undefined || next.time >= t, 'events are due before that time');
    this.nowMs = t;
  }

  /** Processes the next event (moving the clock to its time). Returns false when none is left. */
  async stepOne(): Promise<boolean> {
    // One event at a time, whoever asks: never two events in progress.
    await this.acquire();
    try {
      return await this.stepOneUnlocked();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (!this.lockHeld) {
      this.lockHeld = true;
      return Promise.resolve();
    }
    return new Promise<void>((r) => this.lockWaiters.push(r));
  }

  private release(): void {
    const next = this.lockWaiters.shift();
    if (next !== undefined) next();
    else this.lockHeld = false;
  }

  /**
   * Runs `fn` between events, never during one: a user's action lands at one precise point of the
   * run (its recorded position), whatever else is driving time. Waits for an event in progress.
   */
  async exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Runs `fn` now if no event is in progress and nobody waits; returns false if it could not. */
  tryExclusiveSync(fn: () => void): boolean {
    if (this.lockHeld) return false;
    this.lockHeld = true;
    try {
      fn();
    } finally {
      this.release();
    }
    return true;
  }

  /** Calls `fn` after every event, while the event's lock is still held. */
  onStep(fn: () => void): () => void {
    this.stepObservers.push(fn);
    return () => {
      this.stepObservers = this.stepObservers.filter((f) => f !== fn);
    };
  }

  private async stepOneUnlocked(): Promise<boolean> {
    const ev = this.queue.pop();
    if (ev === undefined) return false;
    assert(ev.time >= this.nowMs, `event at ${ev.time} is in the past (${this.nowMs})`);
    this.nowMs = ev.time;
    this.eventIndex++;
    this.stepping++;
    try {
      await this.process(ev.event);
    } finally {
      this.stepping--;
    }
    this.checkConditions();
    for (const f of this.stepObservers) f();
    return true;
  }

  /** The time of the next event, if any. */
  nextEventTime(): number | undefined {
    return this.queue.peek()?.time;
  }

  /**
   * Runs events until `pred` holds or `timeoutMs` of virtual time passed. Returns whether the
   * predicate held.
   */
  async runUntil(pred: () => boolean, opts: { timeoutMs: number }): Promise<boolean> {
    const deadline = this.nowMs + opts.timeoutMs;
    return this.drive(async () => {
      while (!pred()) {
        const next = this.queue.peek();
        if (next === undefined || next.time > deadline) {
          this.nowMs = Math.max(this.nowMs, deadline);
          return pred();
        }
        await this.stepOne();
      }
      return true;
    });
  }

  /**
   * Runs virtual time until `p` settles or `timeoutMs` pass, whoever else is waiting (for
   * harnesses that keep background operations running while they wait for one result).
   */
  async settleWithin<T>(p: Promise<T>, timeoutMs: number): Promise<{ done: true; value: T } | { done: true; error: unknown } | { done: false }> {
    let result: { done: true; value: T } | { done: true; error: unknown } | undefined;
    p.then(
      (value) => (result = { done: true, value }),
      (error: unknown) => (result = { done: true, error }),
    );
    await this.runUntil(() => result !== undefined, { timeoutMs });
    // Let the promise callbacks of an operation that settled on the last event run.
    await Promise.resolve();
    await Promise.resolve();
    return result ?? { done: false };
  }

  /**
   * Declares that something else (the real-time driver) moves the clock: awaited operations then
   * wait for it instead of advancing virtual time themselves.
   */
  setExternalDriver(on: boolean): void {
    this.externalDriver = on;
  }

  isExternallyDriven(): boolean {
    return this.externalDriver;
  }

  /**
   * Waits for a promise of a simulated operation. Without an external driver, virtual time moves
   * until it settles (the inline executor's "awaiting an operation advances time").
   */
  waitFor<T>(p: Promise<T>): Promise<T> {
    this.unsettled++;
    const tracked = p.then(
      (v) => {
        this.unsettled--;
        return v;
      },
      (e: unknown) => {
        this.unsettled--;
        throw e;
      },
    );
    tracked.catch(() => {});
    // The driver runs detached: the caller gets its result as soon as it is there, while time
    // keeps moving for whoever else is waiting.
    if (!this.externalDriver && this.driverDepth === 0) void this.selfDrive();
    return tracked;
  }

  /**
   * Counts `p` as an operation in progress until it settles: something (a recipe, a membership
   * change, an etcdctl command) whose code runs again later and changes the simulation. While any
   * is in progress, the simulation's state is not all data (part of it is in their continuations)
   * and no checkpoint can be taken.
   */
  track<T>(p: Promise<T>): Promise<T> {
    this.tasks++;
    const done = (): void => {
      this.tasks--;
    };
    p.then(done, done);
    return p;
  }

  /**
   * Whether the whole simulation is plain data now: no tracked operation in progress, nobody
   * waiting on a condition, no node call in flight. Only then can a checkpoint copy it.
   */
  isQuiescent(): boolean {
    return this.tasks === 0 && this.conditions.length === 0 && this.stepping === 0;
  }

  private async selfDrive(): Promise<void> {
    this.driverDepth++;
    try {
      // Drive while anyone waits; yield after each event so settled promises run their code
      // (which may wait for more) before the next event.
      while (this.unsettled > 0 && !this.externalDriver) {
        const more = await this.stepOne();
        await new Promise<void>((r) => queueMicrotaskFree(r));
        if (!more) break;
      }
    } finally {
      this.driverDepth--;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Event processing

  private async process(ev: SimEvent): Promise<void> {
    switch (ev.kind) {
      case 'tick': {
        const rt = this.nodes.get(ev.node);
        if (rt === undefined || !rt.alive || rt.epoch !== ev.epoch) return;
        this.queue.push(this.nowMs + this.timing.tickMs, ev);
        await this.stepNode(rt, { kind: 'tick' });
        return;
      }
      case 'input': {
        const rt = this.nodes.get(ev.node);
        if (rt === undefined || !rt.alive || rt.epoch !== ev.epoch) return;
        await this.stepNode(rt, ev.input);
        return;
      }
      case 'diskDone': {
        const rt = this.nodes.get(ev.node);
        if (rt === undefined || !rt.alive || rt.epoch !== ev.epoch) return;
        rt.diskScheduled = false;
        const epoch = rt.epoch;
        let res: HostResult;
        try {
          res = await rt.host.commitWrite(this.nowMs);
        } catch (err) {
          if (this.crashedDuring(rt, epoch)) return;
          this.nodeFailed(rt, err);
          return;
        }
        if (this.crashedDuring(rt, epoch)) return;
        this.handleResult(rt, res);
        return;
      }
      case 'deliver':
        await this.deliver(ev.msgId);
        return;
      case 'clientResponse': {
        const m = this.inflight.get(ev.msgId);
        this.inflight.delete(ev.msgId);
        if (m !== undefined) this.emit({ type: 'message', phase: 'deliver', time: this.nowMs, message: m });
        this.clients.get(ev.clientId)?.onResponse(ev.resp);
        return;
      }
      case 'clientTimer':
        this.clients.get(ev.clientId)?.onTimer(ev.timerId);
        return;
    }
  }

  private async stepNode(rt: NodeRuntime, input: HostInput): Promise<void> {
    const epoch = rt.epoch;
    let res: HostResult;
    try {
      res = await rt.host.step(input, this.nowMs);
    } catch (err) {
      if (this.crashedDuring(rt, epoch)) return;
      this.nodeFailed(rt, err);
      return;
    }
    if (this.crashedDuring(rt, epoch)) return;
    this.handleResult(rt, res);
  }

  /**
   * Whether the node crashed (and maybe restarted) while a call to it was in flight: whatever the
   * call produced died with the process, so its outputs are dropped, as a crash drops them.
   */
  private crashedDuring(rt: NodeRuntime, epoch: number): boolean {
    return !rt.alive || rt.epoch !== epoch;
  }

  /** A node hit a bug (assertion) or its storage failed: it goes down, as a panicking etcd does. */
  private nodeFailed(rt: NodeRuntime, err: unknown): void {
    const e = err as Error;
    rt.failed = `${e.name}: ${e.message}`;
    rt.alive = false;
    this.emit({ type: 'node', time: this.nowMs, node: rt.spec.id, state: 'failed', detail: rt.failed });
    for (const c of this.clients.values()) c.onDisconnect(rt.spec.clientUrl);
    this.updateActivity();
  }

  private async deliver(msgId: number): Promise<void> {
    const m = this.inflight.get(msgId);
    if (m === undefined) return;
    this.inflight.delete(msgId);
    const payload = m.payload;
    const to = this.nodes.get(m.to);
    const from = this.nodes.get(m.from);
    if (m.fate === 'drop') {
      this.emit({ type: 'message', phase: 'drop', time: this.nowMs, message: m });
      if (m.type === 'MsgSnap' && from?.alive) this.queueInput(from, { kind: 'reportSnapshot', to: m.to, ok: false });
      return;
    }
    // The link may have gone down, or the receiver died, while the message was on its way.
    const linkDown = m.channel !== 'client' && !this.network.link(m.from, m.to).up;
    if (to === undefined || !to.alive || linkDown) {
      m.fate = 'drop';
      m.dropReason = linkDown ? 'link down' : 'node down';
      this.emit({ type: 'message', phase: 'drop', time: this.nowMs, message: m });
      if (m.type === 'MsgSnap' && from?.alive) this.queueInput(from, { kind: 'reportSnapshot', to: m.to, ok: false });
      return;
    }
    this.emit({ type: 'message', phase: 'deliver', time: this.nowMs, message: m });
    if ('clientReq' in payload) {
      await this.stepNode(to, { kind: 'client', req: payload.clientReq });
      return;
    }
    await this.stepNode(to, { kind: 'peer', msg: payload });
    if (m.type === 'MsgSnap' && from?.alive) this.queueInput(from, { kind: 'reportSnapshot', to: m.to, ok: true });
  }

  /** Schedules an input for a node at the current instant, after what is already scheduled. */
  private queueInput(rt: NodeRuntime, input: HostInput): void {
    this.queue.push(this.nowMs, { kind: 'input', node: rt.spec.id, epoch: rt.epoch, input });
  }

  private handleResult(rt: NodeRuntime, res: HostResult): void {
    const id = rt.spec.id;
    for (const ev of res.outputs.events) {
      this.emit({ type: 'member', time: this.nowMs, node: id, event: ev });
      if (ev.kind === 'removed') rt.removed = true;
    }
    for (const pm of res.outputs.messages) this.sendPeer(rt, pm);
    for (const r of res.outputs.responses) this.sendToClient(rt, r);
    const prev = rt.status;
    rt.status = res.status;
    if (
      prev === undefined ||
      prev.role !== res.status.role ||
      prev.term !== res.status.term ||
      prev.lead !== res.status.lead ||
      prev.commit !== res.status.commit ||
      prev.applied !== res.status.applied ||
      prev.lastIndex !== res.status.lastIndex ||
      prev.vote !== res.status.vote ||
      prev.isLearner !== res.status.isLearner
    ) {
      this.emit({ type: 'status', time: this.nowMs, node: id, status: res.status });
    }
    rt.writing = res.writing;
    if (res.writing && !rt.diskScheduled) {
      rt.diskScheduled = true;
      this.queue.push(this.nowMs + rt.diskLatencyMs, { kind: 'diskDone', node: id, epoch: rt.epoch });
    }
    if (rt.stopping && res.readyToStop) {
      // Graceful stop: leadership is handed over (or there is no one to hand it to).
      void this.track(this.finishStop(rt));
    }
    if (rt.removed && rt.alive) {
      // etcd exits once it applied its own removal.
      void this.track(this.killNode(rt, 'removed'));
    }
  }

  private sendPeer(from: NodeRuntime, pm: PeerMessage): void {
    const to = pm.kind === 'raft' ? pm.msg.to : pm.to;
    const msgId = this.nextMsgId++;
    const fate = this.network.fate(from.spec.id, to, this.nowMs);
    const base = new PeerFlight(msgId, from.spec.id, to, pm, this.nowMs, fate.at, fate.kind);
    if (fate.kind === 'drop') base.dropReason = fate.reason;
    this.inflight.set(msgId, base);
    this.emit({ type: 'message', phase: 'send', time: this.nowMs, message: base });
    this.queue.push(fate.at, { kind: 'deliver', msgId });
    if (fate.kind === 'deliver' && fate.duplicateAt !== undefined) {
      const dupId = this.nextMsgId++;
      const dup = new PeerFlight(dupId, from.spec.id, to, pm, this.nowMs, fate.duplicateAt, 'deliver');
      this.inflight.set(dupId, dup);
      this.emit({ type: 'message', phase: 'send', time: this.nowMs, message: dup });
      this.queue.push(fate.duplicateAt, { kind: 'deliver', msgId: dupId });
    }
    // etcd's transport tells the leader when a peer cannot be reached (MsgUnreachable).
    if (fate.kind === 'drop' && fate.reason === 'link down' && pm.kind === 'raft' && pm.msg.type === 'MsgApp') {
      this.queueInput(from, { kind: 'unreachable', to });
    }
  }

  private sendToClient(from: NodeRuntime, r: ClientResponse): void {
    const msgId = this.nextMsgId++;
    const at = this.nowMs + this.timing.clientLatencyMs;
    const m: InFlight & { payload: { clientReq: ClientRequest } } = {
      id: msgId,
      from: from.spec.id,
      to: 0,
      channel: 'client',
      type: 'ok' in r ? (r.ok ? 'Response' : 'Error') : 'WatchResponse',
      sentAt: this.nowMs,
      at,
      fate: 'deliver',
      text: 'ok' in r ? (r.ok ? 'response' : `error: ${r.error.message}`) : 'watch response',
      payload: { clientReq: { clientId: r.clientId, reqId: r.reqId, body: { type: 'Status' } } },
    };
    this.inflight.set(msgId, m);
    this.queue.push(at, { kind: 'clientResponse', clientId: r.clientId, resp: r, msgId });
  }

  // -------------------------------------------------------------------------------------------
  // Clients

  /** A new etcd client on this cluster (default endpoints: every member's client URL). */
  client(opts: ClientOptions = {}): Client {
    const clientId = `client-${this.nextClientNo++}`;
    const endpoints = opts.endpoints ?? this.order.map((id) => this.nodes.get(id)!).filter((r) => !r.removed).map((r) => r.spec.clientUrl);
    const c = new Client(new ClusterTransport(this), { ...opts, endpoints, clientId });
    this.clients.set(clientId, c);
    return c;
  }

  /** @internal (ClusterTransport) Whether a client can reach the member behind `endpoint`. */
  clientReachable(endpoint: string): boolean {
    const rt = this.byEndpoint(endpoint);
    return rt !== undefined && rt.alive;
  }

  /** @internal (ClusterTransport) A client timer, fired as an event at `at`; returns its handle. */
  clientTimer(clientId: string, at: number, timerId: number): number {
    return this.queue.push(Math.max(at, this.nowMs), { kind: 'clientTimer', clientId, timerId }, { cancellable: true });
  }

  /** @internal (ClusterTransport) Takes back a client timer that has not fired. */
  cancelClientTimer(handle: number): void {
    this.queue.cancel(handle);
  }

  /** @internal (ClusterTransport) A client operation completed. */
  recordClientOp(op: HistoryOp): void {
    this.historyOps.push(op);
    this.emit({ type: 'client', time: this.nowMs, op });
  }

  /** @internal (ClusterTransport) A client request leaves for the member behind `endpoint`. */
  clientSend(endpoint: string, req: ClientRequest): boolean {
    const rt = this.byEndpoint(endpoint);
    if (rt === undefined || !rt.alive) return false;
    const msgId = this.nextMsgId++;
    const at = this.nowMs + this.timing.clientLatencyMs;
    const m: InFlight & { payload: { clientReq: ClientRequest } } = {
      id: msgId,
      from: 0,
      to: rt.spec.id,
      channel: 'client',
      type: req.body.type,
      sentAt: this.nowMs,
      at,
      fate: 'deliver',
      text: `${req.clientId} ${req.body.type}`,
      payload: { clientReq: req },
    };
    this.inflight.set(msgId, m);
    this.queue.push(at, { kind: 'deliver', msgId });
    return true;
  }

  private byEndpoint(endpoint: string): NodeRuntime | undefined {
    const norm = endpoint.replace(/^https?:\/\//, '');
    for (const rt of this.nodes.values()) {
      if (rt.spec.clientUrl === endpoint || rt.spec.clientUrl.replace(/^https?:\/\//, '') === norm) return rt;
    }
    return undefined;
  }

  /** Client operations with invoke and return times, for the linearizability checker. */
  history(): HistoryOp[] {
    return this.historyOps.toArray();
  }

  // -------------------------------------------------------------------------------------------
  // Faults and membership

  /** kill -9: the node loses everything volatile; its storage stays. */
  kill(id: number): Promise<void> {
    return this.track(this.killNow(id));
  }

  private async killNow(id: number): Promise<void> {
    const rt = this.need(id);
    this.fault('kill', rt.spec.name);
    await this.killNode(rt, 'down');
  }

  private async killNode(rt: NodeRuntime, state: 'down' | 'stopped' | 'removed'): Promise<void> {
    if (!rt.alive) return;
    rt.alive = false;
    rt.stopping = false;
    rt.writing = false;
    rt.diskScheduled = false;
    await rt.host.kill();
    this.emit({ type: 'node', time: this.nowMs, node: rt.spec.id, state });
    for (const c of this.clients.values()) c.onDisconnect(rt.spec.clientUrl);
    this.updateActivity();
  }

  /**
   * A hard crash right now: on the worker executor the worker is terminated at once, tearing an
   * IndexedDB transaction in flight (it lands or not, atomically). Elsewhere the same as kill.
   */
  crash(id: number): Promise<void> {
    return this.track(this.crashNow(id));
  }

  private async crashNow(id: number): Promise<void> {
    const rt = this.need(id);
    this.fault('crash', rt.spec.name);
    const h = rt.host as NodeHost & { crash?: () => void };
    if (rt.alive && typeof h.crash === 'function') {
      rt.alive = false;
      rt.stopping = false;
      rt.writing = false;
      rt.diskScheduled = false;
      h.crash();
      this.emit({ type: 'node', time: this.nowMs, node: id, state: 'down' });
      for (const c of this.clients.values()) c.onDisconnect(rt.spec.clientUrl);
      this.updateActivity();
      return;
    }
    await this.killNode(rt, 'down');
  }

  /**
   * Ends the simulation: every client is closed and every node goes down (its worker, if any, is
   * terminated; storage stays as it is). Nothing runs afterwards.
   */
  async dispose(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    for (const id of this.order) {
      const rt = this.nodes.get(id)!;
      if (!rt.alive) continue;
      rt.alive = false;
      await rt.host.kill();
    }
    this.conditions = [];
  }

  /** Whether the node has a batch on its way to disk. */
  isWriting(id: number): boolean {
    return this.need(id).writing;
  }

  /** Starts a killed or stopped node again from its storage. */
  restart(id: number): Promise<void> {
    return this.track(this.restartNow(id));
  }

  private async restartNow(id: number): Promise<void> {
    const rt = this.need(id);
    if (rt.alive) throw new Error(`${rt.spec.name} is running`);
    if (rt.removed) throw new Error(`${rt.spec.name} was removed from the cluster; add a new member instead`);
    this.fault('restart', rt.spec.name);
    await this.startNode(id);
  }

  /**
   * Graceful stop (SIGTERM): a leader hands leadership to the most caught-up voter first. Resolves
   * when the node is down.
   */
  stop(id: number): Promise<void> {
    return this.track(this.stopNow(id));
  }

  private async stopNow(id: number): Promise<void> {
    const rt = this.need(id);
    await this.beginStopNow(id);
    await this.waitFor(this.when(() => !rt.alive));
  }

  /** The start of a graceful stop (SIGTERM): the node goes down on its own later. */
  beginStop(id: number): Promise<void> {
    return this.track(this.beginStopNow(id));
  }

  private async beginStopNow(id: number): Promise<void> {
    const rt = this.need(id);
    if (!rt.alive || rt.stopping) return;
    this.fault('stop', rt.spec.name);
    rt.stopping = true;
    await this.stepNode(rt, { kind: 'beginStop' });
  }

  /** A promise that resolves once `pred` holds (checked after every event). */
  when(pred: () => boolean): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise<void>((resolve) => this.conditions.push({ pred, resolve }));
  }

  private checkConditions(): void {
    if (this.conditions.length === 0) return;
    const pending = this.conditions;
    this.conditions = [];
    for (const c of pending) {
      if (c.pred()) c.resolve();
      else this.conditions.push(c);
    }
  }

  private async finishStop(rt: NodeRuntime): Promise<void> {
    if (!rt.alive || !rt.stopping) return;
    await this.killNode(rt, 'stopped');
  }

  /** Wipes a stopped node's storage (etcd's data directory). */
  wipe(id: number): Promise<void> {
    return this.track(this.wipeNow(id));
  }

  private async wipeNow(id: number): Promise<void> {
    const rt = this.need(id);
    if (rt.alive) throw new Error(`stop ${rt.spec.name} before wiping its data`);
    this.fault('wipe', rt.spec.name);
    await rt.host.wipe();
  }

  partition(groups: ReadonlyArray<readonly number[]>): void {
    this.fault('partition', groups.map((g) => `[${g.map((id) => this.name(id)).join(' ')}]`).join(' | '));
    this.network.partition(groups, this.order);
    this.updateActivity();
  }

  isolate(id: number): void {
    this.fault('isolate', this.name(id));
    this.network.isolate(id, this.order);
    this.updateActivity();
  }

  heal(): void {
    this.fault('heal', 'all links up');
    this.network.heal(this.order);
    this.updateActivity();
  }

  setLink(from: number, to: number, s: LinkSettings): void {
    this.fault('link', `${this.name(from)}->${this.name(to)} ${JSON.stringify(s)}`);
    this.network.set(from, to, s);
    this.updateActivity();
  }

  link(from: number, to: number): LinkState {
    return { ...this.network.link(from, to) };
  }

  links(): Array<{ from: number; to: number; state: LinkState }> {
    return this.network.linkStates(this.order);
  }

  /** A slow disk: every batch of the node takes `latencyMs` to become durable. */
  setDisk(id: number, latencyMs: number): void {
    assert(latencyMs >= 0, 'disk latency must be >= 0');
    this.fault('disk', `${this.name(id)} write latency ${latencyMs} ms`);
    this.need(id).diskLatencyMs = latencyMs;
  }

  /**
   * Adds a member through the cluster (etcd's `member add`), then starts it with an empty data
   * directory, joining the existing cluster. Resolves with the new member's ID.
   */
  addMember(opts: { learner?: boolean; name?: string } = {}): Promise<number> {
    return this.track(this.addMemberNow(opts));
  }

  private async addMemberNow(opts: { learner?: boolean; name?: string }): Promise<number> {
    const n = ++this.memberCounter;
    const name = opts.name ?? `infra${n}`;
    const peerUrl = `http://127.0.0.1:${n}2380`;
    const clientUrl = `http://127.0.0.1:${n}2379`;
    this.fault('member add', `${name}${opts.learner ? ' (learner)' : ''}`);
    return this.withClient(this.liveEndpoints(), async (c) => {
      const resp = await c.memberAdd([peerUrl], { learner: opts.learner ?? false });
      const spec: NodeSpec = { id: resp.member.id, name, peerUrl, clientUrl };
      this.addRuntime(spec, true);
      await this.startNode(spec.id);
      return spec.id;
    });
  }

  /** Runs `fn` with a client of its own (etcdctl's), closed and forgotten afterwards. */
  private async withClient<T>(endpoints: string[], fn: (c: Client) => Promise<T>): Promise<T> {
    const c = this.client({ endpoints });
    try {
      return await fn(c);
    } finally {
      c.close();
      this.clients.delete(c.state.clientId);
    }
  }

  promote(id: number): Promise<void> {
    return this.track(this.promoteNow(id));
  }

  private async promoteNow(id: number): Promise<void> {
    this.fault('member promote', this.name(id));
    await this.withClient(this.liveEndpoints(), (c) => c.memberPromote(id));
  }

  removeMember(id: number): Promise<void> {
    return this.track(this.removeMemberNow(id));
  }

  private async removeMemberNow(id: number): Promise<void> {
    this.fault('member remove', this.name(id));
    await this.withClient(this.liveEndpoints(), async (c) => {
      await c.memberRemove(id);
      // Removed from the cluster's configuration: whether or not the member is up to notice.
      const rt = this.nodes.get(id);
      if (rt !== undefined) rt.removed = true;
    });
  }

  /** Asks the leader to hand leadership to `to` (etcd's move-leader). */
  transferLeader(to: number): Promise<void> {
    return this.track(this.transferLeaderNow(to));
  }

  private async transferLeaderNow(to: number): Promise<void> {
    this.fault('move-leader', this.name(to));
    const lead = this.leader();
    if (lead === undefined) throw new Error('no leader to transfer from');
    await this.withClient([this.need(lead).spec.clientUrl], (c) => c.moveLeader(to));
  }

  /** Makes a node campaign now, as if its election timer fired. */
  forceElection(id: number): void {
    const rt = this.need(id);
    this.fault('force election', rt.spec.name);
    if (rt.alive) this.queueInput(rt, { kind: 'campaign' });
  }

  private liveEndpoints(): string[] {
    return this.order.map((id) => this.nodes.get(id)!).filter((r) => r.alive && !r.removed).map((r) => r.spec.clientUrl);
  }

  /** Recomputes which member pairs are connected since when, and tells the members. */
  private updateActivity(): void {
    const next = new Map<string, number>();
    for (const a of this.order) {
      for (const b of this.order) {
        if (a === b) continue;
        const ra = this.nodes.get(a)!;
        const rb = this.nodes.get(b)!;
        const key = `${a}-${b}`;
        if (ra.alive && rb.alive && this.network.connected(a, b)) next.set(key, this.activeSince.get(key) ?? this.nowMs);
      }
    }
    this.activeSince = next;
    for (const a of this.order) {
      const rt = this.nodes.get(a)!;
      if (!rt.alive) continue;
      // Only connected peers are listed (absent: not connected).
      const entries: Array<[number, number]> = [];
      for (const b of this.order) {
        const since = next.get(`${a}-${b}`);
        if (b !== a && since !== undefined) entries.push([b, since]);
      }
      this.queueInput(rt, { kind: 'activity', activeSince: entries });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Views

  ids(): number[] {
    return [...this.order];
  }

  spec(id: number): NodeSpec {
    return { ...this.need(id).spec };
  }

  isAlive(id: number): boolean {
    return this.need(id).alive;
  }

  isRemoved(id: number): boolean {
    return this.need(id).removed;
  }

  failure(id: number): string | undefined {
    return this.need(id).failed;
  }

  status(id: number): MemberStatus | undefined {
    return this.need(id).status;
  }

  diskLatency(id: number): number {
    return this.need(id).diskLatencyMs;
  }

  host(id: number): NodeHost {
    return this.need(id).host;
  }

  /** The live leader with the highest term, if any. */
  leader(): number | undefined {
    let best: number | undefined;
    let bestTerm = -1;
    for (const id of this.order) {
      const rt = this.nodes.get(id)!;
      if (rt.alive && rt.status?.role === 'StateLeader' && rt.status.term > bestTerm) {
        best = id;
        bestTerm = rt.status.term;
      }
    }
    return best;
  }

  /** Messages in flight now. */
  inFlight(): InFlight[] {
    return [...this.inflight.values()].map((m) => (m instanceof PeerFlight ? m.view() : stripPayload(m)));
  }

  subscribe(listener: (e: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ClusterEvent): void {
    for (const l of this.listeners) l(e);
  }

  private fault(action: string, detail: string): void {
    this.emit({ type: 'fault', time: this.nowMs, action, detail });
  }

  private name(id: number): string {
    return this.nodes.get(id)?.spec.name ?? id.toString(16);
  }

  private need(id: number): NodeRuntime {
    const rt = this.nodes.get(id);
    if (rt === undefined) throw new Error(`unknown member ${id.toString(16)}`);
    return rt;
  }
}


/** Resolves after the promise callbacks queued so far have run (no timer involved). */
function queueMicrotaskFree(resolve: () => void): void {
  void Promise.resolve()
    .then(() => undefined)
    .then(resolve);
}

/**
 * A client's connection to the simulated cluster. A class rather than closures, so that a
 * checkpoint of the simulation copies it along with the cluster it points to.
 */
class ClusterTransport implements ClientTransport {
  constructor(private readonly cluster: Cluster) {}

  now(): number {
    return this.cluster.now();
  }

  reachable(endpoint: string): boolean {
    return this.cluster.clientReachable(endpoint);
  }

  send(endpoint: string, req: ClientRequest): boolean {
    return this.cluster.clientSend(endpoint, req);
  }

  setTimer(clientId: string, at: number, id: number): number {
    return this.cluster.clientTimer(clientId, at, id);
  }

  cancelTimer(handle: number): void {
    this.cluster.cancelClientTimer(handle);
  }

  wait<T>(p: Promise<T>): Promise<T> {
    return this.cluster.waitFor(p);
  }

  track<T>(p: Promise<T>): Promise<T> {
    return this.cluster.track(p);
  }

  record(op: HistoryOp): void {
    this.cluster.recordClientOp(op);
  }
}

/** Hosts of a restored checkpoint: members inline, each on its own memory disk. */
export function inMemoryHostFactory(): NodeHost {
  return new MemberHost(new InMemoryDisk());
}
shareOnClone(inMemoryHostFactory);

/**
 * A peer message in flight. etcd's text of its Raft message is made when someone first reads it
 * (the UI's inspector, a log line): describing every message as it was sent cost a tenth of the
 * simulation's time.
 */
class PeerFlight implements InFlight {
  readonly channel: 'raft' | 'forward';
  readonly type: string;
  readonly msg?: Message;
  readonly reject?: boolean;
  dropReason?: string;
  private described: string | undefined;

  constructor(
    readonly id: number,
    readonly from: number,
    readonly to: number,
    readonly payload: PeerMessage,
    readonly sentAt: number,
    public at: number,
    public fate: 'deliver' | 'drop',
  ) {
    this.channel = payload.kind === 'raft' ? 'raft' : 'forward';
    this.type = payload.kind === 'raft' ? payload.msg.type : payload.kind === 'forward' ? `Forward${payload.body.type}` : 'ForwardResp';
    if (payload.kind === 'raft') {
      this.msg = payload.msg;
      if (payload.msg.reject === true) this.reject = true;
    }
  }

  get text(): string {
    this.described ??=
      this.payload.kind === 'raft' ? describeMessage(this.payload.msg) : `${this.from.toString(16)}->${this.to.toString(16)} ${this.payload.kind}`;
    return this.described;
  }

  /** The plain view (what inFlight() hands out and JSON shows): no payload, the text included. */
  view(): InFlight {
    const v: InFlight = { id: this.id, from: this.from, to: this.to, channel: this.channel, type: this.type, sentAt: this.sentAt, at: this.at, fate: this.fate, text: this.text };
    if (this.dropReason !== undefined) v.dropReason = this.dropReason;
    if (this.reject !== undefined) v.reject = this.reject;
    if (this.msg !== undefined) v.msg = this.msg;
    return v;
  }

  toJSON(): InFlight {
    return this.view();
  }
}

function stripPayload({ payload: _p, ...m }: InFlight & { payload: unknown }): InFlight {
  return m;
}
