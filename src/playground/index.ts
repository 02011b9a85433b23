// The Playground API (contract 3 of DESIGN.md): the one entry point used by the UI, the console,
// scenarios, tests and `window.playground`. It builds a cluster on the chosen executor and storage,
// moves virtual time (by hand, or in real time at a chosen speed), applies faults and membership
// changes, hands out etcd clients, runs etcdctl command lines, and records every user action with
// its virtual time and position so that `createPlayground({ replay })` reproduces the run.
//
// Time travel: the run is a sequence of worlds (world.ts). Checkpoints are copies of the live
// world (or, when its nodes are workers or on IndexedDB, of an inline shadow that replays the
// same recording) taken every few seconds of virtual time whenever the simulation is plain data;
// seek(t) restores the last checkpoint before t and replays the recording up to t. Time moving
// on from there replays the recorded future and rejoins the live run; acting forks the run.

import { assert } from '../lib/assert';
import { cloneGraph } from '../lib/clone';
import { Cluster, type ClusterEvent, type ClusterOptions, type ClusterTiming, type InFlight, type NodeSpec } from '../cluster/cluster';
import { InMemoryDisk, MemberHost } from '../cluster/memberHost';
import type { KeyspaceView, LogSlice, NodeDetail, NodeHost } from '../cluster/host';
import type { LinkSettings, LinkState } from '../cluster/network';
import type { Client, HistoryOp } from '../client/client';
import type { ClientOptions, EtcdClient, KeepAliveHandle, WatchHandle } from '../client/api';
import { IdbBackend, MemoryBackend, copyBackend, type Backend } from '../storage/index';
import type { MemberStatus } from '../server/index';
import { Recorder, type Recording, type RecordedAction } from './recording';
import { loadEtcdctl, type ExecOptions, type ExecResult } from './exec';
import { FN_MARKER, RECORDED_METHODS, SIGNAL_MARKER, World } from './world';
import { clearSavedSession, saveSession, type SavedSession } from './savedSession';
import { InvariantChecker, type Violation } from '../cluster/checkers/invariants';
import { storedKeyspace, storedLog } from '../cluster/storedView';

export { loadSavedSession, clearSavedSession, type SavedSession } from './savedSession';

export type { Violation } from '../cluster/checkers/invariants';
export type { Entry } from '../raft/index';
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
  /**
   * Resume a saved cluster (loadSavedSession): its members restart from their IndexedDB data, with
   * its links and clock; seed, config and executor come from it. Time travel starts there.
   */
  resume?: SavedSession;
  /** Keep the session record a reload resumes from (default: when storage is 'indexeddb'). */
  persistSession?: boolean;
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

export type PlaygroundEvent =
  | ClusterEvent
  /** The world on screen changed instants: an earlier one (seek) or the live run again. */
  | { type: 'seek'; time: number; live: boolean }
  /** An action on an earlier instant forked the run: the recorded future from there is gone. */
  | { type: 'fork'; time: number }
  /** A safety property failed on the live run (this is a bug): the evidence. */
  | { type: 'violation'; time: number; violation: Violation }
  /** The real-time driver hit an error and paused (a bug): what it said. */
  | { type: 'driverError'; time: number; message: string };

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
  /** The speed for play(), without starting or stopping. */
  setSpeed(speed: Speed): void;
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
  /** Entries [from, to) of a node's log with its first/last/commit/applied indexes (a down node's from its storage). */
  nodeLog(id: number, from: number, to: number): Promise<LogSlice>;
  /** A node's keys (optionally under a prefix) and leases (a down node's from its storage). */
  nodeKeyspace(id: number, opts?: { prefix?: string; limit?: number }): Promise<KeyspaceView>;
  /**
   * Shows instant `t` of the run (0 to the live time): restored from the last checkpoint before it
   * and replayed. Time moving on replays the recorded future and rejoins the live run; an action
   * forks the run there.
   */
  seek(t: number): Promise<void>;
  /** Writes the session record a reload resumes from (when the session is persisted). */
  persistNow(): Promise<void>;
  /**
   * Live safety checks on the live run's events (one leader per term, applied entries agree,
   * revisions never go back); a violation is also emitted as a 'violation' event.
   */
  readonly invariants: InvariantChecker;
  /** The span seek() reaches (from the run's start, or its resumption), and whether an earlier instant is on screen. */
  readonly timeline: { start: number; end: number; viewing: boolean; checkpoints: number[]; checkpointError?: string };
  /** Stops the real-time driver and the nodes. */
  dispose(): Promise<void>;
}

