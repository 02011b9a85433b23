// The etcd client (etcd 3.4's clientv3) over the playground's simulated client links: unary calls
// with per-request deadlines in virtual time, etcd's retry policy (reads and other repeatable calls
// retried on Unavailable, 25 ms apart; writes never after they were sent), the balancer that picks
// endpoints round-robin and skips members it cannot reach, watch streams that resume on another
// member from the last revision seen, lease keep-alive streams, and the lock and election recipes.
//
// State that the simulation must reproduce (request IDs, pending calls, their deadlines and
// attempts, the balancer position) is plain data in ClientState; the promise callbacks of the
// caller live beside it, so a checkpoint of the simulation can carry the former without the latter.

import { CLONE_AS, shareOnClone } from '../lib/clone';
import type { RpcError } from '../server/errors';
import type { ClientRequest, ClientRequestBody, ClientResponse } from '../server/requests';
import type {
  CompactionResponse,
  DeleteRangeResponse,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchResponse,
} from '../mvcc/types';
import type {
  AlarmResponse,
  AlarmType,
  DefragmentResponse,
  HashKVResponse,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
  MemberAddResponse,
  MemberListResponse,
  MemberPromoteResponse,
  MemberRemoveResponse,
  MemberUpdateResponse,
  MoveLeaderResponse,
  StatusResponse,
} from '../server/api';
import {
  EtcdError,
  type CampaignResponse,
  type ClientOptions,
  type DeleteOptions,
  type EtcdClient,
  type KeepAliveHandle,
  type LeaderResponse,
  type LockResponse,
  type PutOptions,
  type RangeOptions,
  type RpcAttemptFailure,
  type WatchHandle,
  type WatchOptions,
} from './api';
import { campaignWith, leaderWith, lockWith, observeWith, proclaimWith, resignWith, unlockWith } from './concurrency';

/** What the client needs from the simulation. */
export interface ClientTransport {
  /** Virtual time, ms. */
  now(): number;
  /** Whether a connection to the endpoint can be made now (the member is up). */
  reachable(endpoint: string): boolean;
  /** Sends a request to the member behind `endpoint`; false when the connection is refused. */
  send(endpoint: string, req: ClientRequest): boolean;
  /** Calls client.onTimer(id) at virtual time `at`. */
  /** Schedules onTimer(id) at `at`; returns a handle for cancelTimer. */
  setTimer(clientId: string, at: number, id: number): number;
  /** Takes back a timer that is no longer needed (a call's deadline once it is answered). */
  cancelTimer(handle: number): void;
  /** Waits for a promise, advancing virtual time when nothing else drives it (inline executor). */
  wait<T>(p: Promise<T>): Promise<T>;
  /**
   * Counts a multi-step operation (a recipe) as in progress until it settles: its continuations
   * act on the cluster later, so no checkpoint is taken meanwhile.
   */
  track<T>(p: Promise<T>): Promise<T>;
  /** Records a finished operation for history() and the linearizability checker. */
  record?(op: HistoryOp): void;
}

/** One client operation with its invocation and completion times (virtual ms). */
export interface HistoryOp {
  clientId: string;
  /** 'put' | 'get' | 'delete' | 'txn' | ... */
  op: string;
  key?: string;
  value?: string;
  invokedAt: number;
  returnedAt: number;
  ok: boolean;
  /** What the op observed or did: the value read, the revision written, the error message. */
  result: unknown;
  endpoint: string;
}

/** Retry policy of a call (clientv3's retry interceptor). */
type RetryPolicy = 'repeatable' | 'nonRepeatable';

const REPEATABLE = new Set<ClientRequestBody['type']>([
  'Range',
  'LeaseTimeToLive',
  'LeaseLeases',
  'LeaseGrant',
  'LeaseRevoke',
  'LeaseKeepAlive',
  'MemberList',
  'Alarm',
  'Status',
  'HashKV',
  'MoveLeader',
]);

