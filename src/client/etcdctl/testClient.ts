// TEST DOUBLE — for unit tests of the etcdctl layer and the concurrency recipes only; the product
// uses the real client (src/client) over the simulated cluster.
//
// An in-process EtcdClient over ONE real WatchableStore (src/mvcc) and ONE real Lessor
// (src/lease): etcd's KV, txn, compaction, watch, lease and hash semantics come from those
// modules, applied with their public functions (applyPut, applyTxn, …, Lessor.grant/renew/…). What
// a cluster adds is faked plainly: a fixed member list with reference-like IDs, a chosen leader, a
// raft term, a status per member, alarms, a round-robin balancer over the client's endpoints (so
// `member_id` varies per request as in etcd), learners that answer only serializable reads and
// status ("etcdserver: rpc not supported for learner" otherwise), and clientv3's retry of reads on
// Unavailable with one onAttemptFailed report per attempt. Time is virtual: nothing moves until a test calls
// advance(ms), which runs timers (keep-alive renewals every TTL/3, retry backoff, request
// deadlines) and the lessor's 500 ms expiry beat in order. Faults are injected per call with
// setFault (an error, or 'hang' until the client's request timeout).

import {
  EtcdError,
  type CampaignResponse,
  type ClientOptions,
  type EtcdClient,
  type KeepAliveHandle,
  type LeaderResponse,
  type LockResponse,
  type RangeOptions,
  type WatchHandle,
  type WatchOptions,
} from '../api';
import {
  campaignWith,
  leaderWith,
  lockWith,
  observeWith,
  prefixEnd,
  proclaimWith,
  resignWith,
  unlockWith,
} from '../concurrency';
import {
  WatchableStore,
  applyCompaction,
  applyDeleteRange,
  applyPut,
  applyRange,
  applyTxn,
  checkDeleteRequest,
  checkPutRequest,
  checkRangeRequest,
  isMvccError,
  validateTxnRequest,
  type LeaseChange,
  type RangeRequest,
  type ResponseHeader,
  type TxnRequest,
  type WatchResponse,
  type WatchStream,
} from '../../mvcc/index';
import { LESSOR_LOOP_INTERVAL_MS, LeaseIdGenerator, Lessor, isLeaseError } from '../../lease/index';
import type { AlarmMember, AlarmType, Member, StatusResponse } from '../../server/api';
import { hostOf } from './errors';

/** A member of the fake cluster. */
export interface TestMember {
  id: number;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/**
 * The reference cluster's members (infra1..3 of the etcd 3.4.23 transcripts) with their IDs' low
 * 10 bits cleared, so that they are exact doubles with the same 16 hex digits' width.
 */
export const REFERENCE_MEMBERS: readonly TestMember[] = [
  { id: 0x73beeb3ef66e4c00, name: 'infra1', peerUrls: ['http://127.0.0.1:12380'], clientUrls: ['http://127.0.0.1:12379'], isLearner: false },
  { id: 0x205748051355d800, name: 'infra2', peerUrls: ['http://127.0.0.1:22380'], clientUrls: ['http://127.0.0.1:22379'], isLearner: false },
  { id: 0x21b3e7a735b3f400, name: 'infra3', peerUrls: ['http://127.0.0.1:32380'], clientUrls: ['http://127.0.0.1:32379'], isLearner: false },
];
/** The reference cluster ID e231b3a8cc97d62b with its low bits cleared (an exact double). */
export const REFERENCE_CLUSTER_ID = 0xe231b3a8cc97d000;

/** A fault for one attempt of one call: an error to return, or 'hang' until the request timeout. */
export type Fault = (call: { method: string; endpoint: string; attempt: number }) => EtcdError | 'hang' | undefined;

export interface TestClusterOptions {
  members?: readonly TestMember[];
  clusterId?: number;
  raftTerm?: number;
  /** Virtual start time (ms since the epoch); default 2026-11-21T18:07:23Z, the reference's day. */
  startMs?: number;
  /** The leader's member ID; default the second member (infra2, as in the reference). */
  leaderId?: number;
}

/** clientv3's defaults for retrying a unary read. */
const MAX_UNARY_ATTEMPTS = 100;
const RETRY_BACKOFF_MS = 25;

const MEMBER_NOT_FOUND = (): EtcdError => new EtcdError('NotFound', 'etcdserver: member not found');

interface Timer {
  at: number;
  seq: number;
  run: () => void;
}

interface WatchEntry {
  stream: WatchStream;
  member: TestMember;
  onResponse: (r: WatchResponse) => void;
  finish: (error?: EtcdError) => void;
}

/** The fake cluster: one store, one lessor, virtual time. */
export class TestCluster {
  readonly store = new WatchableStore();
  readonly lessor = new Lessor();
  readonly members: TestMember[];
  readonly clusterId: number;
  raftTerm: number;
  leaderId: number;
  /** Set to inject failures (see Fault). */
  fault: Fault | undefined;
  /** When true, `member promote` of a learner fails as "not in sync with leader". */
  learnersLagging = false;
  readonly alarms: AlarmMember[] = [];
  /** Per member, status fields that override the defaults (dbSize, raftIndex, …). */
  readonly statusOverrides = new Map<number, Partial<Omit<StatusResponse, 'header'>>>();
  /** Counts applied writes, for the raft index in `status`. */
  raftIndex = 8;