export async function createPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const p = new PlaygroundImpl(options);
  await p.init();
  return p;
}

/** A copy of a world at one instant of the run, to restore from. */
interface Checkpoint {
  t: number;
  pos: number;
  world: World;
}

/** Checkpoints kept at most; beyond, every other one goes and the spacing doubles. */
const MAX_CHECKPOINTS = 160;
/** Virtual time between checkpoints at first. */
const CHECKPOINT_EVERY_MS = 2_000;
/**
 * Real time between checkpoints, as a multiple of what a copy takes (the median of the last few,
 * so one garbage collection in a copy does not space them out): copies take at most about a fifth
 * of the time when the simulation runs flat out. But never more than CHECKPOINT_MAX_WAIT_MS of
 * real time, which bounds what a seek replays.
 */
const CHECKPOINT_COST_FACTOR = 4;
const CHECKPOINT_MAX_WAIT_MS = 40;

class PlaygroundImpl implements Playground {
  readonly seed: number;
  readonly options: Readonly<PlaygroundOptions>;
  private readonly recorder: Recorder;
  private readonly clusterOptions: Omit<ClusterOptions, 'hostFactory'>;
  private readonly backends = new Map<number, Backend>();
  /** The world on screen: the live run, or an instant restored by seek(). */
  private current!: World;
  /** The live run while `current` shows an earlier instant (rejoined when time catches up). */
  private liveAhead: World | undefined;
  /** An inline copy of a live run that cannot be checkpointed itself (workers, IndexedDB). */
  private shadow: World | undefined;
  private checkpoints: Checkpoint[] = [];
  private checkpointEveryMs = CHECKPOINT_EVERY_MS;
  private readonly listeners = new Set<(e: PlaygroundEvent) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private playSpeed: Speed = 1;
  private isPlaying = false;
  private lastReal = 0;
  private pumping = false;

  constructor(options: PlaygroundOptions) {
    if (options.replay?.resumedAt !== undefined) {
      throw new Error(`this recording starts from a cluster resumed from saved storage at ${options.replay.resumedAt} ms; it cannot be replayed from its seed`);
    }
    const r = options.resume;
    const base: PlaygroundOptions =
      options.replay !== undefined
        ? { ...options, ...options.replay.config, replay: options.replay }
        : r !== undefined
          ? { ...options, ...r.config, seed: r.seed, executor: options.executor ?? r.executor, storage: 'indexeddb' }
          : options;
    this.options = base;
    this.seed = (options.replay?.seed ?? base.seed ?? 1) >>> 0;
    this.recorder = new Recorder(this.seed, configOf(base), r?.layout.now);
    // A replay's actions are the run's recorded future: worlds perform them as time reaches them.
    for (const a of options.replay?.actions ?? []) this.recorder.add(a);
    const o: Omit<ClusterOptions, 'hostFactory'> = { seed: this.seed, nodes: base.nodes ?? 3 };
    if (base.timing !== undefined) o.timing = base.timing;
    if (base.preVote !== undefined) o.preVote = base.preVote;
    if (base.checkQuorum !== undefined) o.checkQuorum = base.checkQuorum;
    if (base.snapshotCount !== undefined) o.snapshotCount = base.snapshotCount;
    if (base.snapshotCatchUpEntries !== undefined) o.snapshotCatchUpEntries = base.snapshotCatchUpEntries;
    if (base.leaseCheckpoint !== undefined) o.leaseCheckpoint = base.leaseCheckpoint;
    if (base.leaseCheckpointIntervalMs !== undefined) o.leaseCheckpointIntervalMs = base.leaseCheckpointIntervalMs;
    if (base.quotaBackendBytes !== undefined) o.quotaBackendBytes = base.quotaBackendBytes;
    if (r !== undefined) o.resume = r.layout;
    this.clusterOptions = o;
    this.persisting = base.persistSession ?? base.storage === 'indexeddb';
  }

