// One etcd member (etcd 3.4's EtcdServer without its goroutines): a Raft node, the MVCC store with
// its watchers, the lessor and the membership, applied from the committed log with a consistent
// index so that nothing is applied twice across restarts, and persisted through a Backend.
//
// The member is driven from outside, deterministically: inputs are ticks, peer messages, client
// requests and connectivity updates, each at a virtual time `now`. Work comes out in two steps:
// prepare() takes Raft's Ready, applies what is committed and returns one WriteBatch; once the
// caller has made it durable, commit() releases the Ready's messages and the answers to clients
// (etcd's order: persist, then send and acknowledge) and advances Raft. drainOutputs() hands out
// everything produced so far. No timers, no clock, no I/O of its own beyond the Backend.

import { assert } from '../lib/assert';
import { Prng, hashString } from '../lib/prng';
import {
  MemoryStorage,
  RawNode,
  bootstrapPeers,
  decodeConfChange,

  isEmptySnap,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Logger,
  type Message,
  type Ready,
  type Snapshot,
} from '../raft/index';
import {
  WatchableStore,
  WatchStream,
  applyCompaction,
  applyDeleteRange,
  applyPut,
  applyRange,
  applyTxn,
  isTxnReadonly,
  validateTxnRequest,
  checkPutRequest,
  checkRangeRequest,
  checkDeleteRequest,
  type HeaderFields,
  type StoreSnapshot,
  type WriteResult,
} from '../mvcc/index';
import type { RangeRequest, ResponseHeader, TxnRequest, WatchResponse } from '../mvcc/types';
import { Lessor, lessorTimingFor, type LessorSnapshot } from '../lease/index';
import type { Backend, PersistedState, StoredMember, WriteBatch } from '../storage/backend';
import type { AlarmMember, Member, StatusResponse } from './api';
import { CLUSTER_VERSION, ETCD_VERSION, resolveMemberConfig, type MemberConfig, type ResolvedMemberConfig } from './config';
import { Errors, ServerError, toRpcError, type RpcError } from './errors';
import { Membership, type ConfChangeKind } from './membership';
import { LinearizableReads, type ReadIndexHooks } from './readIndex';
import {
  decodeRequest,
  describeRequest,
  encodeRequest,
  type ClientRequest,
  type ClientRequestBody,
  type ClientResponse,
  type ConfChangeContext,
  type InternalRaftRequest,
  type PeerMessage,
} from './requests';

/** Where an answer goes: a client connection, or a peer that forwarded the request. */
export type Origin = { kind: 'client'; clientId: string; reqId: number } | { kind: 'peer'; from: number; fwdId: number };

