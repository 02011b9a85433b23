// The Playground API (contract 3 of DESIGN.md): the one entry point used by the UI, the console,
// scenarios, tests and `window.playground`. It builds a cluster on the chosen executor and storage,
// moves virtual time (by hand, or in real time at a chosen speed), applies faults and membership
// changes, hands out etcd clients, runs etcdctl command lines, and records every user action with
// its virtual time and position so that `createPlayground({ replay })` reproduces the run.

import { Cluster, type ClusterEvent, type ClusterOptions, type ClusterTiming, type InFlight, type NodeSpec } from '../cluster/cluster';
import { MemberHost } from '../cluster/memberHost';
import type { KeyspaceView, LogSlice, NodeDetail, NodeHost } from '../cluster/host';
import type { LinkSettings, LinkState } from '../cluster/network';
import type { Client, HistoryOp } from '../client/client';
import type { ClientOptions, EtcdClient } from '../client/api';
import { IdbBackend, MemoryBackend, type Backend } from '../storage/index';
import type { MemberStatus } from '../server/index';
import { Recorder, type Recording, type RecordedAction } from './recording';
import { runExec, type ExecOptions, type ExecResult } from './exec';

export type { Recording, RecordedAction, ExecOptions, ExecResult, InFlight, LinkState, LinkSettings, NodeDetail, LogSlice, KeyspaceView, HistoryOp };

export interface PlaygroundOptions {
  /** Initial members, 3 to 9 (1 for a single-member cluster). Default 3. */
  nodes?: number;
  /** The seed of every random choice. Default 1. */
  seed?: number;
  /** 'inline' runs every member in this thread; 'worker' one Web Worker per member. Default inline. */
  executor?: 'inline' | 'worker';
  /** 'memory' keeps storage in memory; 'indexeddb' persists it (and a reload resumes). Default memory. */
  storage?: 'memory' | 'indexeddb';
  preVote?: boolean;
  checkQuorum?: boolean;
  timing?: Partial<ClusterTiming>;
  snapshotCount?: number;
  snapshotCatchUpEntries?: number;
  leaseCheckpoint?: boolean;
  leaseCheckpointIntervalMs?: number;
  quotaBackendBytes?: number;
  /** Reproduce a recorded run: its seed, config and actions replace the options above. */
  replay?: Recording;
  /** Builds worker hosts (set by the browser entry, which can create Workers). */
  workerHostFactory?: (spec: NodeSpec, clusterId: number, dbName: string) => NodeHost;
  /** Name prefix of IndexedDB databases. Default 'raft-playground'. */
  dbPrefix?: string;
}

/** Per-member state at a glance (contract 3). */
export interface NodeStatus {
  id: number;
  name: string;
  alive: boolean;
  role: MemberStatus['role'] | 'StateDead';
  isLearner: boolean;
  term: number;
  vote: number;
  lead: number;
  commit: number;
  applied: number;
  lastIndex: number;
  firstIndex: number;
  revision: number;
  removed: boolean;
  failed?: string;
  diskLatencyMs: number;
}

export type PlaygroundEvent = ClusterEvent;

export type Speed = number | 'max';