/** The EtcdClient method behind each request type (for the retry interceptor's log lines). */
const METHOD_OF: Record<ClientRequestBody['type'], string> = {
  Range: 'get',
  Put: 'put',
  DeleteRange: 'delete',
  Txn: 'txn',
  Compact: 'compact',
  LeaseGrant: 'leaseGrant',
  LeaseRevoke: 'leaseRevoke',
  LeaseKeepAlive: 'leaseKeepAliveOnce',
  LeaseTimeToLive: 'leaseTimeToLive',
  LeaseLeases: 'leaseLeases',
  MemberList: 'memberList',
  MemberAdd: 'memberAdd',
  MemberRemove: 'memberRemove',
  MemberUpdate: 'memberUpdate',
  MemberPromote: 'memberPromote',
  Status: 'status',
  HashKV: 'hashKV',
  Alarm: 'alarmList',
  Defragment: 'defragment',
  MoveLeader: 'moveLeader',
  WatchCreate: 'watch',
  WatchCancel: 'watch',
  WatchProgress: 'watch',
  WatchClose: 'watch',
};

/** clientv3's defaultBackoffWaitBetween. */
const BACKOFF_MS = 25;

interface PendingCall {
  reqId: number;
  body: ClientRequestBody;
  policy: RetryPolicy;
  deadline: number;
  attempt: number;
  /** The endpoint of the attempt in flight ('' while waiting for a connection or a backoff). */
  endpoint: string;
  /** A fixed endpoint (maintenance calls address one member). */
  pinned?: string;
  /** Waiting for a retry or for a connection. */
  waitingUntil: number;
  lastError: RpcError | undefined;
  /** For history(). */
  invokedAt: number;
  /** A renewal of a keep-alive stream (handled here, not by a caller's promise). */
  keepAliveFor?: number;
  /** The deadline timer: its ID here and the transport's handle (cancelled once answered). */
  deadlineTimer?: [number, number];
}

interface StreamState {
  streamId: number;
  endpoint: string;
  /** The server's watch ID for this watch on the current stream (-1 while (re)creating). */
  watchId: number;
  req: WatchCreateRequest;
  /** Revision of the last event delivered, to resume after a reconnect. */
  lastRev: number;
  canceled: boolean;
}

/** Plain-data protocol state of a client. */
export interface ClientState {
  clientId: string;
  endpoints: string[];
  requestTimeoutMs: number;
  dialTimeoutMs: number;
  /** Next endpoint for the round-robin balancer. */
  rr: number;
  nextReqId: number;
  nextTimerId: number;
  nextStreamId: number;
  pending: Map<number, PendingCall>;
  timers: Map<number, { kind: 'retry' | 'deadline' | 'keepalive' | 'reconnect'; ref: number }>;
  streams: Map<number, StreamState>;
  closed: boolean;
}

type Settle = { resolve: (v: unknown) => void; reject: (e: EtcdError) => void };

/** Callbacks of a checkpoint's copy: nobody is there to call back. */
function ignore(): void {}
shareOnClone(ignore);
const IGNORED: Settle = { resolve: ignore, reject: ignore };

let clientCounter = 0;

export class Client implements EtcdClient {
  readonly state: ClientState;
  private readonly settles = new Map<number, Settle>();
  private readonly watchCallbacks = new Map<number, { onResponse: (r: WatchResponse) => void; done: Settle }>();
  private readonly keepAlives = new Map<number, { id: number; ttl: number; nextAt: number; onResponse: (r: LeaseKeepAliveResponse) => void; done: Settle; deadline: number }>();
  private readonly onAttemptFailed: ((f: RpcAttemptFailure) => void) | undefined;

  constructor(
    private readonly transport: ClientTransport,
    opts: ClientOptions & { clientId?: string },
  ) {
    const endpoints = opts.endpoints ?? [];
    if (endpoints.length === 0) throw new EtcdError('InvalidArgument', 'etcdclient: no available endpoints', true);
    this.state = {
      clientId: opts.clientId ?? `client-${++clientCounter}`,
      endpoints: [...endpoints],
      requestTimeoutMs: opts.requestTimeoutMs ?? 5000,
      dialTimeoutMs: opts.dialTimeoutMs ?? 2000,
      rr: 0,
      nextReqId: 1,
      nextTimerId: 1,
      nextStreamId: 1,
      pending: new Map(),
      timers: new Map(),
      streams: new Map(),
      closed: false,
    };
    this.onAttemptFailed = opts.onAttemptFailed;
    this.autoAdvance = opts.autoAdvance ?? true;
  }

  private readonly autoAdvance: boolean;