/** What happened inside the member, for the event feed, checkers and the UI. */
export type MemberEvent =
  | { kind: 'log'; level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'; source: 'raft' | 'etcdserver'; text: string }
  | { kind: 'apply'; index: number; term: number; entryType: Entry['type']; summary: string; revision: number }
  | { kind: 'snapshot'; index: number; term: number; compactedTo: number }
  | { kind: 'restore'; index: number; term: number }
  | { kind: 'removed' };

export interface MemberOutputs {
  messages: PeerMessage[];
  responses: ClientResponse[];
  events: MemberEvent[];
}

/** A Ready taken and applied, whose batch must be made durable before commit(). */
export interface PreparedReady {
  batch: WriteBatch;
  /** Opaque to the caller. */
  readonly seq: number;
}

/** The member's state at a glance (what the playground's status() shows). */
export interface MemberStatus {
  id: number;
  name: string;
  role: 'StateFollower' | 'StatePreCandidate' | 'StateCandidate' | 'StateLeader';
  isLearner: boolean;
  term: number;
  vote: number;
  lead: number;
  commit: number;
  applied: number;
  firstIndex: number;
  lastIndex: number;
  revision: number;
  compactRevision: number;
  stopped: boolean;
  removed: boolean;
}

interface Waiter {
  origin: Origin;
  /** Which operation is awaited; an applied entry of another kind with the same ID is not it. */
  op?: string;
  deadline: number;
  startedAt: number;
  /** For proposals that only answer after apply. */
  kind: 'proposal' | 'confChange';
}

interface ReadWaiter {
  origin: Origin;
  body: ClientRequestBody;
}

interface QueuedProposal {
  waiterId: number | undefined;
  data: string;
  cc?: ConfChange;
}

interface ParkedRequest {
  origin: Origin;
  body: ClientRequestBody;
  deadline: number;
  /** For lease renewals on the leader: wait until applied reaches this index (etcd's ApplyWait). */
  appliedTarget?: number;
  appliedDeadline?: number;
}

interface Forwarded {
  origin: Origin;
  deadline: number;
  body: ClientRequestBody;
}

interface MoveLeaderWait {
  origin: Origin;
  target: number;
  deadline: number;
}

/** The state machine's part of a Raft snapshot. */
interface SnapshotPayload {
  kv: StoreSnapshot;
  leases: LessorSnapshot;
  members: { members: StoredMember[]; removed: number[] };
  clusterVersion: string;
  alarms: AlarmMember[];
  published: number[];
}

const LESSOR_LOOP_MS = 500;
const WATCH_SYNC_MS = 100;

export class EtcdMember {
  readonly config: ResolvedMemberConfig;
  readonly id: number;
  private readonly rn: RawNode;
  private readonly raftStorage: MemoryStorage;
  private readonly kv: WatchableStore;
  private readonly lessor: Lessor;
  private readonly membership: Membership;
  private readonly backend: Backend;
  private readonly prng: Prng;

  private appliedIndex: number;
  private appliedTerm: number;
  private snapshotIndex: number;
  private confState: ConfState;
  private clusterVersion = '';
  private alarms: AlarmMember[] = [];
  /** Members that published their attributes (etcd: a non-empty name). */
  private publishedSelf = false;
  private publishRetryAt = 0;
  private versionProposedAt = -Infinity;

  private reqCounter = 0;
  /** Distinguishes this run of the member from earlier ones (etcd uses the start time). */
  private readonly incarnation: number;
  private readonly waiters = new Map<number, Waiter>();
  private proposalQueue: QueuedProposal[] = [];
  private readonly reads: LinearizableReads<ReadWaiter>;
  private parked: ParkedRequest[] = [];
  private readonly forwarded = new Map<number, Forwarded>();
  private moveLeaderWaits: MoveLeaderWait[] = [];
  private readonly streams = new Map<string, WatchStream>();

  private lead = 0;
  private leadElectedAt = -Infinity;
  /** When each peer's connection became active (0: not connected), from the transport. */
  private peerActiveSince = new Map<number, number>();
  private nextLessorLoop = 0;
  private startedAt = 0;
  private tickAdvanceDone = false;
  private nextWatchSync = 0;
  private now = 0;

  private writing: PreparedReady | undefined;
  private readySeq = 0;
  /** The server meta (cluster version, alarms, conf state) in the last batch handed to storage. */
  private storedServerMeta: string | undefined;
  /** What a prepared Ready releases once durable. */
  private deferred: { rd: Ready; fromRaft: boolean; responses: ClientResponse[]; messages: PeerMessage[] } | undefined;
  private pendingSnapshotWrite: { snapshot: Snapshot; compactTo: number } | undefined;
  private out: MemberOutputs = { messages: [], responses: [], events: [] };

  private stopping: { deadline: number } | undefined;
  private stoppedFlag = false;
  private removedFlag = false;

  private constructor(
    config: ResolvedMemberConfig,
    parts: {
      rn: RawNode;
      raftStorage: MemoryStorage;
      kv: WatchableStore;
      lessor: Lessor;
      membership: Membership;
      applied: number;
      appliedTerm: number;
      snapshotIndex: number;
      confState: ConfState;
      prng: Prng;
    },
  ) {
    this.config = config;
    this.id = config.id;
    this.backend = config.backend;
    this.rn = parts.rn;
    this.raftStorage = parts.raftStorage;
    this.kv = parts.kv;
    this.lessor = parts.lessor;
    this.membership = parts.membership;
    this.appliedIndex = parts.applied;
    this.appliedTerm = parts.appliedTerm;
    this.snapshotIndex = parts.snapshotIndex;
    this.confState = parts.confState;
    this.prng = parts.prng;
    this.incarnation = this.prng.int(2 ** 20);
    this.reads = new LinearizableReads<ReadWaiter>(new MemberReadHooks(this), config.reqTimeoutMs);
  }

  /**
   * Starts a member from its backend: restarts from the stored state if there is one, else
   * bootstraps a new cluster (initialCluster non-empty) or starts empty to join an existing one.
   * Throws CorruptionError when the stored state is damaged.
   */
  static async open(config: MemberConfig, now = 0): Promise<EtcdMember> {
    const cfg = resolveMemberConfig(config);
    const persisted = await cfg.backend.load();
    const m = persisted === undefined ? EtcdMember.fresh(cfg) : EtcdMember.restart(cfg, persisted);
    m.now = now;
    m.startedAt = now;
    m.nextLessorLoop = now;
    m.nextWatchSync = now;
    return m;
  }

  private static buildRawNode(cfg: ResolvedMemberConfig, storage: MemoryStorage, applied: number, prng: Prng, logger: Logger): RawNode {
    return new RawNode({
      id: cfg.id,
      electionTick: cfg.electionTicks,
      heartbeatTick: cfg.heartbeatTicks,
      storage,
      applied,
      preVote: cfg.preVote,
      checkQuorum: cfg.checkQuorum,
      maxSizePerMsg: cfg.maxSizePerMsg,
      maxInflightMsgs: cfg.maxInflightMsgs,
      maxUncommittedEntriesSize: 1 << 30,
      random: prng.fork('raft'),
      logger,
    });
  }

  private static newLessor(cfg: ResolvedMemberConfig): Lessor {
    return new Lessor(EtcdMember.lessorConfig(cfg));
  }

  private static lessorConfig(cfg: ResolvedMemberConfig) {
    const timing = lessorTimingFor({ electionTicks: cfg.electionTicks, tickMs: cfg.tickMs });
    return {
      ...timing,
      checkpointingEnabled: cfg.leaseCheckpoint,
      checkpointIntervalMs: cfg.leaseCheckpointIntervalMs,
    };
  }

  private static fresh(cfg: ResolvedMemberConfig): EtcdMember {
    const prng = new Prng(cfg.seed);
    const storage = new MemoryStorage();
    const logger = new MemberLogSink();
    const rn = EtcdMember.buildRawNode(cfg, storage, 0, prng, logger);
    const kv = new WatchableStore();
    const member = new EtcdMember(cfg, {
      rn,
      raftStorage: storage,
      kv,
      lessor: EtcdMember.newLessor(cfg),
      membership: new Membership(cfg.clusterId),
      applied: 0,
      appliedTerm: 0,
      snapshotIndex: 0,
      confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
      prng,
    });
    logger.attach(member);
    if (cfg.initialCluster.length > 0) {
      // A new cluster: one ConfChangeAddNode per initial member, at term 1, committed (etcd's
      // StartNode). The entries are persisted and applied through the first Ready.
      const peers = [...cfg.initialCluster]
        .sort((a, b) => a.id - b.id)
        .map((m) => {
          const ctx: ConfChangeContext = {
            member: { id: m.id, name: '', peerUrls: m.peerUrls, clientUrls: [], isLearner: false },
            isPromote: false,
            requestId: 0,
          };
          return { id: m.id, context: JSON.stringify(ctx) };
        });
      bootstrapPeers(rn, peers);
    }
    member.log('INFO', `starting an etcd server (version ${ETCD_VERSION}, member ${member.hex()}, cluster ${cfg.clusterId.toString(16)})`);
    return member;
  }

  private static restart(cfg: ResolvedMemberConfig, ps: PersistedState): EtcdMember {
    const prng = new Prng(cfg.seed ^ 0x5bd1e995);
    const cs = ps.serverMeta['confState'];
    const storage = typeof cs === 'string' && cs !== '' ? new RestartStorage(JSON.parse(cs) as ConfState) : new MemoryStorage();
    if (ps.snapshot !== undefined) storage.applySnapshot(ps.snapshot);
    storage.setHardState(ps.hardState);
    storage.append(ps.entries);

    const kv = ps.kv.meta === undefined ? new WatchableStore() : WatchableStore.restore(ps.kv.records, ps.kv.meta);
    const lessor = Lessor.restore(ps.leases, EtcdMember.lessorConfig(cfg));
    // Keys find their leases again from the store (etcd's lessor Recover attaches from the kv).
    for (const { key, lease } of kv.leaseAttachments()) {
      if (lessor.lookup(lease) !== undefined) lessor.attach(lease, [key]);
    }
    const membership = Membership.restore(cfg.clusterId, ps.members, ps.removedMembers);
    const applied = kv.consistentIndex;
    const logger = new MemberLogSink();
    const rn = EtcdMember.buildRawNode(cfg, storage, applied, prng, logger);
    const snapIndex = ps.snapshot?.metadata.index ?? 0;
    let appliedTerm = 0;
    try {
      appliedTerm = storage.term(applied);
    } catch {
      appliedTerm = ps.snapshot?.metadata.term ?? 0;
    }
    const member = new EtcdMember(cfg, {
      rn,
      raftStorage: storage,
      kv,
      lessor,
      membership,
      applied,
      appliedTerm,
      snapshotIndex: snapIndex,
      confState: rn.raft.trk.confState(),
      prng,
    });
    logger.attach(member);
    member.clusterVersion = typeof ps.serverMeta['clusterVersion'] === 'string' ? ps.serverMeta['clusterVersion'] : '';
    const alarms = ps.serverMeta['alarms'];
    if (typeof alarms === 'string' && alarms !== '') member.alarms = JSON.parse(alarms) as AlarmMember[];
    member.log(
      'INFO',
      `restarting member ${member.hex()} in cluster ${cfg.clusterId.toString(16)} at commit index ${ps.hardState.commit} (applied ${applied}, revision ${kv.currentRevision})`,
    );
    return member;
  }

  /** @internal A line from Raft (through MemberLogSink). */
  raftLog(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', text: string): void {
    this.config.logger?.({ level, source: 'raft', text });
    this.out.events.push({ kind: 'log', level, source: 'raft', text });
  }

  /** @internal For MemberReadHooks. */
  sendReadIndex(ctx: string): void {
    this.rn.readIndex(ctx);
  }

  /** @internal For MemberReadHooks. */
  get appliedIndexValue(): number {
    return this.appliedIndex;
  }

  /** @internal For MemberReadHooks. */
  newRequestId(): number {
    return this.nextRequestId();
  }

  /** @internal For MemberReadHooks. */
  serverLog(level: 'INFO' | 'WARN' | 'ERROR', text: string): void {
    this.log(level, text);
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs

  /** One Raft tick (every tickMs of virtual time), plus the server's periodic work. */
  tick(now: number): void {
    if (this.stoppedFlag) return;
    this.now = now;
    this.rn.tick();
    this.afterInput();
    this.runTimers(now);
  }

  /** A message from a peer. */
  receivePeer(m: PeerMessage, now: number): void {
    if (this.stoppedFlag) return;
    this.now = now;
    if (m.kind === 'raft') {
      try {
        this.rn.step(m.msg);
      } catch (err) {
        const name = (err as Error).name;
        // etcd drops these too: a response from a peer no longer in the configuration, a
        // forwarded proposal that cannot be taken now.
        if (name !== 'StepPeerNotFoundError' && name !== 'ProposalDroppedError' && name !== 'StepLocalMsgError') throw err;
      }
    } else if (m.kind === 'forward') {
      this.handleRequest({ kind: 'peer', from: m.from, fwdId: m.fwdId }, m.body, now);
    } else {
      const f = this.forwarded.get(m.fwdId);
      if (f !== undefined) {
        this.forwarded.delete(m.fwdId);
        if (m.ok) this.respondOk(f.origin, m.body);
        else this.respondErr(f.origin, m.error);
      }
    }
    this.afterInput();
  }

  /** A request from a client. */
  receiveClient(req: ClientRequest, now: number): void {
    this.now = now;
    const origin: Origin = { kind: 'client', clientId: req.clientId, reqId: req.reqId };
    if (this.stoppedFlag) {
      this.respondErr(origin, Errors.stopped);
      return;
    }
    this.handleRequest(origin, req.body, now);
    this.afterInput();
  }

  /**
   * Connectivity from the transport: for each connected peer, since when its connection is
   * active (a peer that is not listed is not connected). Used by the strict reconfiguration
   * checks, to word timeouts, and for the initial election tick advance.
   */
  setPeerActivity(activeSince: ReadonlyMap<number, number>, now = this.now): void {
    this.peerActiveSince = new Map(activeSince);
    this.maybeAdvanceTicks(now);
  }

  /**
   * etcd's initial election tick advance: once connected to more than one peer (within 5 s of
   * starting), fast-forward election ticks so the first election does not wait a full timeout.
   */
  private maybeAdvanceTicks(now: number): void {
    if (this.tickAdvanceDone || now > this.startedAt + 5000) return;
    let active = 0;
    for (const id of this.peerActiveSince.keys()) if (id !== this.id) active++;
    if (active <= 1) return;
    this.tickAdvanceDone = true;
    const ticks = this.config.electionTicks - 2;
    this.log('INFO', `${this.hex()} initialized peer connection; fast-forwarding ${ticks} ticks (election ticks ${this.config.electionTicks}) with ${active} active peer(s)`);
    for (let i = 0; i < ticks; i++) this.rn.tick();
    this.afterInput();
  }

  /**
   * Graceful stop (etcd on SIGTERM): a leader first transfers leadership to the most caught-up
   * voter and waits for it (up to the request timeout). Poll readyToStop().
   */
  beginStop(now: number): void {
    if (this.stopping !== undefined || this.stoppedFlag) return;
    this.stopping = { deadline: now + this.config.reqTimeoutMs };
    if (this.isLeader()) {
      const target = this.mostCaughtUpVoter();
      if (target !== undefined) {
        this.log('INFO', `leadership transfer starting (${this.hex()} -> ${target.toString(16)})`);
        this.rn.transferLeader(target);
      }
    }
    this.afterInput();
  }

  /** True once a stopping member may be terminated: it no longer leads, or the wait is over. */
  readyToStop(now: number): boolean {
    if (this.stopping === undefined) return false;
    if (!this.isLeader()) return true;
    if (this.mostCaughtUpVoter() === undefined) return true;
    return now >= this.stopping.deadline;
  }

  /** Starts an election now, as if the election timer fired. */
  campaign(now: number): void {
    if (this.stoppedFlag) return;
    this.now = now;
    try {
      this.rn.campaign();
    } catch (err) {
      if ((err as Error).name !== 'ProposalDroppedError') throw err;
    }
    this.afterInput();
  }

  /** Stops the member: pending requests fail with "server stopped". */
  stop(): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    for (const [, w] of this.waiters) this.respondErr(w.origin, Errors.stopped);
    this.waiters.clear();
    for (const { waiter } of this.reads.failAll(Errors.stopped)) this.respondErr(waiter.origin, Errors.stopped);
    for (const p of this.parked) this.respondErr(p.origin, Errors.stopped);
    this.parked = [];
    for (const [, f] of this.forwarded) this.respondErr(f.origin, Errors.stopped);
    this.forwarded.clear();
    for (const w of this.moveLeaderWaits) this.respondErr(w.origin, Errors.stopped);
    this.moveLeaderWaits = [];
    this.log('INFO', `stopped member ${this.hex()}`);
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Removed from the cluster by a committed configuration change. */
  get removed(): boolean {
    return this.removedFlag;
  }

  // ---------------------------------------------------------------------------------------------
  // The Ready cycle

  /** Whether prepare() has something to do (and no earlier batch is still being written). */
  hasReady(): boolean {
    if (this.writing !== undefined || this.stoppedFlag) return false;
    return this.rn.hasReady() || this.pendingSnapshotWrite !== undefined;
  }

  /**
   * Takes Raft's Ready, applies its snapshot and committed entries to the state machine, and
   * returns the batch to persist: hard state, entries, snapshot, and everything the apply changed
   * (MVCC rows, consistent index, leases, members). Undefined when there is nothing to do.
   */
  prepare(now: number): PreparedReady | undefined {
    if (!this.hasReady()) return undefined;
    this.now = now;
    const responsesBefore = this.out.responses;
    this.out.responses = [];
    // A batch may carry only a snapshot taken after the last Ready; then Raft has nothing to hand.
    const fromRaft = this.rn.hasReady();
    const rd: Ready = fromRaft
      ? this.rn.ready()
      : { entries: [], committedEntries: [], messages: [], readStates: [], mustSync: false };
    const batch: WriteBatch = {};

    if (rd.softState !== undefined) this.onSoftState(rd.softState.lead, rd.softState.raftState, now);
    if (rd.hardState !== undefined) batch.hardState = rd.hardState;

    if (!isEmptySnap(rd.snapshot)) {
      this.restoreFromSnapshot(rd.snapshot!);
      batch.snapshot = rd.snapshot!;
    }
    if (rd.entries.length > 0) batch.entries = rd.entries;

    for (const e of rd.committedEntries) this.applyEntry(e, now);
    for (const rs of rd.readStates) this.reads.onReadState(rs.index, rs.requestCtx);

    const kvChanges = this.kv.drainChanges();
    if (kvChanges.reset || kvChanges.put.length > 0 || kvChanges.deleted.length > 0 || kvChanges.meta.consistentIndex !== 0) {
      batch.kv = kvChanges;
    }
    const leaseChanges = this.lessor.drainChanges();
    if (leaseChanges.reset || leaseChanges.put.length > 0 || leaseChanges.deleted.length > 0) batch.leases = leaseChanges;
    const memberChanges = this.membership.drainChanges();
    if (memberChanges !== undefined) batch.members = memberChanges;
    const serverMeta = {
      clusterVersion: this.clusterVersion,
      alarms: JSON.stringify(this.alarms),
      // Raft's configuration as of the consistent index: a restart resumes from there.
      confState: JSON.stringify(this.confState),
    };
    // Written when it changed since the last batch this member handed to storage (it rarely
    // does): rewriting identical rows on every Ready was a hotspot of read-heavy loads, whose
    // Readys carry little else. A new member (a restart) writes it with its first batch.
    const metaKey = `${serverMeta.clusterVersion}\n${serverMeta.alarms}\n${serverMeta.confState}`;
    if (metaKey !== this.storedServerMeta) {
      batch.serverMeta = serverMeta;
      this.storedServerMeta = metaKey;
    }
    if (this.pendingSnapshotWrite !== undefined) {
      if (batch.snapshot === undefined || batch.snapshot.metadata.index < this.pendingSnapshotWrite.snapshot.metadata.index) {
        batch.snapshot = this.pendingSnapshotWrite.snapshot;
      }
      batch.compactTo = this.pendingSnapshotWrite.compactTo;
      this.pendingSnapshotWrite = undefined;
    }

    // Answers produced by this apply wait for durability; earlier ones stay in the output.
    const responses = this.out.responses;
    this.out.responses = responsesBefore;
    const messages = rd.messages.map((msg): PeerMessage => ({ kind: 'raft', msg }));
    this.deferred = { rd, fromRaft, responses, messages };
    const prepared: PreparedReady = { batch, seq: ++this.readySeq };
    this.writing = prepared;
    return prepared;
  }

  /**
   * The prepared batch is durable: update Raft's storage, release the Ready's messages and the
   * answers, advance Raft, and take a snapshot when due.
   */
  commit(prepared: PreparedReady, now: number): void {
    assert(this.writing === prepared, 'commit of a Ready that is not the one being written');
    assert(this.deferred !== undefined, 'commit without a prepared Ready');
    this.now = now;
    const { rd, fromRaft, responses, messages } = this.deferred;
    this.deferred = undefined;
    this.writing = undefined;
    if (this.stoppedFlag) return;

    if (!isEmptySnap(rd.snapshot)) this.raftStorage.applySnapshot(rd.snapshot!);
    if (rd.hardState !== undefined) this.raftStorage.setHardState(rd.hardState);
    this.raftStorage.append(rd.entries);
    // Messages leave only now that what they vouch for is durable; a MsgSnap's delivery is
    // reported back through reportSnapshot() by whoever carries it.
    for (const m of messages) {
      if (m.kind === 'raft' && m.msg.type === 'MsgSnap') this.out.messages.push({ kind: 'raft', msg: this.mergedSnapshotMessage(m.msg) });
      else this.out.messages.push(m);
    }
    this.out.responses.push(...responses);
    if (fromRaft) this.rn.advance();
    this.maybeSnapshot();
    this.afterInput();
  }

  /** Whether a prepared batch is waiting for commit(). */
  get isWriting(): boolean {
    return this.writing !== undefined;
  }

  /** Everything produced since the last call: messages to send, answers, events. */
  drainOutputs(): MemberOutputs {
    this.pollWatchStreams();
    const out = this.out;
    this.out = { messages: [], responses: [], events: [] };
    return out;
  }

  /** Tells the leader whether a MsgSnap it sent reached the follower. */
  reportSnapshot(to: number, ok: boolean): void {
    this.rn.reportSnapshot(to, ok ? 'SnapshotFinish' : 'SnapshotFailure');
    this.afterInput();
  }

  /** Tells the leader a message to `to` could not be delivered (the link is down). */
  reportUnreachable(to: number): void {
    this.rn.reportUnreachable(to);
  }

  // ---------------------------------------------------------------------------------------------
  // After every input

  private afterInput(): void {
    this.flushProposals();
    this.serveReads();
    this.checkMoveLeader();
  }

  private onSoftState(lead: number, state: string, now: number): void {
    const wasLeader = this.lead === this.id;
    if (lead !== this.lead) {
      if (lead !== 0) {
        this.log('INFO', `raft.node: ${this.hex()} elected leader ${lead.toString(16)} at term ${this.rn.raft.term}`);
      } else {
        this.log('INFO', `raft.node: ${this.hex()} lost leader ${this.lead.toString(16)} at term ${this.rn.raft.term}`);
      }
      this.leadElectedAt = lead !== 0 ? now : this.leadElectedAt;
      this.lead = lead;
      for (const { waiter, error } of this.reads.onLeaderChanged(now)) this.respondErr(waiter.origin, error);
    }
    const isLeader = state === 'StateLeader';
    if (wasLeader && !isLeader) this.lessor.demote();
  }

  /** Proposals wait while there is no leader (etcd's node.Propose blocks until there is one). */
  private flushProposals(): void {
    if (this.proposalQueue.length === 0 || this.rn.raft.lead === 0 || this.stoppedFlag) return;
    const queue = this.proposalQueue;
    this.proposalQueue = [];
    for (const p of queue) {
      if (p.waiterId !== undefined && !this.waiters.has(p.waiterId)) continue; // gave up meanwhile
      try {
        if (p.cc !== undefined) this.rn.proposeConfChange(p.cc);
        else this.rn.propose(p.data);
      } catch (err) {
        if ((err as Error).name !== 'ProposalDroppedError') throw err;
        if (p.waiterId !== undefined) {
          const w = this.waiters.get(p.waiterId)!;
          this.waiters.delete(p.waiterId);
          this.respondErr(w.origin, Errors.proposalDropped);
        }
      }
    }
  }

  private serveReads(): void {
    const { ready, failed } = this.reads.poll(this.now);
    for (const { waiter, error } of failed) this.respondErr(waiter.origin, error);
    for (const r of ready) this.executeRead(r.origin, r.body);
  }

  private runTimers(now: number): void {
    // Proposals and conf changes that waited too long.
    for (const [id, w] of this.waiters) {
      if (now >= w.deadline) {
        this.waiters.delete(id);
        this.respondErr(w.origin, this.timeoutError(w.startedAt));
      }
    }
    this.serveReads();
    this.retryParked(now);
    for (const [id, f] of this.forwarded) {
      if (now >= f.deadline) {
        this.forwarded.delete(id);
        this.respondErr(f.origin, Errors.timeout);
      }
    }
    this.checkMoveLeader();

    if (now >= this.nextWatchSync) {
      this.nextWatchSync = now + WATCH_SYNC_MS;
      this.kv.syncWatchers();
      this.kv.syncVictims();
    }
    for (const s of this.streams.values()) s.advanceTime(now);

    if (now >= this.nextLessorLoop) {
      this.nextLessorLoop = now + LESSOR_LOOP_MS;
      if (this.isLeader() && this.lessor.isPrimary()) {
        // The leader revokes expired leases through Raft (etcd's revokeExpiredLeases).
        for (const id of this.lessor.findExpired(now)) {
          this.log('INFO', `revoking expired lease ${id.toString(16)}`);
          this.proposeInternal({ header: { id: this.nextRequestId() }, leaseRevoke: { id } }, undefined);
        }
        const cps = this.lessor.checkpointsDue(now);
        if (cps.length > 0) {
          this.proposeInternal({ header: { id: this.nextRequestId() }, leaseCheckpoint: { checkpoints: cps } }, undefined);
        }
      }
    }
    this.maybePublish(now);
    this.afterInput();
  }

  /** A started member publishes its name and client URLs; the leader sets the cluster version. */
  private maybePublish(now: number): void {
    // A learner publishes too (etcd 3.4's publish has no exception for it; its proposal is
    // forwarded to the leader like any follower's).
    if (this.rn.raft.lead === 0 || !this.membership.has(this.id)) return;
    if (!this.publishedSelf && this.membership.isStarted(this.id)) this.publishedSelf = true;
    if (!this.publishedSelf && now >= this.publishRetryAt) {
      this.publishRetryAt = now + this.config.reqTimeoutMs;
      this.proposeInternal(
        {
          header: { id: this.nextRequestId() },
          clusterMemberAttrSet: { memberId: this.id, attributes: { name: this.config.name, clientUrls: this.config.clientUrls } },
        },
        undefined,
      );
    }
    if (this.isLeader() && this.clusterVersion === '' && now >= this.versionProposedAt + this.config.reqTimeoutMs && this.rn.raft.committedEntryInCurrentTerm()) {
      this.versionProposedAt = now;
      this.proposeInternal({ header: { id: this.nextRequestId() }, clusterVersionSet: { version: CLUSTER_VERSION } }, undefined);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  private handleRequest(origin: Origin, body: ClientRequestBody, now: number): void {
    if (this.rn.raft.isLearner && !(body.type === 'Status' || (body.type === 'Range' && body.req.serializable === true))) {
      this.respondErr(origin, Errors.notSupportedForLearner);
      return;
    }
    try {
      this.dispatch(origin, body, now);
    } catch (err) {
      this.respondErr(origin, toRpcError(err));
    }
  }

  private dispatch(origin: Origin, body: ClientRequestBody, now: number): void {
    switch (body.type) {
      case 'Range':
        checkRangeRequest(body.req);
        if (body.req.serializable === true) this.executeRead(origin, body);
        else this.reads.add({ origin, body }, now);
        return;
      case 'Txn':
        validateTxnRequest(body.req, this.config.maxTxnOps);
        if (isTxnReadonly(body.req)) {
          if (txnSerializable(body.req)) this.executeRead(origin, body);
          else this.reads.add({ origin, body }, now);
          return;
        }
        this.checkQuota(body.req);
        this.propose(origin, { header: { id: 0 }, txn: body.req });
        return;
      case 'Put':
        checkPutRequest(body.req);
        this.checkQuota(body.req);
        this.propose(origin, { header: { id: 0 }, put: body.req });
        return;
      case 'DeleteRange':
        checkDeleteRequest(body.req);
        this.propose(origin, { header: { id: 0 }, deleteRange: body.req });
        return;
      case 'Compact':
        this.propose(origin, { header: { id: 0 }, compaction: body.req });
        return;
      case 'LeaseGrant': {
        this.checkQuota(body.req);
        let id = body.req.id ?? 0;
        // No ID given: the server picks one (etcd: reqIDGen & (1<<63 - 1), never 0).
        while (id === 0) id = this.leaseIdFor();
        this.propose(origin, { header: { id: 0 }, leaseGrant: { ttl: body.req.ttl, id } });
        return;
      }
      case 'LeaseRevoke':
        this.propose(origin, { header: { id: 0 }, leaseRevoke: body.req });
        return;
      case 'LeaseKeepAlive':
      case 'LeaseTimeToLive':
      case 'MemberPromote':
        this.leaderOnly(origin, body, now);
        return;
      case 'LeaseLeases':
        this.respondOk(origin, { header: this.header(), leases: this.lessor.leases().map((l) => ({ id: l.id })) });
        return;
      case 'MemberList':
        this.respondOk(origin, { header: this.header(), members: this.membership.list() });
        return;
      case 'MemberAdd':
        this.memberAdd(origin, body.req.peerUrls, body.req.isLearner ?? false, now);
        return;
      case 'MemberRemove':
        this.memberRemove(origin, body.req.id);
        return;
      case 'MemberUpdate':
        this.memberUpdate(origin, body.req.id, body.req.peerUrls);
        return;
      case 'Status':
        this.respondOk(origin, this.statusResponse());
        return;
      case 'HashKV': {
        const h = this.kv.hashKV(body.revision);
        this.respondOk(origin, { header: { ...this.header(), revision: h.revision }, hash: h.hash, compactRevision: h.compactRevision });
        return;
      }
      case 'Alarm':
        if (body.req.action === 'GET') {
          this.respondOk(origin, { header: this.header(), alarms: this.alarms.filter((a) => body.req.alarm === undefined || body.req.alarm === 'NONE' || a.alarm === body.req.alarm) });
          return;
        }
        this.propose(origin, { header: { id: 0 }, alarm: body.req });
        return;
      case 'Defragment':
        this.respondOk(origin, { header: this.header() });
        return;
      case 'MoveLeader':
        this.moveLeader(origin, body.req.targetId, now);
        return;
      case 'WatchCreate': {
        const key = `${this.originKey(origin)}/${body.streamId}`;
        let stream = this.streams.get(key);
        if (stream === undefined) {
          stream = this.kv.newWatchStream({ nowMs: now });
          this.streams.set(key, stream);
        }
        stream.watch(body.req);
        return;
      }
      case 'WatchCancel':
        this.streams.get(`${this.originKey(origin)}/${body.streamId}`)?.cancel(body.watchId);
        return;
      case 'WatchProgress':
        this.streams.get(`${this.originKey(origin)}/${body.streamId}`)?.requestProgress();
        return;
      case 'WatchClose': {
        const key = `${this.originKey(origin)}/${body.streamId}`;
        const stream = this.streams.get(key);
        if (stream !== undefined) {
          for (const id of stream.watchIds()) stream.cancel(id);
          stream.pollResponses();
          this.streams.delete(key);
        }
        return;
      }
    }
  }

  private originKey(origin: Origin): string {
    return origin.kind === 'client' ? origin.clientId : `peer-${origin.from}`;
  }

  /** Reads served from the local applied state (serializable, or after a ReadIndex round). */
  private executeRead(origin: Origin, body: ClientRequestBody): void {
    try {
      if (body.type === 'Range') {
        this.respondOk(origin, applyRange(this.kv, body.req, { header: this.headerFields() }));
      } else if (body.type === 'Txn') {
        const r = applyTxn(this.kv, body.req, { header: this.headerFields(), leaseExists: (id) => this.lessor.lookup(id) !== undefined });
        this.respondOk(origin, r.response);
      } else {
        throw new Error(`not a read: ${body.type}`);
      }
    } catch (err) {
      this.respondErr(origin, toRpcError(err));
    }
  }

  /** etcd's quota: a write that would take the backend over quota raises NOSPACE and fails. */
  private checkQuota(req: unknown): void {
    if (this.alarms.some((a) => a.alarm === 'NOSPACE')) throw new ServerError(Errors.noSpace);
    const cost = JSON.stringify(req).length;
    if (this.backend.sizeBytes() + cost > this.config.quotaBackendBytes) {
      this.log('WARN', `quota exceeded; raising NOSPACE alarm (backend size ${this.backend.sizeBytes()}, quota ${this.config.quotaBackendBytes})`);
      this.proposeInternal({ header: { id: this.nextRequestId() }, alarm: { action: 'ACTIVATE', memberId: this.id, alarm: 'NOSPACE' } }, undefined);
      throw new ServerError(Errors.noSpace);
    }
  }

  /** Proposes a request on behalf of a client and waits for it to be applied. */
  private propose(origin: Origin, r: InternalRaftRequest): void {
    r.header.id = this.nextRequestId();
    this.proposeInternal(r, origin);
  }

  private proposeInternal(r: InternalRaftRequest, origin: Origin | undefined): void {
    // etcd refuses new proposals when apply lags commit by too much.
    if (this.rn.raft.raftLog.committed > this.appliedIndex + 5000) {
      if (origin !== undefined) this.respondErr(origin, Errors.tooManyRequests);
      return;
    }
    const data = encodeRequest(r);
    if (data.length > this.config.maxRequestBytes) {
      if (origin !== undefined) this.respondErr(origin, Errors.requestTooLarge);
      return;
    }
    if (origin !== undefined) {
      this.waiters.set(r.header.id, { origin, deadline: this.now + this.config.reqTimeoutMs, startedAt: this.now, kind: 'proposal', op: requestKind(r) });
    }
    this.proposalQueue.push({ waiterId: origin === undefined ? undefined : r.header.id, data });
    this.flushProposals();
  }

  private proposeConfChange(origin: Origin, cc: ConfChange, requestId: number): void {
    this.waiters.set(requestId, { origin, deadline: this.now + this.config.reqTimeoutMs, startedAt: this.now, kind: 'confChange' });
    this.proposalQueue.push({ waiterId: requestId, data: '', cc });
    this.flushProposals();
  }

  /** Requests only the leader can serve; a follower forwards them (etcd's peer HTTP API). */
  private leaderOnly(origin: Origin, body: ClientRequestBody, now: number): void {
    if (this.isLeader()) {
      if (body.type === 'LeaseKeepAlive' || body.type === 'LeaseTimeToLive') {
        // etcd's waitAppliedIndex: the leader first applies everything committed.
        if (this.appliedIndex < this.rn.raft.raftLog.committed) {
          this.parked.push({ origin, body, deadline: now + this.config.reqTimeoutMs, appliedTarget: this.rn.raft.raftLog.committed, appliedDeadline: now + 1000 });
          return;
        }
      }
      this.serveOnLeader(origin, body, now);
      return;
    }
    if (origin.kind === 'peer') {
      // A forwarded request that reached a member that is no longer leader: let the sender retry.
      this.respondErr(origin, Errors.notLeader);
      return;
    }
    this.parked.push({ origin, body, deadline: now + this.config.reqTimeoutMs });
    this.retryParked(now);
  }

  private serveOnLeader(origin: Origin, body: ClientRequestBody, now: number): void {
    switch (body.type) {
      case 'LeaseKeepAlive': {
        try {
          const r = this.lessor.renew(body.req.id, now);
          if (r.clearCheckpoint !== null) {
            this.proposeInternal({ header: { id: this.nextRequestId() }, leaseCheckpoint: { checkpoints: [r.clearCheckpoint] } }, undefined);
          }
          this.respondOk(origin, { header: this.header(), id: body.req.id, ttl: r.ttl });
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === 'ErrLeaseNotFound') {
            // etcd answers a keep-alive of an unknown lease with TTL 0, not an error.
            this.respondOk(origin, { header: this.header(), id: body.req.id, ttl: 0 });
          } else if (code === 'ErrLeaseExpired' || code === 'ErrNotPrimary') {
            // etcd blocks until the revoke is applied or the lessor is demoted: park and retry.
            this.parked.push({ origin, body, deadline: now + this.config.reqTimeoutMs });
          } else {
            throw err;
          }
        }
        return;
      }
      case 'LeaseTimeToLive': {
        const ttl = this.lessor.timeToLive(body.req.id, now, { keys: body.req.keys ?? false });
        if (ttl.ttl === -1 && this.lessor.lookup(body.req.id) === undefined) {
          this.respondErr(origin, Errors.leaseNotFound);
          return;
        }
        this.respondOk(origin, { header: this.header(), id: body.req.id, ttl: ttl.ttl, grantedTtl: ttl.grantedTtl, keys: ttl.keys ?? [] });
        return;
      }
      case 'MemberPromote':
        this.memberPromote(origin, body.req.id);
        return;
      default:
        throw new Error(`not a leader-only request: ${body.type}`);
    }
  }

  /** Retries parked leader-only requests: serve on the leader, forward from a follower. */
  private retryParked(now: number): void {
    if (this.parked.length === 0) return;
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) {
      if (now >= p.deadline) {
        // etcd: waitLeader gives up with "no leader"; a forwarded request with "request timed out".
        this.respondErr(p.origin, this.rn.raft.lead === 0 ? Errors.noLeader : Errors.timeout);
        continue;
      }
      if (this.isLeader()) {
        if (p.appliedTarget !== undefined && this.appliedIndex < p.appliedTarget) {
          if (now >= (p.appliedDeadline ?? Infinity)) this.respondErr(p.origin, Errors.timeoutWaitAppliedIndex);
          else this.parked.push(p);
          continue;
        }
        try {
          this.serveOnLeader(p.origin, p.body, now);
        } catch (err) {
          this.respondErr(p.origin, toRpcError(err));
        }
        continue;
      }
      const lead = this.rn.raft.lead;
      if (lead === 0 || !this.membership.has(lead)) {
        this.parked.push(p);
        continue;
      }
      const fwdId = this.nextRequestId();
      this.forwarded.set(fwdId, { origin: p.origin, deadline: p.deadline, body: p.body });
      this.out.messages.push({ kind: 'forward', from: this.id, to: lead, fwdId, body: p.body });
    }
  }

  private memberAdd(origin: Origin, peerUrls: string[], isLearner: boolean, now: number): void {
    if (peerUrls.length === 0 || peerUrls.some((u) => !/^https?:\/\/[^\s/]+/.test(u))) throw new ServerError(Errors.memberBadURLs);
    if (this.config.strictReconfigCheck) {
      if (!isLearner && !this.membership.isReadyToAddVotingMember()) throw new ServerError(Errors.memberNotEnoughStarted);
      if (!this.isConnectedFullySince(now - 5000)) throw new ServerError(Errors.unhealthy);
    }
    const id = this.newMemberId(peerUrls, now);
    const requestId = this.nextRequestId();
    const ctx: ConfChangeContext = { member: { id, name: '', peerUrls, clientUrls: [], isLearner }, isPromote: false, requestId };
    this.proposeConfChange(
      origin,
      { type: isLearner ? 'ConfChangeAddLearnerNode' : 'ConfChangeAddNode', nodeId: id, context: JSON.stringify(ctx) },
      requestId,
    );
  }

  private memberRemove(origin: Origin, id: number): void {
    if (this.config.strictReconfigCheck) {
      const m = this.membership.get(id);
      if (!(m !== undefined && m.isLearner)) {
        if (!this.membership.isReadyToRemoveVotingMember(id)) throw new ServerError(Errors.memberNotEnoughStarted);
        // A member that is down is safe to remove; otherwise keep an active quorum.
        const downed = id !== this.id && !this.peerActiveSince.has(id);
        if (!downed) {
          const voters = this.membership.votingMembers();
          const active = this.numConnectedSince(this.now - 5000, voters);
          if (active - 1 < 1 + Math.floor((voters.length - 1) / 2)) throw new ServerError(Errors.unhealthy);
        }
      }
    }
    const requestId = this.nextRequestId();
    const ctx: ConfChangeContext = { member: { id, name: '', peerUrls: [], clientUrls: [], isLearner: false }, isPromote: false, requestId };
    this.proposeConfChange(origin, { type: 'ConfChangeRemoveNode', nodeId: id, context: JSON.stringify(ctx) }, requestId);
  }

  private memberUpdate(origin: Origin, id: number, peerUrls: string[]): void {
    if (peerUrls.length === 0 || peerUrls.some((u) => !/^https?:\/\/[^\s/]+/.test(u))) throw new ServerError(Errors.memberBadURLs);
    const requestId = this.nextRequestId();
    const ctx: ConfChangeContext = { member: { id, name: '', peerUrls, clientUrls: [], isLearner: false }, isPromote: false, requestId };
    this.proposeConfChange(origin, { type: 'ConfChangeUpdateNode', nodeId: id, context: JSON.stringify(ctx) }, requestId);
  }

  /** Only the leader knows whether a learner caught up (etcd's isLearnerReady). */
  private memberPromote(origin: Origin, id: number): void {
    const status = this.rn.status();
    const pr = status.progress?.get(id);
    if (pr !== undefined) {
      const leaderMatch = status.progress!.get(this.id)!.match;
      if (pr.match < leaderMatch * 0.9) throw new ServerError(Errors.learnerNotReady);
    }
    if (this.config.strictReconfigCheck && !this.membership.isReadyToPromoteMember()) {
      throw new ServerError(Errors.memberNotEnoughStarted);
    }
    const requestId = this.nextRequestId();
    const ctx: ConfChangeContext = { member: { id, name: '', peerUrls: [], clientUrls: [], isLearner: false }, isPromote: true, requestId };
    this.proposeConfChange(origin, { type: 'ConfChangeAddNode', nodeId: id, context: JSON.stringify(ctx) }, requestId);
  }

  private moveLeader(origin: Origin, target: number, now: number): void {
    if (!this.isLeader()) throw new ServerError(Errors.notLeader);
    const m = this.membership.get(target);
    if (m === undefined || m.isLearner) throw new ServerError(Errors.badLeaderTransferee);
    if (target === this.id) {
      this.respondOk(origin, { header: this.header() });
      return;
    }
    this.log('INFO', `leadership transfer starting (${this.hex()} -> ${target.toString(16)})`);
    this.rn.transferLeader(target);
    this.moveLeaderWaits.push({ origin, target, deadline: now + this.config.reqTimeoutMs });
  }

  private checkMoveLeader(): void {
    if (this.moveLeaderWaits.length === 0) return;
    const lead = this.rn.raft.lead;
    const waits = this.moveLeaderWaits;
    this.moveLeaderWaits = [];
    for (const w of waits) {
      if (lead === w.target) {
        this.log('INFO', `leadership transfer finished (new leader ${w.target.toString(16)})`);
        this.respondOk(w.origin, { header: this.header() });
      } else if (this.now >= w.deadline) {
        this.respondErr(w.origin, Errors.timeoutLeaderTransfer);
      } else {
        this.moveLeaderWaits.push(w);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Apply

  private applyEntry(e: Entry, now: number): void {
    if (e.index <= this.appliedIndex) return; // consistent index: never apply twice
    let summary = '';
    if (e.type === 'EntryNormal') {
      if (e.data.length === 0) {
        // The leader's empty entry of its term: once it is applied, the leader has applied every
        // entry of earlier terms, and its lessor may take over expiry (etcd's Promote).
        summary = '(empty)';
        this.reads.onFirstCommitInTerm(now);
        if (this.isLeader()) this.lessor.promote(now, this.config.electionTimeoutMs);
      } else {
        const r = decodeRequest(e.data);
        summary = describeRequest(r);
        const result = this.applyRequest(r, e, now);
        const w = this.waiters.get(r.header.id);
        if (w !== undefined && w.op === requestKind(r)) {
          this.waiters.delete(r.header.id);
          if (result.ok) this.respondOk(w.origin, result.body);
          else this.respondErr(w.origin, result.error);
        }
      }
    } else {
      summary = this.applyConfChangeEntry(e);
    }
    this.kv.setConsistentIndex(e.index);
    this.appliedIndex = e.index;
    this.appliedTerm = e.term;
    this.out.events.push({ kind: 'apply', index: e.index, term: e.term, entryType: e.type, summary, revision: this.kv.currentRevision });
  }

  private applyRequest(r: InternalRaftRequest, e: Entry, now: number): { ok: true; body: unknown } | { ok: false; error: RpcError } {
    const header = this.headerFields(e.term);
    const noSpace = this.alarms.some((a) => a.alarm === 'NOSPACE');
    try {
      if (r.put !== undefined) {
        if (noSpace) return { ok: false, error: Errors.noSpace };
        const a = applyPut(this.kv, r.put, { header, leaseExists: (id) => this.lessor.lookup(id) !== undefined });
        this.applyLeaseChanges(a.write);
        return { ok: true, body: a.response };
      }
      if (r.deleteRange !== undefined) {
        const a = applyDeleteRange(this.kv, r.deleteRange, { header });
        this.applyLeaseChanges(a.write);
        return { ok: true, body: a.response };
      }
      if (r.txn !== undefined) {
        if (noSpace && !isTxnReadonly(r.txn)) return { ok: false, error: Errors.noSpace };
        const a = applyTxn(this.kv, r.txn, { header, leaseExists: (id) => this.lessor.lookup(id) !== undefined });
        this.applyLeaseChanges(a.write);
        return { ok: true, body: a.response };
      }
      if (r.compaction !== undefined) {
        const a = applyCompaction(this.kv, r.compaction, { header });
        return { ok: true, body: a.response };
      }
      if (r.leaseGrant !== undefined) {
        if (noSpace) return { ok: false, error: Errors.noSpace };
        const l = this.lessor.grant(r.leaseGrant.id, r.leaseGrant.ttl, now);
        return { ok: true, body: { header: this.header(e.term), id: l.id, ttl: l.ttl, error: '' } };
      }
      if (r.leaseRevoke !== undefined) {
        const keys = this.lessor.revoke(r.leaseRevoke.id);
        // All attached keys go in one write txn, in key order, so every member gets the same
        // revision and hash (etcd's lessor Revoke).
        if (keys.length > 0) {
          const txn = this.kv.write();
          for (const key of keys) txn.deleteRange(key, undefined);
          txn.end();
        }
        return { ok: true, body: { header: this.header(e.term) } };
      }
      if (r.leaseCheckpoint !== undefined) {
        this.lessor.applyCheckpoint(r.leaseCheckpoint.checkpoints, now);
        return { ok: true, body: { header: this.header(e.term) } };
      }
      if (r.alarm !== undefined) return { ok: true, body: this.applyAlarm(r.alarm, e.term) };
      if (r.clusterMemberAttrSet !== undefined) {
        const { memberId, attributes } = r.clusterMemberAttrSet;
        this.membership.setAttributes(memberId, attributes.name, attributes.clientUrls);
        if (memberId === this.id) this.publishedSelf = true;
        this.log('INFO', `published local member to cluster through raft (member ${memberId.toString(16)}, name ${attributes.name})`);
        return { ok: true, body: {} };
      }
      if (r.clusterVersionSet !== undefined) {
        if (this.clusterVersion === '') this.log('INFO', `set initial cluster version to ${r.clusterVersionSet.version}`);
        this.clusterVersion = r.clusterVersionSet.version;
        return { ok: true, body: {} };
      }
      return { ok: false, error: Errors.canceled };
    } catch (err) {
      return { ok: false, error: toRpcError(err) };
    }
  }

  private applyLeaseChanges(write: WriteResult | null): void {
    if (write === null) return;
    for (const c of write.leaseChanges) {
      if (c.oldLease !== 0 && this.lessor.lookup(c.oldLease) !== undefined) this.lessor.detach(c.oldLease, [c.key]);
      if (c.newLease !== 0) this.lessor.attach(c.newLease, [c.key]);
    }
  }

  private applyAlarm(req: InternalRaftRequest['alarm'] & object, term: number): unknown {
    const memberId = req.memberId ?? 0;
    const alarm = req.alarm ?? 'NONE';
    if (req.action === 'ACTIVATE') {
      if (!this.alarms.some((a) => a.memberId === memberId && a.alarm === alarm)) {
        this.alarms = [...this.alarms, { memberId, alarm }];
        this.log('WARN', `alarm ${alarm} raised by peer ${memberId.toString(16)}`);
      }
      return { header: this.header(term), alarms: [{ memberId, alarm }] };
    }
    if (req.action === 'DEACTIVATE') {
      const removed = this.alarms.filter((a) => a.memberId === memberId && (alarm === 'NONE' || a.alarm === alarm));
      this.alarms = this.alarms.filter((a) => !removed.includes(a));
      return { header: this.header(term), alarms: removed };
    }
    return { header: this.header(term), alarms: this.alarms };
  }

  private applyConfChangeEntry(e: Entry): string {
    assert(e.type === 'EntryConfChange', `etcd 3.4 proposes V1 conf changes only (got ${e.type})`);
    const cc = decodeConfChange(e.data);
    const ctx = cc.context !== undefined && cc.context !== '' ? (JSON.parse(cc.context) as ConfChangeContext) : undefined;
    const kind = cc.type as ConfChangeKind;
    let error: RpcError | undefined;
    try {
      this.membership.validate(kind, cc.nodeId, ctx);
    } catch (err) {
      error = toRpcError(err);
    }
    if (error !== undefined) {
      // Refused: still tell Raft, with the node ID zeroed so the change does nothing.
      this.confState = this.rn.applyConfChange({ ...cc, nodeId: 0 });
    } else {
      this.confState = this.rn.applyConfChange(cc);
      this.membership.apply(kind, cc.nodeId, ctx);
      if (kind === 'ConfChangeRemoveNode' && cc.nodeId === this.id) {
        this.removedFlag = true;
        this.log('WARN', 'the member has been permanently removed from the cluster');
        this.out.events.push({ kind: 'removed' });
      }
    }
    if (ctx !== undefined && ctx.requestId !== 0) {
      const w = this.waiters.get(ctx.requestId);
      if (w !== undefined) {
        this.waiters.delete(ctx.requestId);
        if (error !== undefined) this.respondErr(w.origin, error);
        else {
          const body: Record<string, unknown> = { header: this.header(e.term), members: this.membership.list() };
          if (kind === 'ConfChangeAddNode' || kind === 'ConfChangeAddLearnerNode') {
            if (!ctx.isPromote) body['member'] = this.membership.get(cc.nodeId);
          }
          this.respondOk(w.origin, body);
        }
      }
    }
    const verb = { ConfChangeAddNode: ctx?.isPromote ? 'promote' : 'add', ConfChangeAddLearnerNode: 'add learner', ConfChangeRemoveNode: 'remove', ConfChangeUpdateNode: 'update' }[kind];
    return `member ${verb} ${cc.nodeId.toString(16)}${error !== undefined ? ' (refused)' : ''}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Snapshots

  private maybeSnapshot(): void {
    if (this.appliedIndex - this.snapshotIndex <= this.config.snapshotCount) return;
    const payload: SnapshotPayload = {
      kv: this.kv.snapshot(),
      leases: this.lessor.snapshot(),
      members: this.membership.snapshot(),
      clusterVersion: this.clusterVersion,
      alarms: this.alarms,
      published: [],
    };
    const snap = this.raftStorage.createSnapshot(this.appliedIndex, this.confState, JSON.stringify(payload));
    this.snapshotIndex = this.appliedIndex;
    // Keep some entries behind the snapshot so slow followers can catch up from the log.
    let compactTo = 0;
    if (this.appliedIndex > this.config.snapshotCatchUpEntries) {
      compactTo = this.appliedIndex - this.config.snapshotCatchUpEntries;
      if (compactTo >= this.raftStorage.firstIndex()) this.raftStorage.compact(compactTo);
      else compactTo = 0;
    }
    this.log('INFO', `saved snapshot at index ${snap.metadata.index}${compactTo > 0 ? `; compacted raft logs at index ${compactTo}` : ''}`);
    this.out.events.push({ kind: 'snapshot', index: snap.metadata.index, term: snap.metadata.term, compactedTo: compactTo });
    this.pendingSnapshotWrite = { snapshot: snap, compactTo: snap.metadata.index };
  }

  /**
   * etcd's createMergedSnapshotMessage: a MsgSnap carries the leader's state as of its applied
   * index, with its current configuration, rather than the older stored snapshot. A member added
   * after that snapshot was taken is then in the snapshot's ConfState and can restore it.
   */
  private mergedSnapshotMessage(m: Message): Message {
    const payload: SnapshotPayload = {
      kv: this.kv.snapshot(),
      leases: this.lessor.snapshot(),
      members: this.membership.snapshot(),
      clusterVersion: this.clusterVersion,
      alarms: this.alarms,
      published: [],
    };
    this.log('INFO', `sending merged snapshot to ${m.to.toString(16)} at applied index ${this.appliedIndex}`);
    return {
      ...m,
      snapshot: {
        data: JSON.stringify(payload),
        metadata: { index: this.appliedIndex, term: this.appliedTerm, confState: { ...this.confState } },
      },
    };
  }

  private restoreFromSnapshot(s: Snapshot): void {
    const payload = JSON.parse(s.data) as SnapshotPayload;
    this.kv.restoreSnapshot(payload.kv);
    this.lessor.restoreSnapshot(payload.leases);
    for (const { key, lease } of this.kv.leaseAttachments()) {
      if (this.lessor.lookup(lease) !== undefined) this.lessor.attach(lease, [key]);
    }
    this.membership.restoreSnapshot(payload.members);
    this.clusterVersion = payload.clusterVersion;
    this.alarms = payload.alarms;
    this.appliedIndex = s.metadata.index;
    this.appliedTerm = s.metadata.term;
    this.snapshotIndex = s.metadata.index;
    this.confState = s.metadata.confState;
    this.kv.setConsistentIndex(s.metadata.index);
    if (this.membership.isStarted(this.id)) this.publishedSelf = true;
    this.log('INFO', `applied incoming snapshot at index ${s.metadata.index} (revision ${this.kv.currentRevision})`);
    this.out.events.push({ kind: 'restore', index: s.metadata.index, term: s.metadata.term });
  }

  // ---------------------------------------------------------------------------------------------
  // Answers

  private respondOk(origin: Origin, body: unknown): void {
    if (origin.kind === 'client') this.out.responses.push({ clientId: origin.clientId, reqId: origin.reqId, ok: true, body });
    else this.out.messages.push({ kind: 'forwardResp', from: this.id, to: origin.from, fwdId: origin.fwdId, ok: true, body });
  }

  private respondErr(origin: Origin, error: RpcError): void {
    if (origin.kind === 'client') this.out.responses.push({ clientId: origin.clientId, reqId: origin.reqId, ok: false, error });
    else this.out.messages.push({ kind: 'forwardResp', from: this.id, to: origin.from, fwdId: origin.fwdId, ok: false, error });
  }

  private pollWatchStreams(): void {
    if (this.streams.size === 0) return;
    const fields = this.headerFields();
    for (const [key, stream] of this.streams) {
      const slash = key.lastIndexOf('/');
      const clientId = key.slice(0, slash);
      const streamId = Number(key.slice(slash + 1));
      for (const resp of stream.pollResponses(fields)) {
        this.out.responses.push({ clientId, reqId: -1, watch: { streamId, resp: resp as WatchResponse } });
      }
    }
    this.kv.syncVictims();
  }

  /** etcd's parseProposeCtxErr: say why a proposal timed out when it can tell. */
  private timeoutError(startedAt: number): RpcError {
    const prevLeadLost = this.leadElectedAt - 2 * this.config.electionTimeoutMs;
    if (startedAt > prevLeadLost && startedAt < this.leadElectedAt) return Errors.timeoutDueToLeaderFail;
    const lead = this.rn.raft.lead;
    if (lead === this.id) {
      const voters = this.membership.votingMembers();
      if (this.numConnectedSince(startedAt, voters) < Math.floor(voters.length / 2) + 1) return Errors.timeoutDueToConnectionLost;
    } else if (lead !== 0) {
      const since = this.peerActiveSince.get(lead);
      if (since === undefined || since > startedAt) return Errors.timeoutDueToConnectionLost;
    }
    return Errors.timeout;
  }

  private isConnectedFullySince(since: number): boolean {
    const voters = this.membership.votingMembers();
    return this.numConnectedSince(since, voters) === voters.length;
  }

  private numConnectedSince(since: number, members: StoredMember[]): number {
    let n = 0;
    for (const m of members) {
      if (m.id === this.id) {
        n++;
        continue;
      }
      const t = this.peerActiveSince.get(m.id);
      if (t !== undefined && t <= since) n++;
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  isLeader(): boolean {
    return this.rn.raft.state === 'StateLeader';
  }

  status(): MemberStatus {
    const r = this.rn.raft;
    return {
      id: this.id,
      name: this.config.name,
      role: r.state,
      isLearner: r.isLearner,
      term: r.term,
      vote: r.vote,
      lead: r.lead,
      commit: r.raftLog.committed,
      applied: this.appliedIndex,
      firstIndex: r.raftLog.firstIndex(),
      lastIndex: r.raftLog.lastIndex(),
      revision: this.kv.currentRevision,
      compactRevision: this.kv.compactRevision,
      stopped: this.stoppedFlag,
      removed: this.removedFlag,
    };
  }

  /** The Raft node, for the playground's detailed views (progress, log entries). */
  get raftNode(): RawNode {
    return this.rn;
  }

  /** The MVCC store, for read-only views (the keyspace panel, hashes). */
  get store(): WatchableStore {
    return this.kv;
  }

  get leases(): Lessor {
    return this.lessor;
  }

  members(): Member[] {
    return this.membership.list();
  }

  statusResponse(): StatusResponse {
    const errors: string[] = [];
    if (this.rn.raft.lead === 0) errors.push(Errors.noLeader.message);
    for (const a of this.alarms) if (a.memberId === this.id || a.alarm === 'NOSPACE') errors.push(`memberID:${a.memberId} alarm:${a.alarm} `);
    const size = this.backend.sizeBytes();
    return {
      header: this.header(),
      version: ETCD_VERSION,
      dbSize: size,
      dbSizeInUse: size,
      leader: this.rn.raft.lead,
      raftIndex: this.rn.raft.raftLog.committed,
      raftTerm: this.rn.raft.term,
      raftAppliedIndex: this.appliedIndex,
      errors,
      isLearner: this.rn.raft.isLearner,
    };
  }

  private mostCaughtUpVoter(): number | undefined {
    const st = this.rn.status();
    let best: number | undefined;
    let bestMatch = -1;
    for (const [id, pr] of st.progress ?? []) {
      if (id === this.id || pr.isLearner || !this.rn.raft.trk.isVoter(id)) continue;
      if (pr.match > bestMatch) {
        best = id;
        bestMatch = pr.match;
      }
    }
    return best;
  }

  private header(term = this.appliedTerm): ResponseHeader {
    return { clusterId: this.config.clusterId, memberId: this.id, revision: this.kv.currentRevision, raftTerm: term || this.rn.raft.term };
  }

  private headerFields(term = this.rn.raft.term): HeaderFields {
    return { clusterId: this.config.clusterId, memberId: this.id, raftTerm: term };
  }

  private nextRequestId(): number {
    // etcd's reqIDGen: the member's ID in the high bits, then the start time, then a counter, so
    // that a restarted member never reuses an ID still waiting in the log (a waiter matching an
    // older incarnation's entry would answer the wrong request). Here a random tag drawn at start
    // stands in for the time. 10 + 20 + 23 bits, below 2^53.
    this.reqCounter++;
    return ((this.id % 0x400) * 2 ** 20 + this.incarnation) * 2 ** 23 + (this.reqCounter % 2 ** 23);
  }

  private leaseIdFor(): number {
    // Positive, deterministic, and looking like etcd's (member prefix, then a counter).
    return (this.id % 0x7fff) * 2 ** 37 + this.prng.int(2 ** 20) * 2 ** 16 + (++this.reqCounter % 2 ** 16);
  }

  private newMemberId(peerUrls: string[], now: number): number {
    // etcd hashes the peer URLs, the cluster name and the time; here the seeded stream stands
    // in for the time so that runs stay reproducible.
    const h = hashString([...peerUrls].sort().join(',') + `|${this.config.clusterId}|${now}|${this.prng.nextUint32()}`);
    return (h % 0x1fffff) * 2 ** 32 + this.prng.nextUint32() || 1;
  }

  hex(): string {
    return this.id.toString(16);
  }

  private log(level: 'INFO' | 'WARN' | 'ERROR', text: string): void {
    const line = { level, source: 'etcdserver' as const, text };
    this.config.logger?.(line);
    this.out.events.push({ kind: 'log', ...line });
  }
}

/** The operation an InternalRaftRequest carries. */
function requestKind(r: InternalRaftRequest): string {
  for (const k of ['put', 'deleteRange', 'txn', 'compaction', 'leaseGrant', 'leaseRevoke', 'leaseCheckpoint', 'alarm', 'clusterMemberAttrSet', 'clusterVersionSet'] as const) {
    if (r[k] !== undefined) return k;
  }
  return 'unknown';
}

function txnSerializable(r: TxnRequest): boolean {
  const ops = [...r.success, ...r.failure];
  return ops.every((op) => 'requestRange' in op && (op.requestRange as RangeRequest).serializable === true);
}

export type { Message };

/**
 * Receives Raft's log lines for a member. Raft is built before the member, so lines wait here
 * until attach(). A class with a back-reference (no closures), so member state can be checkpointed.
 */
export class MemberLogSink implements Logger {
  private member: EtcdMember | undefined;
  private pending: Array<['DEBUG' | 'INFO' | 'WARN' | 'ERROR', string]> = [];

  attach(member: EtcdMember): void {
    this.member = member;
    for (const [level, text] of this.pending) member.raftLog(level, text);
    this.pending = [];
  }

  log(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', text: string): void {
    if (this.member === undefined) this.pending.push([level, text]);
    else this.member.raftLog(level, text);
  }

  enabled(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'): boolean {
    return level !== 'DEBUG';
  }
}

/** The member seen by its linearizable-read loop. */
export class MemberReadHooks implements ReadIndexHooks {
  constructor(private readonly member: EtcdMember) {}
  sendReadIndex(ctx: string): void {
    this.member.sendReadIndex(ctx);
  }
  appliedIndex(): number {
    return this.member.appliedIndexValue;
  }
  nextId(): number {
    return this.member.newRequestId();
  }
  log(level: 'INFO' | 'WARN', text: string): void {
    this.member.serverLog(level, text);
  }
}

/**
 * Raft's storage after a restart. Raft learns its configuration from the storage's initial state,
 * which MemoryStorage takes from the snapshot; but the member applied entries past the snapshot
 * (up to its consistent index), conf changes among them. This storage reports the configuration
 * the member persisted with its consistent index, so Raft resumes exactly where apply left off.
 */
export class RestartStorage extends MemoryStorage {
  constructor(private readonly confState: ConfState) {
    super();
  }

  override initialState(): { hardState: HardState; confState: ConfState } {
    const { hardState } = super.initialState();
    return {
      hardState,
      confState: {
        voters: [...this.confState.voters],
        learners: [...this.confState.learners],
        votersOutgoing: [...this.confState.votersOutgoing],
        learnersNext: [...this.confState.learnersNext],
        autoLeave: this.confState.autoLeave,
      },
    };
  }
}