  private get dbPrefix(): string {
    return this.options.dbPrefix ?? 'raft-playground';
  }

  private dbNameOf(spec: NodeSpec, clusterId: number): string {
    return `${this.dbPrefix}/${clusterId.toString(16)}/${spec.name}`;
  }

  /** Whether the live run itself can be copied: inline members on memory disks. */
  private get liveIsCopyable(): boolean {
    return this.options.executor !== 'worker' && this.options.storage !== 'indexeddb';
  }

  private hostFor(spec: NodeSpec, clusterId: number): NodeHost {
    const dbName = this.dbNameOf(spec, clusterId);
    if (this.options.executor === 'worker') {
      if (this.options.workerHostFactory === undefined) throw new Error("executor 'worker' needs a browser (workerHostFactory)");
      return this.options.workerHostFactory(spec, clusterId, dbName);
    }
    if (this.options.storage !== 'indexeddb') return new MemberHost(new InMemoryDisk());
    return new MemberHost({
      open: async () => {
        let b = this.backends.get(spec.id);
        if (b === undefined) {
          b = await IdbBackend.open(dbName);
          this.backends.set(spec.id, b);
        }
        return b;
      },
    });
  }

  private checker = this.newChecker();

  get invariants(): InvariantChecker {
    return this.checker;
  }

  private newChecker(): InvariantChecker {
    const c = new InvariantChecker();
    c.onViolation((v) => this.emit({ type: 'violation', time: v.time, violation: v }));
    return c;
  }

  /** Builds a world's cluster and wires its events and checkpoints. */
  private adopt(w: World): World {
    w.cluster.subscribe((e) => {
      // Only the live run is checked: an earlier instant replays what was checked already.
      if (w === (this.liveAhead ?? this.current)) this.checker.observe(e);
      if (w === this.current) this.emit(e);
    });
    w.cluster.onStep(() => this.maybeCheckpoint(w));
    return w;
  }

  async init(): Promise<void> {
    const live = new Cluster({ ...this.clusterOptions, hostFactory: (spec, id) => this.hostFor(spec, id) });
    if (!this.liveIsCopyable) {
      // The shadow starts from what the live members start from: fresh, or copies of their data
      // (read before they restart and write again).
      const disks = new Map<number, InMemoryDisk>();
      for (const n of this.clusterOptions.resume?.nodes ?? []) {
        const idb = await IdbBackend.open(this.dbNameOf(n.spec, live.clusterId));
        const mem = new MemoryBackend();
        try {
          await copyBackend(idb, mem);
        } catch {
          // Unreadable data: the live member will fail to start and say why; the shadow's copy
          // starts empty, and time travel shows that member as it is in the shadow.
        } finally {
          await idb.close();
        }
        disks.set(n.spec.id, InMemoryDisk.holding(mem));
      }
      this.shadow = this.adopt(
        new World(new Cluster({ ...this.clusterOptions, hostFactory: (spec) => new MemberHost(disks.get(spec.id) ?? new InMemoryDisk()) })),
      );
    }
    this.current = this.adopt(new World(live));
    await live.start();
    if (this.shadow !== undefined) await this.shadow.cluster.start();
    this.takeCheckpoint(this.checkpointSource());
    this.persist();
  }

  // ---------------------------------------------------------------------------------------------
  // Saved session (reload resumes)

  private persisting: boolean;
  private saving: Promise<void> | undefined;
  private saveAgain = false;
  private lastSaveReal = 0;

  /**
   * Writes the session record so that a reload resumes from here (also done after every action
   * and, while playing, about once a second).
   */
  async persistNow(): Promise<void> {
    this.persist();
    while (this.saving !== undefined) await this.saving;
  }

  private persist(): void {
    if (!this.persisting) return;
    this.lastSaveReal = realNow();
    if (this.saving !== undefined) {
      this.saveAgain = true;
      return;
    }
    const live = this.liveAhead ?? this.current;
    const session: SavedSession = {
      version: 1,
      seed: this.seed,
      config: configOf(this.options),
      executor: this.options.executor === 'worker' ? 'worker' : 'inline',
      layout: live.cluster.layout(),
    };
    this.saving = saveSession(this.dbPrefix, session)
      .catch(() => {
        // Storage full or gone: the run goes on; a reload will start a new cluster.
      })
      .finally(() => {
        this.saving = undefined;
        if (this.saveAgain) {
          this.saveAgain = false;
          this.persist();
        }
      });
  }