  /**
   * What a checkpoint copies: the client's state without its callers (their promises and
   * callbacks stay with the original). Streams and keep-alives go on, calling back no one.
   */
  [CLONE_AS](): Client {
    const copy = Object.assign(Object.create(Client.prototype) as Client, this) as unknown as Record<string, unknown>;
    copy['settles'] = new Map();
    copy['watchCallbacks'] = new Map([...this.watchCallbacks].map(([k]) => [k, { onResponse: ignore, done: IGNORED }]));
    copy['keepAlives'] = new Map([...this.keepAlives].map(([k, v]) => [k, { ...v, onResponse: ignore, done: IGNORED }]));
    copy['onAttemptFailed'] = undefined;
    return copy as unknown as Client;
  }

  get endpoints(): readonly string[] {
    return this.state.endpoints;
  }

  now(): number {
    return this.transport.now();
  }

  // -------------------------------------------------------------------------------------------
  // Unary calls

  /**
   * One unary call. `background` calls (keep-alive renewals of a running stream) never drive
   * virtual time themselves: only an operation someone awaits does.
   */
  private call<T>(body: ClientRequestBody, opts: { endpoint?: string; timeoutMs?: number; background?: boolean } = {}): Promise<T> {
    if (this.state.closed) return Promise.reject(new EtcdError('Canceled', 'grpc: the client connection is closing', true));
    const call = this.startCall(body, opts);
    const p = new Promise<T>((resolve, reject) => this.settles.set(call.reqId, { resolve: resolve as (v: unknown) => void, reject }));
    call.deadlineTimer = this.timer(call.deadline, 'deadline', call.reqId);
    this.attempt(call);
    return opts.background === true || !this.autoAdvance ? p : this.transport.wait(p);
  }

  private startCall(body: ClientRequestBody, opts: { endpoint?: string; timeoutMs?: number }): PendingCall {
    const s = this.state;
    const reqId = s.nextReqId++;
    const now = this.transport.now();
    const call: PendingCall = {
      reqId,
      body,
      policy: REPEATABLE.has(body.type) ? 'repeatable' : 'nonRepeatable',
      deadline: now + (opts.timeoutMs ?? s.requestTimeoutMs),
      attempt: 0,
      endpoint: '',
      waitingUntil: 0,
      lastError: undefined,
      invokedAt: now,
    };
    if (opts.endpoint !== undefined) call.pinned = opts.endpoint;
    s.pending.set(reqId, call);
    return call;
  }

  /** Picks an endpoint (round-robin over reachable ones) and sends, or waits for a connection. */
  private attempt(call: PendingCall): void {
    const s = this.state;
    const endpoint = call.pinned ?? this.pick();
    if (endpoint === undefined || !this.transport.reachable(endpoint)) {
      // grpc waits for a ready connection until the deadline ("all SubConns are in TransientFailure").
      call.endpoint = '';
      call.waitingUntil = this.transport.now() + BACKOFF_MS * 4;
      call.lastError = { grpcCode: 'Unavailable', message: 'latest balancer error: all SubConns are in TransientFailure' };
      this.timer(call.waitingUntil, 'reconnect', call.reqId);
      return;
    }
    call.endpoint = endpoint;
    const sent = this.transport.send(endpoint, { clientId: s.clientId, reqId: call.reqId, body: call.body });
    if (!sent) {
      call.endpoint = '';
      call.waitingUntil = this.transport.now() + BACKOFF_MS * 4;
      call.lastError = { grpcCode: 'Unavailable', message: 'latest balancer error: all SubConns are in TransientFailure' };
      this.timer(call.waitingUntil, 'reconnect', call.reqId);
    }
  }

  private pick(): string | undefined {
    const s = this.state;
    for (let i = 0; i < s.endpoints.length; i++) {
      const e = s.endpoints[(s.rr + i) % s.endpoints.length]!;
      if (this.transport.reachable(e)) {
        s.rr = (s.rr + i + 1) % s.endpoints.length;
        return e;
      }
    }
    return undefined;
  }

  private timer(at: number, kind: 'retry' | 'deadline' | 'keepalive' | 'reconnect', ref: number): [number, number] {
    const id = this.state.nextTimerId++;
    this.state.timers.set(id, { kind, ref });
    return [id, this.transport.setTimer(this.state.clientId, at, id)];
  }