  private nowMs: number;
  private timers: Timer[] = [];
  private timerSeq = 0;
  private readonly watches = new Set<WatchEntry>();
  private readonly idGenerators = new Map<number, LeaseIdGenerator>();
  private clientCount = 0;
  private addedMembers = 0;

  constructor(options: TestClusterOptions = {}) {
    this.members = (options.members ?? REFERENCE_MEMBERS).map((m) => ({ ...m, peerUrls: [...m.peerUrls], clientUrls: [...m.clientUrls] }));
    for (const m of this.members) {
      if (BigInt(m.id) !== BigInt(Math.trunc(m.id))) throw new Error('member IDs must be integers');
    }
    this.clusterId = options.clusterId ?? REFERENCE_CLUSTER_ID;
    this.raftTerm = options.raftTerm ?? 2;
    this.leaderId = options.leaderId ?? this.members[Math.min(1, this.members.length - 1)]!.id;
    this.nowMs = options.startMs ?? Date.UTC(2026, 10, 21, 18, 7, 23);
    this.lessor.promote(this.nowMs, 0);
    const beat = (): void => {
      this.expireLeases();
      this.schedule(LESSOR_LOOP_INTERVAL_MS, beat);
    };
    this.schedule(LESSOR_LOOP_INTERVAL_MS, beat);
  }

  /** Virtual time in ms. */
  now(): number {
    return this.nowMs;
  }

  /** Virtual time as an ISO string, for etcdctl's zap lines. */
  timestamp(): string {
    return new Date(this.nowMs).toISOString();
  }

  /** The members' client URLs without scheme, as ETCDCTL_ENDPOINTS lists them in the reference. */
  endpoints(): string[] {
    return this.members.filter((m) => m.clientUrls.length > 0).map((m) => hostOf(m.clientUrls[0]!));
  }

  /** Runs `run` after `delayMs` of virtual time; returns a cancel function. */
  schedule(delayMs: number, run: () => void): () => void {
    const timer: Timer = { at: this.nowMs + Math.max(0, delayMs), seq: this.timerSeq++, run };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Resolves after `delayMs` of virtual time. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }

  /** Lets every pending promise callback run (no virtual time passes). */
  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }

  /** Moves virtual time forward by `ms`, running due timers in order and settling in between. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    for (;;) {
      await this.settle();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.run();
    }
    this.nowMs = target;
    await this.settle();
  }

  /** Advances in steps of `stepMs` until `promise` settles (at most `maxMs`); returns its value. */
  async runUntilSettled<T>(promise: Promise<T>, { stepMs = 100, maxMs = 60_000 } = {}): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    await this.settle();
    for (let t = 0; !settled && t < maxMs; t += stepMs) await this.advance(stepMs);
    return watched;
  }

  /** A client on `opts.endpoints` (default: every member). */
  createClient(opts: ClientOptions = {}): EtcdClient {
    return new TestClient(this, opts, this.clientCount++);
  }

  /** The member serving an endpoint ("127.0.0.1:12379" or "http://…"), if any. */
  memberAt(endpoint: string): TestMember | undefined {
    const host = hostOf(endpoint);
    return this.members.find((m) => m.clientUrls.some((u) => hostOf(u) === host));
  }

  header(member: TestMember, revision = this.store.currentRevision): ResponseHeader {
    return { clusterId: this.clusterId, memberId: member.id, revision, raftTerm: this.raftTerm };
  }

  /** A sorted copy of the member list, as etcd returns it. */
  memberList(): Member[] {
    return [...this.members].sort((a, b) => (a.id < b.id ? -1 : 1)).map((m) => ({ ...m, peerUrls: [...m.peerUrls], clientUrls: [...m.clientUrls] }));
  }

  /** Grants through the lessor with an ID from the granting member's generator. */
  grantLease(member: TestMember, ttl: number, id = 0): { id: number; ttl: number } {
    let gen = this.idGenerators.get(member.id);
    if (!gen) {
      gen = new LeaseIdGenerator({ memberId: member.id, timestampMs: this.nowMs });
      this.idGenerators.set(member.id, gen);
    }
    const leaseId = id !== 0 ? id : gen.next();
    const info = this.lessor.grant(leaseId, ttl, this.nowMs);
    this.raftIndex++;
    return { id: leaseId, ttl: info.ttl };
  }

  /** Revokes a lease and deletes its keys in one write, as etcd's apply does. */
  revokeLease(id: number): void {
    const keys = this.lessor.revoke(id);
    if (keys.length > 0) {
      const txn = this.store.write();
      for (const key of keys) txn.deleteRange(key, undefined);
      txn.end();
    }
    this.raftIndex++;
    this.pump();
  }

  /** Applies the lease (de)attachments a write reported. */
  applyLeaseChanges(changes: readonly LeaseChange[]): void {
    for (const c of changes) {
      if (c.oldLease !== 0 && this.lessor.lookup(c.oldLease)) this.lessor.detach(c.oldLease, [c.key]);
      if (c.newLease !== 0) this.lessor.attach(c.newLease, [c.key]);
    }
    this.raftIndex++;
  }

  private expireLeases(): void {
    for (const id of this.lessor.findExpired(this.nowMs)) {
      if (this.lessor.lookup(id)) this.revokeLease(id);
    }
  }

  /** Registers a watch and delivers what is already due. */
  addWatch(entry: WatchEntry): void {
    this.watches.add(entry);
    this.pump();
  }

  removeWatch(entry: WatchEntry): void {
    if (this.watches.delete(entry)) entry.stream.close();
  }

  /** Catches watchers up and hands every queued response to its callback, in order. */
  pump(): void {
    for (let i = 0; i < 100 && this.store.syncWatchers() > 0; i++);
    this.store.syncVictims();
    for (const entry of [...this.watches]) {
      const fields = { clusterId: this.clusterId, memberId: entry.member.id, raftTerm: this.raftTerm };
      for (const r of entry.stream.pollResponses(fields)) {
        void Promise.resolve().then(() => entry.onResponse(r));
        if (r.compactRevision !== 0) {
          this.removeWatch(entry);
          entry.finish(new EtcdError('OutOfRange', 'etcdserver: mvcc: required revision has been compacted'));
        } else if (r.canceled && r.watchId === -1) {
          this.removeWatch(entry);
          entry.finish(new EtcdError('FailedPrecondition', r.cancelReason));
        }
      }
    }
  }

  /** A new member for `member add` (deterministic ID, not started: no name, no client URL). */
  addMember(peerUrls: string[], isLearner: boolean): TestMember {
    this.addedMembers++;
    const id = 0x21e5e581f8412000 + this.addedMembers * 0x10000;
    const m: TestMember = { id, name: '', peerUrls, clientUrls: [], isLearner };
    this.members.push(m);
    return m;
  }
}

function toEtcdError(error: unknown): EtcdError {
  if (error instanceof EtcdError) return error;
  if (isMvccError(error) || isLeaseError(error)) return new EtcdError(error.grpcCode, error.grpcMessage);
  throw error;
}

/** What a learner answers itself (etcd 3.4: serializable reads and maintenance status). */
function learnerServes(method: string, serializable: boolean): boolean {
  return (method === 'get' && serializable) || method === 'status' || method === 'hashKV';
}

/** clientv3's retry policy: these calls are retried on Unavailable. */
const REPEATABLE = new Set(['get', 'leaseTimeToLive', 'leaseLeases', 'leaseGrant', 'leaseRevoke', 'memberList', 'status', 'hashKV', 'alarmList']);