  get cluster(): Cluster {
    return this.current.cluster;
  }

  private emit(e: PlaygroundEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  now(): number {
    return this.current.cluster.now();
  }

  async advance(ms: number): Promise<void> {
    await this.advanceUnless(ms);
  }

  private async advanceUnless(ms: number, stop?: () => boolean): Promise<void> {
    assert(ms >= 0, 'cannot advance by a negative time');
    const target = this.now() + ms;
    const live = this.liveAhead;
    if (live !== undefined && target >= live.cluster.now()) {
      // Back in the present: the live run is where this replay would arrive.
      this.rejoin();
    }
    await this.current.replayTo(target, this.recorder.list, stop);
  }

  async runUntil(predicate: () => boolean, opts: { timeoutMs?: number } = {}): Promise<boolean> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const w = this.current;
    if (w.performed >= this.recorder.list.length && this.liveAhead === undefined) {
      return w.cluster.runUntil(predicate, { timeoutMs });
    }
    const deadline = this.now() + timeoutMs;
    return w.cluster.asDriver(async () => {
      while (!predicate()) {
        if (this.caughtUp()) {
          this.rejoin();
          return this.current.cluster.runUntil(predicate, { timeoutMs: Math.max(0, deadline - this.now()) });
        }
        const c = this.current.cluster;
        const next = c.nextEventTime();
        if (next === undefined || next > deadline) {
          await this.current.replayTo(deadline, this.recorder.list);
          return predicate();
        }
        await this.current.stepReplay(this.recorder.list);
      }
      return true;
    });
  }

  /** Whether the world on screen reached the live run (same events, same actions). */
  private caughtUp(): boolean {
    const live = this.liveAhead;
    return live !== undefined && this.current.cluster.position >= live.cluster.position && this.current.performed >= live.performed;
  }

  /** Shows the live run again. */
  private rejoin(): void {
    const live = this.liveAhead;
    if (live === undefined) return;
    this.liveAhead = undefined;
    this.current = live;
    this.emit({ type: 'seek', time: live.cluster.now(), live: true });
  }

  /** Whether time is moving in real time (false once pause() took effect: the last event done). */
  get playing(): boolean {
    return this.isPlaying || this.pumping;
  }

  get speed(): Speed {
    return this.playSpeed;
  }

  setSpeed(speed: Speed): void {
    assert(speed === 'max' || (typeof speed === 'number' && speed > 0), 'speed is a positive number or "max"');
    this.playSpeed = speed;
  }

  play(speed: Speed = this.playSpeed): void {
    this.setSpeed(speed);
    if (this.isPlaying) return;
    this.isPlaying = true;
    this.current.cluster.setExternalDriver(true);
    this.lastReal = realNow();
    this.schedulePump();
  }