export interface Playground {
  readonly seed: number;
  readonly cluster: Cluster;
  readonly options: Readonly<PlaygroundOptions>;
  now(): number;
  advance(ms: number): Promise<void>;
  runUntil(predicate: () => boolean, opts?: { timeoutMs?: number }): Promise<boolean>;
  /** Moves virtual time in real time at `speed` (1 = real time, 'max' = as fast as possible). */
  play(speed?: Speed): void;
  pause(): void;
  readonly playing: boolean;
  readonly speed: Speed;
  /** Processes exactly the next event. */
  stepEvent(): Promise<void>;
  /** Runs until the next message is delivered or dropped. */
  stepMessage(): Promise<void>;
  /** Runs one Raft tick (tickMs) of virtual time. */
  stepTick(): Promise<void>;
  kill(id: number): Promise<void>;
  /** A hard crash: on the worker executor, the worker is terminated mid-write. */
  crash(id: number): Promise<void>;
  restart(id: number): Promise<void>;
  stop(id: number): Promise<void>;
  partition(groups: number[][]): void;
  isolate(id: number): void;
  heal(): void;
  setLink(from: number, to: number, settings: LinkSettings): void;
  setDisk(id: number, latencyMs: number): void;
  forceElection(id: number): void;
  status(): NodeStatus[];
  leader(): number | undefined;
  waitForLeader(opts?: { timeoutMs?: number }): Promise<number>;
  transferLeader(to: number): Promise<void>;
  addMember(name?: string, opts?: { learner?: boolean }): Promise<number>;
  promote(id: number): Promise<void>;
  removeMember(id: number): Promise<void>;
  client(options?: ClientOptions): EtcdClient;
  exec(commandLine: string, options?: ExecOptions): Promise<ExecResult>;
  subscribe(listener: (e: PlaygroundEvent) => void): () => void;
  history(): HistoryOp[];
  record(): Recording;
  /** Messages in flight now (send and arrival/death times, etcd's type and text). */
  inFlight(): InFlight[];
  /** Every directed link's state. */
  links(): Array<{ from: number; to: number; state: LinkState }>;
  /** Raft internals of a live node: timers, votes, the leader's per-follower progress. */
  nodeDetail(id: number): Promise<NodeDetail>;
  /** Entries [from, to) of a live node's log, with its first/last/commit/applied indexes. */
  nodeLog(id: number, from: number, to: number): Promise<LogSlice>;
  /** A live node's keys (optionally under a prefix) and leases. */
  nodeKeyspace(id: number, opts?: { prefix?: string; limit?: number }): Promise<KeyspaceView>;
  /** Stops the real-time driver and closes clients. */
  dispose(): Promise<void>;
}

export async function createPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const p = new PlaygroundImpl(options);
  await p.init();
  return p;
}

class PlaygroundImpl implements Playground {
  readonly seed: number;
  readonly cluster: Cluster;
  readonly options: Readonly<PlaygroundOptions>;
  private readonly recorder: Recorder;
  private readonly backends = new Map<number, Backend>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private playSpeed: Speed = 1;
  private isPlaying = false;
  private lastReal = 0;
  private pumping = false;
  private readonly clients: Client[] = [];
  private replayQueue: RecordedAction[] = [];

  constructor(options: PlaygroundOptions) {
    const base = options.replay !== undefined ? { ...options, ...options.replay.config, replay: options.replay } : options;
    this.options = base;
    this.seed = (options.replay?.seed ?? base.seed ?? 1) >>> 0;
    this.recorder = new Recorder(this.seed, configOf(base));
    const clusterOpts: ClusterOptions = {
      seed: this.seed,
      nodes: base.nodes ?? 3,
      hostFactory: (spec, clusterId) => this.hostFor(spec, clusterId),
    };
    if (base.timing !== undefined) clusterOpts.timing = base.timing;
    if (base.preVote !== undefined) clusterOpts.preVote = base.preVote;
    if (base.checkQuorum !== undefined) clusterOpts.checkQuorum = base.checkQuorum;
    if (base.snapshotCount !== undefined) clusterOpts.snapshotCount = base.snapshotCount;
    if (base.snapshotCatchUpEntries !== undefined) clusterOpts.snapshotCatchUpEntries = base.snapshotCatchUpEntries;
    if (base.leaseCheckpoint !== undefined) clusterOpts.leaseCheckpoint = base.leaseCheckpoint;
    if (base.leaseCheckpointIntervalMs !== undefined) clusterOpts.leaseCheckpointIntervalMs = base.leaseCheckpointIntervalMs;
    if (base.quotaBackendBytes !== undefined) clusterOpts.quotaBackendBytes = base.quotaBackendBytes;
    this.cluster = new Cluster(clusterOpts);
    if (options.replay !== undefined) this.replayQueue = [...options.replay.actions];
  }

  private hostFor(spec: NodeSpec, clusterId: number): NodeHost {
    const dbName = `${this.options.dbPrefix ?? 'raft-playground'}/${clusterId.toString(16)}/${spec.name}`;
    if (this.options.executor === 'worker') {
      if (this.options.workerHostFactory === undefined) throw new Error("executor 'worker' needs a browser (workerHostFactory)");
      return this.options.workerHostFactory(spec, clusterId, dbName);
    }
    return new MemberHost(async () => {
      let b = this.backends.get(spec.id);
      if (b === undefined) {
        b = this.options.storage === 'indexeddb' ? await IdbBackend.open(dbName) : new MemoryBackend();
        this.backends.set(spec.id, b);
      }
      return b;
    });
  }