  /** A call is over: its deadline timer goes (a busy client would otherwise keep thousands). */
  private dropDeadline(call: PendingCall): void {
    if (call.deadlineTimer === undefined) return;
    this.state.timers.delete(call.deadlineTimer[0]);
    this.transport.cancelTimer(call.deadlineTimer[1]);
    call.deadlineTimer = undefined;
  }

  /** A timer set through the transport fired. */
  onTimer(id: number): void {
    const t = this.state.timers.get(id);
    if (t === undefined) return;
    this.state.timers.delete(id);
    const now = this.transport.now();
    if (t.kind === 'keepalive') {
      this.keepAliveTick(t.ref, now);
      return;
    }
    const call = this.state.pending.get(t.ref);
    if (call === undefined) return;
    if (t.kind === 'deadline') {
      if (now >= call.deadline) this.fail(call, new EtcdError('DeadlineExceeded', 'context deadline exceeded', true));
      return;
    }
    // retry / reconnect
    if (call.endpoint === '' && now >= call.waitingUntil && now < call.deadline) this.attempt(call);
  }

  /** A response from a member, or a message on a watch stream. */
  onResponse(r: ClientResponse): void {
    if (r.reqId === -1 && 'watch' in r) {
      this.onWatchResponse(r.watch.streamId, r.watch.resp);
      return;
    }
    const call = this.state.pending.get(r.reqId);
    if (call === undefined) return; // timed out or canceled meanwhile
    if ('ok' in r && r.ok) {
      this.succeed(call, r.body);
      return;
    }
    if ('error' in r) {
      const err = r.error;
      const retry =
        call.policy === 'repeatable'
          ? err.grpcCode === 'Unavailable'
          : // A mutable call is retried only if it never reached a server.
            err.grpcCode === 'Unavailable' && (err.message === 'there is no address available' || err.message === 'there is no connection available');
      if (retry && this.transport.now() + BACKOFF_MS < call.deadline) {
        this.reportAttempt(call, new EtcdError(err.grpcCode, err.message));
        call.attempt++;
        call.lastError = err;
        call.endpoint = '';
        call.waitingUntil = this.transport.now() + BACKOFF_MS;
        this.timer(call.waitingUntil, 'retry', call.reqId);
        return;
      }
      this.fail(call, new EtcdError(err.grpcCode, err.message));
    }
  }

  /** The connection to an endpoint broke (the member went down): fail or retry what was in flight. */
  onDisconnect(endpoint: string): void {
    for (const call of [...this.state.pending.values()]) {
      if (call.endpoint !== endpoint) continue;
      const err: RpcError = { grpcCode: 'Unavailable', message: 'transport is closing' };
      if (call.policy === 'repeatable' && this.transport.now() + BACKOFF_MS < call.deadline) {
        this.reportAttempt(call, new EtcdError(err.grpcCode, err.message));
        call.attempt++;
        call.endpoint = '';
        call.waitingUntil = this.transport.now() + BACKOFF_MS;
        this.timer(call.waitingUntil, 'retry', call.reqId);
      } else {
        this.fail(call, new EtcdError(err.grpcCode, err.message));
      }
    }
    for (const st of this.state.streams.values()) {
      if (st.endpoint === endpoint && !st.canceled) this.resumeStream(st);
    }
  }

  private succeed(call: PendingCall, body: unknown): void {
    this.state.pending.delete(call.reqId);
    this.dropDeadline(call);
    this.recordHistory(call, true, body);
    if (call.keepAliveFor !== undefined) {
      this.keepAliveRenewed(call.keepAliveFor, body as LeaseKeepAliveResponse);
      return;
    }
    const s = this.settles.get(call.reqId);
    this.settles.delete(call.reqId);
    s?.resolve(body);
  }

  private fail(call: PendingCall, err: EtcdError): void {
    this.state.pending.delete(call.reqId);
    this.dropDeadline(call);
    // The failed last attempt is logged too; a deadline while no connection was ready reports the
    // balancer's error as grpc does ("latest balancer error: ...").
    const desc = err.code === 'DeadlineExceeded' && call.endpoint === '' && call.lastError !== undefined ? call.lastError.message : undefined;
    this.reportAttempt(call, err, desc);
    this.recordHistory(call, false, err.message);
    if (call.keepAliveFor !== undefined) {
      this.keepAliveFailed(call.keepAliveFor, err);
      return;
    }
    const s = this.settles.get(call.reqId);
    this.settles.delete(call.reqId);
    s?.reject(err);
  }