/** Builds the RangeRequest clientv3 sends for get(key, opts). */
function rangeRequestFor(key: string, opts: RangeOptions = {}): RangeRequest {
  let k = key;
  let end = opts.rangeEnd;
  if (end === undefined && opts.prefix) {
    if (k === '') {
      k = '\0';
      end = '\0';
    } else end = prefixEnd(k);
  } else if (end === undefined && opts.fromKey) {
    if (k === '') k = '\0';
    end = '\0';
  }
  return {
    key: k,
    rangeEnd: end,
    limit: opts.limit,
    revision: opts.revision,
    sortOrder: opts.sortOrder,
    sortTarget: opts.sortTarget,
    serializable: opts.serializable,
    keysOnly: opts.keysOnly,
    countOnly: opts.countOnly,
    minModRevision: opts.minModRevision,
    maxModRevision: opts.maxModRevision,
    minCreateRevision: opts.minCreateRevision,
    maxCreateRevision: opts.maxCreateRevision,
  };
}

/** The double's client. */
class TestClient implements EtcdClient {
  readonly endpoints: readonly string[];
  private next: number;
  private closed = false;
  private readonly closers = new Set<() => void>();

  constructor(
    private readonly cluster: TestCluster,
    private readonly opts: ClientOptions,
    ordinal: number,
  ) {
    this.endpoints = opts.endpoints && opts.endpoints.length > 0 ? [...opts.endpoints] : cluster.endpoints();
    this.next = ordinal % this.endpoints.length;
  }

  private get timeoutMs(): number {
    return this.opts.requestTimeoutMs ?? 5000;
  }

  private pick(): string {
    const ep = this.endpoints[this.next % this.endpoints.length]!;
    this.next++;
    return ep;
  }

  /** One unary RPC with clientv3's retries and the attempt hook. */
  private async unary<T>(method: string, run: (m: TestMember) => T, endpoint?: string, serializable = false): Promise<T> {
    if (this.closed) throw new EtcdError('Canceled', 'grpc: the client connection is closing', true);
    await Promise.resolve();
    for (let attempt = 0; ; attempt++) {
      const ep = endpoint ?? this.pick();
      const member = this.cluster.memberAt(ep);
      const fault = member ? this.cluster.fault?.({ method, endpoint: ep, attempt }) : 'hang';
      let error: EtcdError;
      if (member?.isLearner && fault === undefined && !learnerServes(method, serializable)) {
        error = new EtcdError('Unavailable', 'etcdserver: rpc not supported for learner');
      } else if (fault === 'hang') {
        await this.cluster.sleep(this.timeoutMs);
        error = new EtcdError('DeadlineExceeded', 'context deadline exceeded', true);
      } else if (fault) {
        error = fault;
      } else {
        try {
          return run(member!);
        } catch (e) {
          error = toEtcdError(e);
        }
      }
      this.opts.onAttemptFailed?.({ method, endpoint: ep, attempt, error });
      if (!REPEATABLE.has(method) || error.code !== 'Unavailable' || attempt + 1 >= MAX_UNARY_ATTEMPTS) throw error;
      await this.cluster.sleep(RETRY_BACKOFF_MS);
    }
  }

  private leaseExists = (id: number): boolean => this.cluster.lessor.lookup(id) !== undefined;

  get(key: string, opts?: RangeOptions) {
    return this.unary(
      'get',
      (m) => {
        const req = rangeRequestFor(key, opts);
        checkRangeRequest(req);
        return applyRange(this.cluster.store, req, { header: this.cluster.header(m) });
      },
      undefined,
      opts?.serializable ?? false,
    );
  }

  put(key: string, value: string, opts: { lease?: number; prevKv?: boolean; ignoreValue?: boolean; ignoreLease?: boolean } = {}) {
    return this.unary('put', (m) => {
      const req = { key, value, ...opts };
      checkPutRequest(req);
      const { response, write } = applyPut(this.cluster.store, req, { header: this.cluster.header(m), leaseExists: this.leaseExists });
      this.cluster.applyLeaseChanges(write?.leaseChanges ?? []);
      this.cluster.pump();
      return response;
    });
  }