  async init(): Promise<void> {
    await this.cluster.start();
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  now(): number {
    return this.cluster.now();
  }

  async advance(ms: number): Promise<void> {
    const target = this.cluster.now() + ms;
    if (this.replayQueue.length > 0) await this.cluster.asDriver(() => this.runReplayTo(target));
    await this.cluster.advance(target - this.cluster.now());
  }

  /** Applies recorded actions that are due (replay), stepping events in between. */
  private async runReplayTo(target: number): Promise<void> {
    while (this.replayQueue.length > 0) {
      const next = this.replayQueue[0]!;
      if (next.t > target) return;
      // Process events until the action's position, then apply it at its time.
      while (this.cluster.position < next.pos) {
        const t = this.cluster.nextEventTime();
        if (t === undefined || t > next.t) break;
        await this.cluster.stepOne();
      }
      if (this.cluster.now() < next.t) this.cluster.setNow(next.t);
      this.replayQueue.shift();
      await this.applyRecorded(next);
    }
  }

  async runUntil(predicate: () => boolean, opts: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.cluster.runUntil(predicate, { timeoutMs: opts.timeoutMs ?? 60_000 });
  }

  get playing(): boolean {
    return this.isPlaying;
  }

  get speed(): Speed {
    return this.playSpeed;
  }

  play(speed: Speed = 1): void {
    this.playSpeed = speed;
    if (this.isPlaying) return;
    this.isPlaying = true;
    this.cluster.setExternalDriver(true);
    this.lastReal = realNow();
    this.schedulePump();
  }

  pause(): void {
    this.isPlaying = false;
    this.cluster.setExternalDriver(false);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedulePump(): void {
    if (!this.isPlaying) return;
    this.timer = setTimeout(() => void this.pump(), this.playSpeed === 'max' ? 0 : 16);
  }

  /** One slice of real-time driving: advance virtual time by the real time elapsed × speed. */
  private async pump(): Promise<void> {
    if (!this.isPlaying || this.pumping) return;
    this.pumping = true;
    try {
      const real = realNow();
      const elapsed = Math.min(real - this.lastReal, 250);
      this.lastReal = real;
      if (this.playSpeed === 'max') {
        // As fast as possible, in slices that keep the page responsive.
        const stop = realNow() + 12;
        while (realNow() < stop && this.isPlaying) await this.advance(this.cluster.timing.tickMs);
      } else {
        await this.advance(Math.max(0, elapsed * this.playSpeed));
      }
    } finally {
      this.pumping = false;
    }
    this.schedulePump();
  }

  async stepEvent(): Promise<void> {
    await this.cluster.stepOne();
  }

  async stepMessage(): Promise<void> {
    let done = false;
    const off = this.cluster.subscribe((e) => {
      if (e.type === 'message' && (e.phase === 'deliver' || e.phase === 'drop') && e.message.channel !== 'client') done = true;
    });
    try {
      for (let i = 0; i < 100_000 && !done; i++) if (!(await this.cluster.stepOne())) break;
    } finally {
      off();
    }
  }

  async stepTick(): Promise<void> {
    await this.advance(this.cluster.timing.tickMs);
  }

  // ---------------------------------------------------------------------------------------------
  // Actions (recorded)

  private note(type: RecordedAction['type'], args: unknown[]): void {
    this.recorder.add({ t: this.cluster.now(), pos: this.cluster.position, type, args });
  }

  /** Re-applies one recorded action (replay). */
  private async applyRecorded(a: RecordedAction): Promise<void> {
    const args = a.args as never[];
    switch (a.type) {
      case 'kill':
        return this.kill(args[0]);
      case 'restart':
        return this.restart(args[0]);
      case 'crash':
        return this.crash(args[0]);
      case 'stop':
        return this.stop(args[0]);
      case 'partition':
        return this.partition(args[0]);
      case 'isolate':
        return this.isolate(args[0]);
      case 'heal':
        return this.heal();
      case 'setLink':
        return this.setLink(args[0], args[1], args[2]);
      case 'setDisk':
        return this.setDisk(args[0], args[1]);
      case 'forceElection':
        return this.forceElection(args[0]);
      case 'transferLeader':
        void this.transferLeader(args[0]).catch(() => {});
        return;
      case 'addMember':
        void this.addMember(args[0], args[1]).catch(() => {});
        return;
      case 'promote':
        void this.promote(args[0]).catch(() => {});
        return;
      case 'removeMember':
        void this.removeMember(args[0]).catch(() => {});
        return;
      case 'client':
        this.client(args[0]);
        return;
      case 'call': {
        const [clientIndex, method, callArgs] = a.args as [number, string, unknown[]];
        const c = this.clients[clientIndex];
        if (c === undefined) throw new Error(`replay: no client #${clientIndex}`);
        // Callbacks were recorded as markers; a replay has nobody to call back.
        const revived = callArgs.map((x) => (isFnMarker(x) ? () => {} : x));
        const r = (c as unknown as Record<string, (...x: unknown[]) => unknown>)[method]!(...revived);
        if (r instanceof Promise) r.catch(() => {});
        return;
      }
      case 'exec':
        void this.exec(args[0], args[1]).catch(() => {});
        return;
    }
  }

  async kill(id: number): Promise<void> {
    this.note('kill', [id]);
    await this.cluster.kill(id);
  }

  async crash(id: number): Promise<void> {
    this.note('crash', [id]);
    await this.cluster.crash(id);
  }

  async restart(id: number): Promise<void> {
    this.note('restart', [id]);
    await this.cluster.restart(id);
  }

  async stop(id: number): Promise<void> {
    this.note('stop', [id]);
    await this.cluster.stop(id);
  }

  partition(groups: number[][]): void {
    this.note('partition', [groups]);
    this.cluster.partition(groups);
  }

  isolate(id: number): void {
    this.note('isolate', [id]);
    this.cluster.isolate(id);
  }

  heal(): void {
    this.note('heal', []);
    this.cluster.heal();
  }

  setLink(from: number, to: number, settings: LinkSettings): void {
    this.note('setLink', [from, to, settings]);
    this.cluster.setLink(from, to, settings);
  }

  setDisk(id: number, latencyMs: number): void {
    this.note('setDisk', [id, latencyMs]);
    this.cluster.setDisk(id, latencyMs);
  }

  forceElection(id: number): void {
    this.note('forceElection', [id]);
    this.cluster.forceElection(id);
  }

  async transferLeader(to: number): Promise<void> {
    this.note('transferLeader', [to]);
    await this.cluster.transferLeader(to);
  }

  async addMember(name?: string, opts: { learner?: boolean } = {}): Promise<number> {
    this.note('addMember', [name, opts]);
    const o: { learner?: boolean; name?: string } = { ...opts };
    if (name !== undefined) o.name = name;
    return this.cluster.addMember(o);
  }

  async promote(id: number): Promise<void> {
    this.note('promote', [id]);
    await this.cluster.promote(id);
  }

  async removeMember(id: number): Promise<void> {
    this.note('removeMember', [id]);
    await this.cluster.removeMember(id);
  }

  /** An etcd client whose calls are recorded, so that a replay issues them again. */
  client(options: ClientOptions = {}): EtcdClient {
    this.note('client', [options]);
    const c = this.cluster.client(options);
    const index = this.clients.length;
    this.clients.push(c);
    return recordingClient(c, (method, args) => this.note('call', [index, method, args]));
  }

  async exec(commandLine: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.note('exec', [commandLine, { stdin: options.stdin, timeoutMs: options.timeoutMs }]);
    return runExec(this.cluster, commandLine, options);
  }

  // ---------------------------------------------------------------------------------------------
  // Views

  status(): NodeStatus[] {
    return this.cluster.ids().map((id) => {
      const spec = this.cluster.spec(id);
      const st = this.cluster.status(id);
      const alive = this.cluster.isAlive(id);
      const failed = this.cluster.failure(id);
      const out: NodeStatus = {
        id,
        name: spec.name,
        alive,
        role: alive && st !== undefined ? st.role : 'StateDead',
        isLearner: st?.isLearner ?? false,
        term: st?.term ?? 0,
        vote: st?.vote ?? 0,
        lead: alive ? (st?.lead ?? 0) : 0,
        commit: st?.commit ?? 0,
        applied: st?.applied ?? 0,
        lastIndex: st?.lastIndex ?? 0,
        firstIndex: st?.firstIndex ?? 1,
        revision: st?.revision ?? 0,
        removed: this.cluster.isRemoved(id),
        diskLatencyMs: this.cluster.diskLatency(id),
      };
      if (failed !== undefined) out.failed = failed;
      return out;
    });
  }

  leader(): number | undefined {
    return this.cluster.leader();
  }

  async waitForLeader(opts: { timeoutMs?: number } = {}): Promise<number> {
    const ok = await this.cluster.runUntil(() => this.cluster.leader() !== undefined, { timeoutMs: opts.timeoutMs ?? 10_000 });
    const lead = this.cluster.leader();
    if (!ok || lead === undefined) throw new Error(`no leader within ${opts.timeoutMs ?? 10_000} ms of virtual time`);
    return lead;
  }

  subscribe(listener: (e: PlaygroundEvent) => void): () => void {
    return this.cluster.subscribe(listener);
  }

  history(): HistoryOp[] {
    return this.cluster.history();
  }

  inFlight(): InFlight[] {
    return this.cluster.inFlight();
  }

  links(): Array<{ from: number; to: number; state: LinkState }> {
    return this.cluster.links();
  }

  nodeDetail(id: number): Promise<NodeDetail> {
    return this.cluster.host(id).detail();
  }

  nodeLog(id: number, from: number, to: number): Promise<LogSlice> {
    return this.cluster.host(id).log(from, to);
  }

  nodeKeyspace(id: number, opts: { prefix?: string; limit?: number } = {}): Promise<KeyspaceView> {
    return this.cluster.host(id).keyspace({ ...opts, now: this.cluster.now() });
  }

  record(): Recording {
    return this.recorder.recording();
  }

  async dispose(): Promise<void> {
    this.pause();
    for (const c of this.clients) c.close();
    for (const b of this.backends.values()) await b.close();
  }
}

function realNow(): number {
  return globalThis.performance !== undefined ? globalThis.performance.now() : Date.now();
}

function configOf(o: PlaygroundOptions): Recording['config'] {
  const c: Recording['config'] = { nodes: o.nodes ?? 3 };
  if (o.preVote !== undefined) c.preVote = o.preVote;
  if (o.checkQuorum !== undefined) c.checkQuorum = o.checkQuorum;
  if (o.timing !== undefined) c.timing = o.timing;
  if (o.snapshotCount !== undefined) c.snapshotCount = o.snapshotCount;
  if (o.snapshotCatchUpEntries !== undefined) c.snapshotCatchUpEntries = o.snapshotCatchUpEntries;
  if (o.leaseCheckpoint !== undefined) c.leaseCheckpoint = o.leaseCheckpoint;
  if (o.leaseCheckpointIntervalMs !== undefined) c.leaseCheckpointIntervalMs = o.leaseCheckpointIntervalMs;
  if (o.quotaBackendBytes !== undefined) c.quotaBackendBytes = o.quotaBackendBytes;
  return c;
}

const RECORDED_METHODS = new Set([
  'get', 'put', 'delete', 'txn', 'compact', 'watch', 'leaseGrant', 'leaseRevoke', 'leaseKeepAliveOnce', 'leaseKeepAlive',
  'leaseTimeToLive', 'leaseLeases', 'memberList', 'memberAdd', 'memberRemove', 'memberUpdate', 'memberPromote', 'status',
  'hashKV', 'alarmList', 'alarmDisarm', 'defragment', 'moveLeader', 'lock', 'unlock', 'campaign', 'proclaim', 'leader',
  'observe', 'resign',
]);

/** Wraps a client so each call is recorded (callbacks and signals are not replayable data: dropped). */
function recordingClient(c: Client, onCall: (method: string, args: unknown[]) => void): EtcdClient {
  return new Proxy(c, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || typeof v !== 'function' || !RECORDED_METHODS.has(prop)) return typeof v === 'function' ? (v as Function).bind(target) : v;
      return (...args: unknown[]) => {
        onCall(prop, args.map((a) => (typeof a === 'function' ? FN_MARKER : stripSignal(a))));
        return (v as (...x: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as unknown as EtcdClient;
}

const FN_MARKER = { callback: true } as const;

function isFnMarker(x: unknown): boolean {
  return x !== null && typeof x === 'object' && (x as { callback?: unknown }).callback === true && Object.keys(x as object).length === 1;
}

function stripSignal(a: unknown): unknown {
  if (a !== null && typeof a === 'object' && 'signal' in (a as Record<string, unknown>)) {
    const { signal: _s, ...rest } = a as Record<string, unknown>;
    return rest;
  }
  return a;
}