  private reportAttempt(call: PendingCall, error: EtcdError, desc?: string): void {
    if (this.onAttemptFailed === undefined) return;
    const f: RpcAttemptFailure = {
      method: METHOD_OF[call.body.type],
      endpoint: call.endpoint || call.pinned || this.state.endpoints[this.state.rr % this.state.endpoints.length]!,
      attempt: call.attempt,
      error,
    };
    if (desc !== undefined) f.desc = desc;
    this.onAttemptFailed(f);
  }

  private recordHistory(call: PendingCall, ok: boolean, result: unknown): void {
    if (this.transport.record === undefined) return;
    const b = call.body;
    const op: HistoryOp = {
      clientId: this.state.clientId,
      op: b.type,
      invokedAt: call.invokedAt,
      returnedAt: this.transport.now(),
      ok,
      result,
      endpoint: call.endpoint,
    };
    if (b.type === 'Put') {
      op.key = b.req.key;
      op.value = b.req.value;
    } else if (b.type === 'Range' || b.type === 'DeleteRange') {
      op.key = b.req.key;
    }
    this.transport.record(op);
  }

  // -------------------------------------------------------------------------------------------
  // KV

  get(key: string, opts: RangeOptions = {}): Promise<RangeResponse> {
    const req: RangeRequest = { key };
    const end = rangeEndOf(key, opts);
    if (end !== undefined) req.rangeEnd = end;
    if (opts.limit !== undefined) req.limit = opts.limit;
    if (opts.revision !== undefined) req.revision = opts.revision;
    if (opts.sortOrder !== undefined) req.sortOrder = opts.sortOrder;
    if (opts.sortTarget !== undefined) req.sortTarget = opts.sortTarget;
    if (opts.serializable) req.serializable = true;
    if (opts.keysOnly) req.keysOnly = true;
    if (opts.countOnly) req.countOnly = true;
    if (opts.minModRevision !== undefined) req.minModRevision = opts.minModRevision;
    if (opts.maxModRevision !== undefined) req.maxModRevision = opts.maxModRevision;
    if (opts.minCreateRevision !== undefined) req.minCreateRevision = opts.minCreateRevision;
    if (opts.maxCreateRevision !== undefined) req.maxCreateRevision = opts.maxCreateRevision;
    return this.call({ type: 'Range', req });
  }

  put(key: string, value: string, opts: PutOptions = {}): Promise<PutResponse> {
    return this.call({ type: 'Put', req: { key, value, ...opts } });
  }

  delete(key: string, opts: DeleteOptions = {}): Promise<DeleteRangeResponse> {
    const end = rangeEndOf(key, opts);
    const req: { key: string; rangeEnd?: string; prevKv?: boolean } = { key };
    if (end !== undefined) req.rangeEnd = end;
    if (opts.prevKv) req.prevKv = true;
    return this.call({ type: 'DeleteRange', req });
  }

  txn(req: TxnRequest): Promise<TxnResponse> {
    return this.call({ type: 'Txn', req });
  }

  compact(revision: number, opts: { physical?: boolean } = {}): Promise<CompactionResponse> {
    return this.call({ type: 'Compact', req: { revision, physical: opts.physical ?? false } });
  }

  // -------------------------------------------------------------------------------------------
  // Watch

  watch(key: string, opts: WatchOptions, onResponse: (r: WatchResponse) => void): WatchHandle {
    const s = this.state;
    const streamId = s.nextStreamId++;
    const req: WatchCreateRequest = { key };
    const end = rangeEndOf(key, opts);
    if (end !== undefined) req.rangeEnd = end;
    if (opts.startRevision !== undefined && opts.startRevision !== 0) req.startRevision = opts.startRevision;
    if (opts.prevKv) req.prevKv = true;
    if (opts.filters !== undefined) req.filters = [...opts.filters];
    if (opts.progressNotify) req.progressNotify = true;
    const st: StreamState = { streamId, endpoint: '', watchId: -1, req, lastRev: 0, canceled: false };
    s.streams.set(streamId, st);
    let settle!: Settle;
    const done = new Promise<void>((resolve, reject) => {
      settle = { resolve: resolve as (v: unknown) => void, reject };
    });
    this.watchCallbacks.set(streamId, { onResponse, done: settle });
    this.openStream(st);
    const handle: WatchHandle & { streamId: number } = {
      cancel: () => this.cancelWatch(streamId),
      requestProgress: () => this.requestProgress(streamId),
      done,
      streamId,
    };
    opts.signal?.addEventListener('abort', () => handle.cancel(), { once: true });
    return handle;
  }