  pause(): void {
    this.isPlaying = false;
    for (const w of [this.current, this.liveAhead]) w?.cluster.setExternalDriver(false);
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
      const paused = (): boolean => !this.isPlaying;
      try {
        if (this.playSpeed === 'max') {
          // As fast as possible, in slices that leave most of each frame to drawing.
          const stop = realNow() + 8;
          while (realNow() < stop && this.isPlaying) await this.advanceUnless(this.current.cluster.timing.tickMs, paused);
        } else {
          await this.advanceUnless(Math.max(0, elapsed * this.playSpeed), paused);
        }
      } catch (err) {
        // A bug: stop where it happened and say so, rather than freeze with "playing" on.
        this.pause();
        this.emit({ type: 'driverError', time: this.now(), message: `${(err as Error).name}: ${(err as Error).message}` });
      }
      // Whichever world is on screen now is driven by this loop.
      this.current.cluster.setExternalDriver(this.isPlaying);
      if (this.persisting && this.liveAhead === undefined && realNow() - this.lastSaveReal > 1000) this.persist();
    } finally {
      this.pumping = false;
    }
    this.schedulePump();
  }

  async stepEvent(): Promise<void> {
    if (this.caughtUp()) this.rejoin();
    await this.current.stepReplay(this.recorder.list);
    if (this.caughtUp()) this.rejoin();
  }

  async stepMessage(): Promise<void> {
    let done = false;
    const off = this.subscribe((e) => {
      if (e.type === 'message' && (e.phase === 'deliver' || e.phase === 'drop') && e.message.channel !== 'client') done = true;
    });
    try {
      for (let i = 0; i < 100_000 && !done; i++) {
        if (this.caughtUp()) this.rejoin();
        if (!(await this.current.stepReplay(this.recorder.list))) break;
        if (this.caughtUp()) this.rejoin();
      }
    } finally {
      off();
    }
  }

  async stepTick(): Promise<void> {
    await this.advance(this.current.cluster.timing.tickMs);
  }

  // ---------------------------------------------------------------------------------------------
  // Time travel

  /**
   * The world checkpoints are taken from: the shadow of a live run that cannot be copied, else the
   * live run itself (inline on memory disks: from the start, or since a fork from a checkpoint).
   */
  private checkpointSource(): World {
    return this.shadow ?? this.liveAhead ?? this.current;
  }

  private lastCopyDone = 0;
  private copyMs: number[] = [];

  /** Why checkpoints stopped (a bug: something in the simulation could not be copied). */
  private checkpointError: string | undefined;

  private maybeCheckpoint(w: World): void {
    if (w !== this.checkpointSource() || this.checkpointError !== undefined) return;
    const c = w.cluster;
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last !== undefined && (c.now() - last.t < this.checkpointEveryMs || c.position <= last.pos)) return;
    const typical = [...this.copyMs].sort((a, b) => a - b)[this.copyMs.length >> 1] ?? 0;
    if (realNow() - this.lastCopyDone < Math.min(CHECKPOINT_COST_FACTOR * typical, CHECKPOINT_MAX_WAIT_MS)) return;
    if (!w.isQuiescent()) return;
    try {
      this.takeCheckpoint(w);
    } catch (err) {
      // Never break the run for time travel: stop taking checkpoints and say why (seek still
      // works from the earlier ones, replaying further).
      this.checkpointError = `${(err as Error).name}: ${(err as Error).message}`;
    }
  }

  private takeCheckpoint(w: World): void {
    const t0 = realNow();
    this.checkpoints.push({ t: w.cluster.now(), pos: w.cluster.position, world: cloneGraph(w) });
    this.lastCopyDone = realNow();
    this.copyMs = [...this.copyMs.slice(-4), this.lastCopyDone - t0];
    if (this.checkpoints.length > MAX_CHECKPOINTS) {
      // Keep the first; thin the rest to every other one, twice as far apart from now on.
      this.checkpoints = this.checkpoints.filter((_, i) => i === 0 || i % 2 === 0);
      this.checkpointEveryMs *= 2;
    }
  }

  async seek(t: number): Promise<void> {
    this.pause();
    const live = this.liveAhead ?? this.current;
    const end = live.cluster.now();
    const target = Math.max(this.checkpoints[0]!.t, Math.min(t, end));
    if (target >= end) {
      this.rejoin();
      return;
    }
    const source = this.checkpointSource();
    // A shadow catches up with the live run as far as needed (taking checkpoints on the way).
    if (source === this.shadow && source.cluster.now() < target) await source.replayTo(target, this.recorder.list);
    let cp = this.checkpoints[0]!;
    for (const c of this.checkpoints) if (c.t <= target) cp = c;
    const w = this.adopt(cloneGraph(cp.world));
    // Replayed off screen: a seek is a jump, not a fast-forward to watch.
    await w.replayTo(target, this.recorder.list);
    if (this.liveAhead === undefined) this.liveAhead = this.current;
    else void this.retire(this.current);
    this.current = w;
    this.emit({ type: 'seek', time: target, live: false });
  }

  /** The span seek() can reach: from 0 to the live run's time. */
  get timeline(): Playground['timeline'] {
    const live = this.liveAhead ?? this.current;
    const tl: Playground['timeline'] = { start: this.checkpoints[0]!.t, end: live.cluster.now(), viewing: this.liveAhead !== undefined, checkpoints: this.checkpoints.map((c) => c.t) };
    if (this.checkpointError !== undefined) tl.checkpointError = this.checkpointError;
    return tl;
  }

  /**
   * Acting on an earlier instant forks the run: the recorded future from here is dropped and the
   * world on screen becomes the live run.
   */
  private forkIfInPast(): void {
    const w = this.current;
    const recorded = this.recorder.list.length;
    if (this.liveAhead === undefined && w.performed >= recorded) return;
    this.recorder.truncate(w.performed);
    const pos = w.cluster.position;
    this.checkpoints = this.checkpoints.filter((c) => c.pos <= pos && c.t <= w.cluster.now());
    const old = this.liveAhead;
    this.liveAhead = undefined;
    if (old !== undefined) void this.retire(old);
    const shadow = this.shadow;
    if (shadow !== undefined && old !== undefined) {
      // The fork runs inline on memory disks (a restored checkpoint): it is its own checkpoint source.
      void this.retire(shadow);
      this.shadow = undefined;
    } else if (shadow !== undefined && (shadow.cluster.position > pos || shadow.performed > w.performed)) {
      // The shadow went past the fork on the old recording: restart it from the last valid checkpoint.
      void this.retire(shadow);
      this.shadow = this.adopt(cloneGraph(this.checkpoints[this.checkpoints.length - 1]!.world));
    }
    if (this.persisting && old !== undefined && !this.liveIsCopyable) {
      // The fork runs inline on memory disks: there is nothing in IndexedDB a reload could resume
      // it from, so the saved record goes (a reload starts a new cluster rather than the old run).
      this.persisting = false;
      void clearSavedSession(this.dbPrefix).catch(() => undefined);
    }
    // What the checker learnt from the old future (leaders of later terms...) does not hold here.
    this.checker = this.newChecker();
    this.emit({ type: 'fork', time: w.cluster.now() });
  }

  private async retire(w: World): Promise<void> {
    await w.cluster.dispose();
  }

  // ---------------------------------------------------------------------------------------------
  // Actions (recorded)

  /** Records and performs an action between events; resolves when its immediate part is done. */
  private async act(type: RecordedAction['type'], args: unknown[], live?: { args: unknown[] }): Promise<{ value: unknown; index: number }> {
    this.forkIfInPast();
    const w = this.current;
    const out = await w.cluster.exclusive(async () => {
      const index = this.note(w, type, args);
      const r = await w.perform(this.recorder.list[index]!, index, live);
      return { value: r.value, index };
    });
    this.persist();
    return out;
  }

  /**
   * The same for an action with no waiting part: done at once when no event is in progress, else
   * right after it (then this returns undefined).
   */
  private actSync(type: RecordedAction['type'], args: unknown[], live?: { args: unknown[] }): { value: unknown; index: number } | undefined {
    const out = this.tryActSync(type, args, live);
    if (out === undefined) void this.act(type, args, live);
    return out;
  }

  /** Performs an immediate action if no event is in progress; undefined (nothing done) if one is. */
  private tryActSync(type: RecordedAction['type'], args: unknown[], live?: { args: unknown[] }): { value: unknown; index: number } | undefined {
    this.forkIfInPast();
    const w = this.current;
    let out: { value: unknown; index: number } | undefined;
    w.cluster.tryExclusiveSync(() => {
      const index = this.note(w, type, args);
      const r = w.perform(this.recorder.list[index]!, index, live);
      assert(!(r instanceof Promise), `${type} is not immediate`);
      out = { value: r.value, index };
    });
    if (out !== undefined && type !== 'call' && type !== 'client') this.persist();
    return out;
  }

  private note(w: World, type: RecordedAction['type'], args: unknown[]): number {
    return this.recorder.add({ t: w.cluster.now(), pos: w.cluster.position, type, args });
  }

  async kill(id: number): Promise<void> {
    await this.act('kill', [id]);
  }

  async crash(id: number): Promise<void> {
    await this.act('crash', [id]);
  }

  async restart(id: number): Promise<void> {
    if (this.current.cluster.isAlive(id)) throw new Error(`${this.current.cluster.spec(id).name} is running`);
    await this.act('restart', [id]);
  }

  async stop(id: number): Promise<void> {
    await this.act('stop', [id]);
    const c = this.current.cluster;
    await c.waitFor(c.when(() => !c.isAlive(id)));
  }

  partition(groups: number[][]): void {
    this.actSync('partition', [groups]);
  }

  isolate(id: number): void {
    this.actSync('isolate', [id]);
  }

  heal(): void {
    this.actSync('heal', []);
  }

  setLink(from: number, to: number, settings: LinkSettings): void {
    this.actSync('setLink', [from, to, settings]);
  }

  setDisk(id: number, latencyMs: number): void {
    this.actSync('setDisk', [id, latencyMs]);
  }

  forceElection(id: number): void {
    this.actSync('forceElection', [id]);
  }

  async transferLeader(to: number): Promise<void> {
    const { value } = await this.act('transferLeader', [to]);
    await (value as Promise<void>);
  }

  async addMember(name?: string, opts: { learner?: boolean } = {}): Promise<number> {
    const { value } = await this.act('addMember', [name ?? null, opts]);
    return value as Promise<number>;
  }

  async promote(id: number): Promise<void> {
    const { value } = await this.act('promote', [id]);
    await (value as Promise<void>);
  }

  async removeMember(id: number): Promise<void> {
    const { value } = await this.act('removeMember', [id]);
    await (value as Promise<void>);
  }

  /** An etcd client whose calls are recorded, so that a replay issues them again. */
  client(options: ClientOptions = {}): EtcdClient {
    const r = this.tryActSync('client', [options], { args: [options] });
    // Between events or not, a client is made at once (making one sends nothing).
    const index = r !== undefined ? this.current.clients.length - 1 : this.makeClientNow(options);
    return this.clientProxy(index);
  }

  private makeClientNow(options: ClientOptions): number {
    const w = this.current;
    const index = this.note(w, 'client', [options]);
    void w.perform(this.recorder.list[index]!, index, { args: [options] });
    return w.clients.length - 1;
  }

  /**
   * The caller's handle on recorded client #index: calls are recorded and go to that client in
   * whichever world is on screen (so a handle survives seeking and forking).
   */
  private clientProxy(index: number): EtcdClient {
    const self = this;
    const target = (): Client => {
      const c = self.current.clients[index];
      if (c === undefined) throw new Error(`client #${index} does not exist at this point of the run`);
      return c;
    };
    return new Proxy({} as EtcdClient, {
      get(_t, prop) {
        if (prop === 'then') return undefined;
        const c = target();
        const v = Reflect.get(c, prop, c) as unknown;
        if (typeof prop !== 'string' || typeof v !== 'function') return v;
        if (prop === 'close') return () => self.actSync('close', [index]);
        if (!RECORDED_METHODS.has(prop)) return (v as Function).bind(c);
        return (...args: unknown[]) => self.callClient(index, prop, args);
      },
    });
  }

  private callClient(clientIndex: number, method: string, args: unknown[]): unknown {
    const recorded = args.map(markArg);
    const live = { args };
    const signal = args.map((a) => (a !== null && typeof a === 'object' && 'signal' in a ? (a as { signal?: AbortSignal }).signal : undefined)).find((x) => x !== undefined);
    const hook = (index: number): void => {
      if (signal === undefined) return;
      if (signal.aborted) this.actSync('abort', [index]);
      else signal.addEventListener('abort', () => this.actSync('abort', [index]), { once: true });
    };
    const handleOf = (index: number, h: WatchHandle | KeepAliveHandle): WatchHandle => ({
      cancel: () => void this.actSync('abort', [index]),
      requestProgress: () => void this.actSync('progress', [index]),
      done: h.done,
    });
    const isHandle = method === 'watch' || method === 'leaseKeepAlive' || method === 'observe';
    const now = this.tryActSync('call', [clientIndex, method, recorded], live);
    if (now !== undefined) {
      hook(now.index);
      return isHandle ? handleOf(now.index, now.value as WatchHandle) : now.value;
    }
    // An event is in progress: the call goes out right after it.
    const later = this.act('call', [clientIndex, method, recorded], live).then((r) => {
      hook(r.index);
      return r;
    });
    if (!isHandle) return later.then((r) => r.value);
    const h = later.then((r) => handleOf(r.index, r.value as WatchHandle));
    return {
      cancel: () => void h.then((x) => x.cancel()),
      requestProgress: () => void h.then((x) => x.requestProgress()),
      done: h.then((x) => x.done),
    } satisfies WatchHandle;
  }

  async exec(commandLine: string, options: ExecOptions = {}): Promise<ExecResult> {
    // Loaded before the command is recorded: it then starts at once, here as in any replay.
    await loadEtcdctl();
    const c = this.current.cluster;
    // Without a real-time driver, a long-running command stops after a minute of virtual time
    // (as `timeout 60 etcdctl ...` would); the decision is recorded so a replay makes the same.
    const timeoutMs = options.timeoutMs ?? (!c.isExternallyDriven() && options.signal === undefined ? 60_000 : undefined);
    const rec: { stdin?: string; timeoutMs?: number } = {};
    if (options.stdin !== undefined) rec.stdin = options.stdin;
    if (timeoutMs !== undefined) rec.timeoutMs = timeoutMs;
    const live: { onOutput?: ExecOptions['onOutput'] } = {};
    if (options.onOutput !== undefined) live.onOutput = options.onOutput;
    const { value, index } = await this.act('exec', [commandLine, rec], { args: [commandLine, live] });
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) this.actSync('abort', [index]);
      else signal.addEventListener('abort', () => this.actSync('abort', [index]), { once: true });
    }
    return this.current.cluster.waitFor(value as Promise<ExecResult>);
  }

  // ---------------------------------------------------------------------------------------------
  // Views (of the world on screen)

  status(): NodeStatus[] {
    const cluster = this.current.cluster;
    return cluster.ids().map((id) => {
      const spec = cluster.spec(id);
      const st = cluster.status(id);
      const alive = cluster.isAlive(id);
      const failed = cluster.failure(id);
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
        removed: cluster.isRemoved(id),
        diskLatencyMs: cluster.diskLatency(id),
      };
      if (failed !== undefined) out.failed = failed;
      return out;
    });
  }

  leader(): number | undefined {
    return this.current.cluster.leader();
  }

  async waitForLeader(opts: { timeoutMs?: number } = {}): Promise<number> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const ok = await this.runUntil(() => this.leader() !== undefined, { timeoutMs });
    const lead = this.leader();
    if (!ok || lead === undefined) throw new Error(`no leader within ${timeoutMs} ms of virtual time`);
    return lead;
  }

  subscribe(listener: (e: PlaygroundEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  history(): HistoryOp[] {
    return this.current.cluster.history();
  }

  inFlight(): InFlight[] {
    return this.current.cluster.inFlight();
  }

  links(): Array<{ from: number; to: number; state: LinkState }> {
    return this.current.cluster.links();
  }

  nodeDetail(id: number): Promise<NodeDetail> {
    return this.current.cluster.host(id).detail();
  }

  async nodeLog(id: number, from: number, to: number): Promise<LogSlice> {
    const c = this.current.cluster;
    const host = c.host(id);
    if (c.isAlive(id) || host.stored === undefined) return host.log(from, to);
    return storedLog(await host.stored(), from, to);
  }

  async nodeKeyspace(id: number, opts: { prefix?: string; limit?: number } = {}): Promise<KeyspaceView> {
    const c = this.current.cluster;
    const host = c.host(id);
    if (c.isAlive(id) || host.stored === undefined) return host.keyspace({ ...opts, now: c.now() });
    return storedKeyspace(await host.stored(), opts);
  }

  record(): Recording {
    return this.recorder.recording();
  }

  async dispose(): Promise<void> {
    this.pause();
    while (this.saving !== undefined) await this.saving;
    for (const w of [this.current, this.liveAhead, this.shadow]) if (w !== undefined) await w.cluster.dispose();
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

/** A call argument as recorded: callbacks and signals become markers (they are not data). */
function markArg(a: unknown): unknown {
  if (typeof a === 'function') return FN_MARKER;
  if (a !== null && typeof a === 'object' && !Array.isArray(a) && 'signal' in (a as Record<string, unknown>)) {
    const { signal, ...rest } = a as Record<string, unknown>;
    return signal === undefined ? rest : { ...rest, signal: SIGNAL_MARKER };
  }
  return a;
}