  delete(key: string, opts: { rangeEnd?: string; prefix?: boolean; fromKey?: boolean; prevKv?: boolean } = {}) {
    return this.unary('delete', (m) => {
      const r = rangeRequestFor(key, opts);
      const req = { key: r.key, rangeEnd: r.rangeEnd, prevKv: opts.prevKv };
      checkDeleteRequest(req);
      const { response, write } = applyDeleteRange(this.cluster.store, req, { header: this.cluster.header(m) });
      this.cluster.applyLeaseChanges(write?.leaseChanges ?? []);
      this.cluster.pump();
      return response;
    });
  }

  txn(req: TxnRequest) {
    return this.unary('txn', (m) => {
      validateTxnRequest(req);
      const { response, write } = applyTxn(this.cluster.store, req, { header: this.cluster.header(m), leaseExists: this.leaseExists });
      if (write) this.cluster.applyLeaseChanges(write.leaseChanges);
      this.cluster.pump();
      return response;
    });
  }

  compact(revision: number, opts: { physical?: boolean } = {}) {
    void opts;
    return this.unary('compact', (m) => {
      const { response } = applyCompaction(this.cluster.store, { revision }, { header: this.cluster.header(m) });
      this.cluster.raftIndex++;
      this.cluster.pump();
      return response;
    });
  }

  watch(key: string, opts: WatchOptions, onResponse: (r: WatchResponse) => void): WatchHandle {
    const member = this.cluster.memberAt(this.endpoints[0]!) ?? this.cluster.members[0]!;
    const r = rangeRequestFor(key, { rangeEnd: opts.rangeEnd, prefix: opts.prefix, fromKey: opts.fromKey });
    const stream = this.cluster.store.newWatchStream({ nowMs: this.cluster.now() });
    let resolveDone!: () => void;
    let rejectDone!: (e: EtcdError) => void;
    const done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    let finished = false;
    const entry: WatchEntry = {
      stream,
      member,
      onResponse: (resp) => {
        if (!finished || resp.canceled) onResponse(resp);
      },
      finish: (error) => {
        if (finished) return;
        finished = true;
        this.closers.delete(cancel);
        // After the responses already queued for the callback.
        void Promise.resolve().then(() => (error ? rejectDone(error) : resolveDone()));
      },
    };
    const cancel = (): void => {
      this.cluster.removeWatch(entry);
      entry.finish();
    };
    this.closers.add(cancel);
    opts.signal?.addEventListener('abort', cancel, { once: true });
    stream.watch({
      key: r.key,
      rangeEnd: r.rangeEnd,
      startRevision: opts.startRevision,
      prevKv: opts.prevKv,
      progressNotify: opts.progressNotify,
      filters: opts.filters,
    });
    this.cluster.addWatch(entry);
    if (opts.signal?.aborted) cancel();
    return {
      cancel,
      requestProgress: () => {
        stream.requestProgress();
        this.cluster.pump();
      },
      done,
    };
  }

  leaseGrant(ttlSeconds: number, opts: { id?: number } = {}) {
    return this.unary('leaseGrant', (m) => {
      const { id, ttl } = this.cluster.grantLease(m, ttlSeconds, opts.id ?? 0);
      return { header: this.cluster.header(m), id, ttl, error: '' };
    });
  }

  leaseRevoke(id: number) {
    return this.unary('leaseRevoke', (m) => {
      this.cluster.revokeLease(id);
      return { header: this.cluster.header(m) };
    });
  }

  async leaseKeepAliveOnce(id: number) {
    await Promise.resolve();
    const m = this.cluster.memberAt(this.pick()) ?? this.cluster.members[0]!;
    try {
      const { ttl } = this.cluster.lessor.renew(id, this.cluster.now());
      return { header: this.cluster.header(m), id, ttl };
    } catch (e) {
      if (isLeaseError(e)) throw new EtcdError('NotFound', 'etcdserver: requested lease not found');
      throw e;
    }
  }