  private openStream(st: StreamState): void {
    const endpoint = this.pick();
    if (endpoint === undefined) {
      st.endpoint = '';
      // Keep trying: clientv3 waits for a connection.
      this.timer(this.transport.now() + 100, 'reconnect', -st.streamId);
      return;
    }
    st.endpoint = endpoint;
    st.watchId = -1;
    const req: WatchCreateRequest = { ...st.req };
    // Resume after the last event seen, so nothing is lost or repeated across members.
    if (st.lastRev > 0) req.startRevision = st.lastRev + 1;
    this.transport.send(endpoint, { clientId: this.state.clientId, reqId: 0, body: { type: 'WatchCreate', streamId: st.streamId, req } });
  }

  private resumeStream(st: StreamState): void {
    st.endpoint = '';
    st.watchId = -1;
    this.timer(this.transport.now() + BACKOFF_MS, 'reconnect', -st.streamId);
  }

  private onWatchResponse(streamId: number, resp: WatchResponse): void {
    const st = this.state.streams.get(streamId);
    const cb = this.watchCallbacks.get(streamId);
    if (st === undefined || cb === undefined || st.canceled) return;
    if (resp.created && st.watchId === -1) st.watchId = resp.watchId;
    if (resp.compactRevision !== 0 || (resp.canceled && !resp.created) || (resp.created && resp.canceled)) {
      cb.onResponse(resp);
      st.canceled = true;
      this.state.streams.delete(streamId);
      this.watchCallbacks.delete(streamId);
      if (st.endpoint !== '') {
        this.transport.send(st.endpoint, { clientId: this.state.clientId, reqId: 0, body: { type: 'WatchClose', streamId } });
      }
      const reason = resp.compactRevision !== 0 ? 'etcdserver: mvcc: required revision has been compacted' : resp.cancelReason || 'etcdserver: watch canceled';
      cb.done.reject(new EtcdError(resp.compactRevision !== 0 ? 'OutOfRange' : 'Canceled', reason));
      return;
    }
    if (resp.events.length > 0) st.lastRev = resp.events[resp.events.length - 1]!.kv.modRevision;
    cb.onResponse(resp);
  }

  /** Asks the member serving a watch stream for a progress notification. */
  requestProgress(streamId: number): void {
    const cur = this.state.streams.get(streamId);
    if (cur !== undefined && cur.endpoint !== '') {
      this.transport.send(cur.endpoint, { clientId: this.state.clientId, reqId: 0, body: { type: 'WatchProgress', streamId } });
    }
  }

  /** Cancels a watch stream by its ID (WatchHandle.streamId). */
  cancelWatch(streamId: number): void {
    const st = this.state.streams.get(streamId);
    const cb = this.watchCallbacks.get(streamId);
    if (st === undefined) return;
    st.canceled = true;
    this.state.streams.delete(streamId);
    this.watchCallbacks.delete(streamId);
    if (st.endpoint !== '') {
      this.transport.send(st.endpoint, { clientId: this.state.clientId, reqId: 0, body: { type: 'WatchClose', streamId } });
    }
    cb?.done.resolve(undefined);
  }

  /** Timers for streams use negative refs (see openStream). */
  private onStreamTimer(streamId: number): void {
    const st = this.state.streams.get(streamId);
    if (st !== undefined && !st.canceled && st.endpoint === '') this.openStream(st);
  }

  // -------------------------------------------------------------------------------------------
  // Lease

  leaseGrant(ttlSeconds: number, opts: { id?: number } = {}): Promise<LeaseGrantResponse> {
    return this.call({ type: 'LeaseGrant', req: { ttl: ttlSeconds, id: opts.id ?? 0 } });
  }

  leaseRevoke(id: number): Promise<LeaseRevokeResponse> {
    return this.call({ type: 'LeaseRevoke', req: { id } });
  }

  async leaseKeepAliveOnce(id: number): Promise<LeaseKeepAliveResponse> {
    const r = await this.call<LeaseKeepAliveResponse>({ type: 'LeaseKeepAlive', req: { id } });
    // clientv3: a TTL <= 0 means the lease is gone.
    if (r.ttl <= 0) throw new EtcdError('NotFound', 'etcdserver: requested lease not found');
    return r;
  }

  leaseKeepAlive(id: number, onResponse: (r: LeaseKeepAliveResponse) => void, opts: { signal?: AbortSignal } = {}): KeepAliveHandle {
    let settle!: Settle;
    const done = new Promise<void>((resolve, reject) => {
      settle = { resolve: resolve as (v: unknown) => void, reject };
    });
    const now = this.transport.now();
    // clientv3 renews every TTL/3 and gives up when no renewal succeeded by the deadline.
    this.keepAlives.set(id, { id, ttl: 0, nextAt: now, onResponse, done: settle, deadline: now + this.state.requestTimeoutMs });
    this.keepAliveTick(id, now);
    const handle: KeepAliveHandle = {
      cancel: () => this.cancelKeepAlive(id),
      done,
    };
    opts.signal?.addEventListener('abort', () => handle.cancel(), { once: true });
    return handle;
  }

  /** Stops the keep-alive stream of a lease. */
  cancelKeepAlive(id: number): void {
    const ka = this.keepAlives.get(id);
    this.keepAlives.delete(id);
    ka?.done.resolve(undefined);
  }

  private keepAliveTick(id: number, now: number): void {
    if (id < 0) {
      this.onStreamTimer(-id);
      return;
    }
    const ka = this.keepAlives.get(id);
    if (ka === undefined || this.state.closed) return;
    // The renewal's answer comes back to keepAliveRenewed/keepAliveFailed: plain data, no promise,
    // so a checkpoint of the simulation carries a running keep-alive stream.
    const call = this.startCall({ type: 'LeaseKeepAlive', req: { id } }, {});
    call.keepAliveFor = id;
    call.deadlineTimer = this.timer(call.deadline, 'deadline', call.reqId);
    this.attempt(call);
    void now;
  }

  private keepAliveRenewed(id: number, r: LeaseKeepAliveResponse): void {
    const cur = this.keepAlives.get(id);
    if (cur === undefined) return;
    if (r.ttl <= 0) {
      this.keepAlives.delete(id);
      cur.done.reject(new EtcdError('NotFound', 'lease expired or revoked'));
      return;
    }
    cur.ttl = r.ttl;
    cur.deadline = this.transport.now() + r.ttl * 1000;
    cur.onResponse(r);
    this.timer(this.transport.now() + Math.max(500, Math.floor((r.ttl * 1000) / 3)), 'keepalive', id);
  }

  private keepAliveFailed(id: number, err: EtcdError): void {
    const cur = this.keepAlives.get(id);
    if (cur === undefined) return;
    if (this.transport.now() >= cur.deadline) {
      this.keepAlives.delete(id);
      cur.done.reject(err);
      return;
    }
    this.timer(this.transport.now() + 500, 'keepalive', id);
  }

  leaseTimeToLive(id: number, opts: { keys?: boolean } = {}): Promise<LeaseTimeToLiveResponse> {
    return this.call({ type: 'LeaseTimeToLive', req: { id, keys: opts.keys ?? false } });
  }

  leaseLeases(): Promise<LeaseLeasesResponse> {
    return this.call({ type: 'LeaseLeases' });
  }

  // -------------------------------------------------------------------------------------------
  // Cluster and maintenance

  memberList(opts: { serializable?: boolean } = {}): Promise<MemberListResponse> {
    return this.call({ type: 'MemberList', linearizable: !(opts.serializable ?? true) });
  }

  memberAdd(peerUrls: string[], opts: { learner?: boolean } = {}): Promise<MemberAddResponse> {
    return this.call({ type: 'MemberAdd', req: { peerUrls, isLearner: opts.learner ?? false } });
  }

  memberRemove(id: number): Promise<MemberRemoveResponse> {
    return this.call({ type: 'MemberRemove', req: { id } });
  }

  memberUpdate(id: number, peerUrls: string[]): Promise<MemberUpdateResponse> {
    return this.call({ type: 'MemberUpdate', req: { id, peerUrls } });
  }

  memberPromote(id: number): Promise<MemberPromoteResponse> {
    return this.call({ type: 'MemberPromote', req: { id } });
  }