  leaseKeepAlive(id: number, onResponse: (r: { header: ResponseHeader; id: number; ttl: number }) => void, opts: { signal?: AbortSignal } = {}): KeepAliveHandle {
    let stopped = false;
    let cancelTimer: (() => void) | null = null;
    let resolveDone!: () => void;
    let rejectDone!: (e: EtcdError) => void;
    const done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    const stop = (error?: EtcdError): void => {
      if (stopped) return;
      stopped = true;
      cancelTimer?.();
      this.closers.delete(cancel);
      if (error) rejectDone(error);
      else resolveDone();
    };
    const cancel = (): void => stop();
    const renew = (): void => {
      if (stopped) return;
      const m = this.cluster.memberAt(this.pick()) ?? this.cluster.members[0]!;
      try {
        const { ttl } = this.cluster.lessor.renew(id, this.cluster.now());
        onResponse({ header: this.cluster.header(m), id, ttl });
        cancelTimer = this.cluster.schedule((ttl * 1000) / 3, renew);
      } catch (e) {
        if (!isLeaseError(e)) throw e;
        stop(new EtcdError('NotFound', 'lease expired or revoked', true));
      }
    };
    this.closers.add(cancel);
    opts.signal?.addEventListener('abort', cancel, { once: true });
    void Promise.resolve().then(renew);
    return { cancel, done };
  }

  leaseTimeToLive(id: number, opts: { keys?: boolean } = {}) {
    return this.unary('leaseTimeToLive', (m) => {
      const t = this.cluster.lessor.timeToLive(id, this.cluster.now(), { keys: opts.keys });
      return { header: this.cluster.header(m), id, ttl: t.ttl, grantedTtl: t.grantedTtl, keys: t.keys ?? [] };
    });
  }

  leaseLeases() {
    return this.unary('leaseLeases', (m) => ({ header: this.cluster.header(m), leases: this.cluster.lessor.leases().map((l) => ({ id: l.id })) }));
  }

  private clusterHeader(m: TestMember): ResponseHeader {
    return { clusterId: this.cluster.clusterId, memberId: m.id, revision: 0, raftTerm: this.cluster.raftTerm };
  }

  memberList(_opts?: { serializable?: boolean }) {
    return this.unary('memberList', (m) => ({ header: this.clusterHeader(m), members: this.cluster.memberList() }));
  }

  memberAdd(peerUrls: string[], opts: { learner?: boolean } = {}) {
    return this.unary('memberAdd', (m) => {
      if (this.cluster.members.some((x) => x.peerUrls.some((u) => peerUrls.includes(u)))) {
        throw new EtcdError('FailedPrecondition', 'etcdserver: member ID already exist');
      }
      if (opts.learner && this.cluster.members.some((x) => x.isLearner)) {
        throw new EtcdError('FailedPrecondition', 'etcdserver: too many learner members in cluster');
      }
      const added = this.cluster.addMember(peerUrls, opts.learner ?? false);
      this.cluster.raftIndex++;
      return { header: this.clusterHeader(m), member: { ...added }, members: this.cluster.memberList() };
    });
  }

  memberRemove(id: number) {
    return this.unary('memberRemove', (m) => {
      const i = this.cluster.members.findIndex((x) => x.id === id);
      if (i < 0) throw MEMBER_NOT_FOUND();
      this.cluster.members.splice(i, 1);
      this.cluster.raftIndex++;
      return { header: this.clusterHeader(m), members: this.cluster.memberList() };
    });
  }

  memberUpdate(id: number, peerUrls: string[]) {
    return this.unary('memberUpdate', (m) => {
      const target = this.cluster.members.find((x) => x.id === id);
      if (!target) throw MEMBER_NOT_FOUND();
      target.peerUrls = [...peerUrls];
      this.cluster.raftIndex++;
      return { header: this.clusterHeader(m), members: this.cluster.memberList() };
    });
  }

  memberPromote(id: number) {
    return this.unary('memberPromote', (m) => {
      const target = this.cluster.members.find((x) => x.id === id);
      if (!target) throw MEMBER_NOT_FOUND();
      if (!target.isLearner) throw new EtcdError('FailedPrecondition', 'etcdserver: can only promote a learner member');
      if (this.cluster.learnersLagging) {
        throw new EtcdError('FailedPrecondition', 'etcdserver: can only promote a learner member which is in sync with leader');
      }
      target.isLearner = false;
      this.cluster.raftIndex++;
      return { header: this.clusterHeader(m), members: this.cluster.memberList() };
    });
  }