  status(endpoint: string): Promise<StatusResponse> {
    return this.call({ type: 'Status' }, { endpoint });
  }

  hashKV(endpoint: string, revision: number): Promise<HashKVResponse> {
    return this.call({ type: 'HashKV', revision }, { endpoint });
  }

  alarmList(): Promise<AlarmResponse> {
    return this.call({ type: 'Alarm', req: { action: 'GET', alarm: 'NONE' } });
  }

  alarmDisarm(alarm: { memberId: number; alarm: AlarmType }): Promise<AlarmResponse> {
    return this.call({ type: 'Alarm', req: { action: 'DEACTIVATE', memberId: alarm.memberId, alarm: alarm.alarm } });
  }

  defragment(endpoint: string): Promise<DefragmentResponse> {
    return this.call({ type: 'Defragment' }, { endpoint });
  }

  /** Must reach the leader: etcdctl asks every endpoint's status first and sends it there. */
  moveLeader(targetId: number): Promise<MoveLeaderResponse> {
    return this.transport.track(this.moveLeaderNow(targetId));
  }

  private async moveLeaderNow(targetId: number): Promise<MoveLeaderResponse> {
    let leaderEndpoint: string | undefined;
    for (const e of this.state.endpoints) {
      try {
        const st = await this.status(e);
        if (st.leader === st.header.memberId) leaderEndpoint = e;
      } catch {
        // an unreachable endpoint cannot be the leader we talk to
      }
    }
    return this.call({ type: 'MoveLeader', req: { targetId } }, leaderEndpoint === undefined ? {} : { endpoint: leaderEndpoint });
  }

  // -------------------------------------------------------------------------------------------
  // Concurrency recipes (etcd's concurrency package), built on the calls above.

  lock(name: string, opts: { ttlSeconds?: number; signal?: AbortSignal } = {}): Promise<LockResponse> {
    return this.transport.track(lockWith(this, name, opts));
  }

  unlock(key: string): Promise<{ header: import('../mvcc/types').ResponseHeader }> {
    return this.transport.track(unlockWith(this, key));
  }

  campaign(name: string, value: string, opts: { ttlSeconds?: number; signal?: AbortSignal } = {}): Promise<CampaignResponse> {
    return this.transport.track(campaignWith(this, name, value, opts));
  }

  proclaim(leader: CampaignResponse['leader'], value: string): Promise<{ header: import('../mvcc/types').ResponseHeader }> {
    return this.transport.track(proclaimWith(this, leader, value));
  }

  leader(name: string): Promise<LeaderResponse> {
    return this.transport.track(leaderWith(this, name));
  }

  observe(name: string, onLeader: (r: LeaderResponse) => void, opts: { signal?: AbortSignal } = {}): WatchHandle {
    const h = observeWith(this, name, onLeader, opts);
    void this.transport.track(h.done.catch(() => undefined));
    return h;
  }

  resign(leader: CampaignResponse['leader']): Promise<{ header: import('../mvcc/types').ResponseHeader }> {
    return this.transport.track(resignWith(this, leader));
  }

  close(): void {
    const s = this.state;
    if (s.closed) return;
    s.closed = true;
    for (const st of [...s.streams.values()]) this.cancelWatch(st.streamId);
    for (const ka of this.keepAlives.values()) ka.done.resolve(undefined);
    this.keepAlives.clear();
    for (const call of [...s.pending.values()]) this.fail(call, new EtcdError('Canceled', 'context canceled', true));
  }

  /** Requests still waiting for an answer (for views and tests). */
  get pendingCount(): number {
    return this.state.pending.size;
  }
}

/** The range end of a key with the prefix / from-key options (clientv3's OpOption semantics). */
export function rangeEndOf(key: string, opts: { rangeEnd?: string; prefix?: boolean; fromKey?: boolean }): string | undefined {
  if (opts.rangeEnd !== undefined) return opts.rangeEnd;
  if (opts.prefix) {
    if (key === '') return '\0';
    for (let i = key.length - 1; i >= 0; i--) {
      const c = key.charCodeAt(i);
      if (c < 0xff) return key.slice(0, i) + String.fromCharCode(c + 1);
    }
    return '\0';
  }
  if (opts.fromKey) return '\0';
  return undefined;
}