  status(endpoint: string) {
    return this.unary(
      'status',
      (m) => {
        const overrides = this.cluster.statusOverrides.get(m.id) ?? {};
        const errors = this.cluster.alarms.map((a) => `memberID:${BigInt(a.memberId)} alarm:${a.alarm} `);
        return {
          header: this.cluster.header(m),
          version: '3.4.23',
          dbSize: 20480,
          dbSizeInUse: 16384,
          leader: this.cluster.leaderId,
          raftIndex: this.cluster.raftIndex,
          raftTerm: this.cluster.raftTerm,
          raftAppliedIndex: this.cluster.raftIndex,
          errors,
          isLearner: m.isLearner,
          ...overrides,
        };
      },
      endpoint,
    );
  }

  hashKV(endpoint: string, revision: number) {
    return this.unary(
      'hashKV',
      (m) => {
        const h = this.cluster.store.hashKV(revision);
        return { header: this.cluster.header(m, h.revision), hash: h.hash, compactRevision: h.compactRevision };
      },
      endpoint,
    );
  }

  alarmList() {
    return this.unary('alarmList', (m) => ({ header: this.cluster.header(m), alarms: this.cluster.alarms.map((a) => ({ ...a })) }));
  }

  alarmDisarm(alarm: { memberId: number; alarm: AlarmType }) {
    return this.unary('alarmDisarm', (m) => {
      const i = this.cluster.alarms.findIndex((a) => a.memberId === alarm.memberId && a.alarm === alarm.alarm);
      const removed = i >= 0 ? this.cluster.alarms.splice(i, 1) : [];
      return { header: this.cluster.header(m), alarms: removed };
    });
  }

  defragment(endpoint: string) {
    return this.unary('defragment', (m) => ({ header: this.cluster.header(m) }), endpoint);
  }

  moveLeader(targetId: number) {
    return this.unary('moveLeader', (m) => {
      if (m.id !== this.cluster.leaderId) throw new EtcdError('FailedPrecondition', 'etcdserver: not leader');
      const target = this.cluster.members.find((x) => x.id === targetId);
      if (!target || target.isLearner) throw new EtcdError('FailedPrecondition', 'etcdserver: bad leader transferee');
      if (targetId !== this.cluster.leaderId) {
        this.cluster.leaderId = targetId;
        this.cluster.raftTerm++;
      }
      return { header: this.cluster.header(m) };
    }, this.endpoints[0]);
  }

  lock(name: string, opts?: { ttlSeconds?: number; signal?: AbortSignal }): Promise<LockResponse> {
    return lockWith(this, name, opts);
  }

  unlock(key: string) {
    return unlockWith(this, key);
  }

  campaign(name: string, value: string, opts?: { ttlSeconds?: number; signal?: AbortSignal }): Promise<CampaignResponse> {
    return campaignWith(this, name, value, opts);
  }

  proclaim(leader: CampaignResponse['leader'], value: string) {
    return proclaimWith(this, leader, value);
  }

  leader(name: string): Promise<LeaderResponse> {
    return leaderWith(this, name);
  }

  observe(name: string, onLeader: (r: LeaderResponse) => void, opts?: { signal?: AbortSignal }): WatchHandle {
    return observeWith(this, name, onLeader, opts);
  }

  resign(leader: CampaignResponse['leader']) {
    return resignWith(this, leader);
  }

  now(): number {
    return this.cluster.now();
  }

  close(): void {
    this.closed = true;
    for (const close of [...this.closers]) close();
  }
}

/** An EtcdctlEnv over a TestCluster: its endpoints, its virtual clock, counted UUIDs. */
export function testEnv(
  cluster: TestCluster,
  extras: { stdin?: string; signal?: AbortSignal; onOutput?: (c: { stream: 'stdout' | 'stderr'; text: string }) => void } = {},
): {
  createClient: (opts: ClientOptions) => EtcdClient;
  allEndpoints: string[];
  timestamp: () => string;
  clientUuid: () => string;
  stdin?: string;
  signal?: AbortSignal;
  onOutput?: (c: { stream: 'stdout' | 'stderr'; text: string }) => void;
} {
  let n = 0;
  return {
    createClient: (opts) => cluster.createClient(opts),
    allEndpoints: cluster.endpoints(),
    timestamp: () => cluster.timestamp(),
    clientUuid: () => `00000000-0000-4000-8000-${(n++).toString(16).padStart(12, '0')}`,
    ...extras,
  };
}
