// The etcd client API (etcd 3.4's clientv3, as plain TypeScript): what `playground.client()`
// returns, what the etcdctl emulation calls, and what tests and scenarios use. Keys and values are
// byte strings (UTF-8 encoded text). Calls resolve with etcd's response shapes or reject with an
// EtcdError carrying the gRPC code and etcd's message.

import type {
  CompactionResponse,
  DeleteRangeResponse,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchFilter,
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
  ResponseHeader,
  StatusResponse,
} from '../server/api';

import type { GrpcCode } from '../server/errors';

/** gRPC status codes, by name, as etcd's errors carry them (the server's list). */
export type { GrpcCode };

/**
 * An error from the server or the client library. `message` is etcd's text (e.g.
 * "etcdserver: request timed out"); `code` its gRPC code. Client-side failures (no endpoint
 * reachable, the caller's deadline) use `clientSide: true`, as grpc-go reports them without a
 * server status (etcdctl prints "context deadline exceeded").
 */
export class EtcdError extends Error {
  override name = 'EtcdError';
  constructor(
    readonly code: GrpcCode,
    message: string,
    readonly clientSide = false,
  ) {
    super(message);
  }
}

/** A range read's options: etcd's RangeRequest fields, plus clientv3's prefix / from-key. */
export interface RangeOptions extends Omit<RangeRequest, 'key' | 'serializable'> {
  /** Explicit range end (exclusive); "\0" means every key >= key. */
  rangeEnd?: string;
  /** All keys with `key` as prefix (an empty key: all keys). */
  prefix?: boolean;
  /** All keys >= key. */
  fromKey?: boolean;
  /** Served by the member locally, without a ReadIndex round (may be stale). */
  serializable?: boolean;
}

export interface PutOptions {
  lease?: number;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface DeleteOptions {
  rangeEnd?: string;
  prefix?: boolean;
  fromKey?: boolean;
  prevKv?: boolean;
}

export interface WatchOptions {
  rangeEnd?: string;
  prefix?: boolean;
  fromKey?: boolean;
  /** 0 or absent: from the next revision. */
  startRevision?: number;
  prevKv?: boolean;
  filters?: WatchFilter[];
  progressNotify?: boolean;
  /** Stops the watch (like cancelling the context in clientv3). */
  signal?: AbortSignal;
}

/** A running watch: responses arrive through the callback given to watch(). */
export interface WatchHandle {
  /** Cancels the watch; `done` then resolves. */
  cancel(): void;
  /** Asks the server for a progress notification (etcd's RequestProgress). */
  requestProgress(): void;
  /**
   * Resolves when the watch ends by cancel() or the signal; rejects with an EtcdError when the
   * server cancels it (e.g. its start revision was compacted: "etcdserver: mvcc: required
   * revision has been compacted").
   */
  readonly done: Promise<void>;
  /** The client's ID of the stream (Client.cancelWatch / requestProgress take it). */
  readonly streamId?: number;
}

/** A keep-alive stream (etcdctl lease keep-alive): one response per renewal. */
export interface KeepAliveHandle {
  cancel(): void;
  /** Resolves on cancel; rejects when the lease expires or is revoked ("lease expired or revoked"). */
  readonly done: Promise<void>;
}

export interface LockResponse {
  header: ResponseHeader;
  /** The lock's ownership key: name/leaseID (hex). */
  key: string;
  lease: number;
}

export interface CampaignResponse {
  header: ResponseHeader;
  leader: { name: string; key: string; rev: number; lease: number };
}

export interface LeaderResponse {
  header: ResponseHeader;
  kv: { key: string; value: string; createRevision: number; modRevision: number; version: number; lease: number } | undefined;
}

export interface ClientOptions {
  /** Client URLs of the members to talk to, in balancer order. Default: every member. */
  endpoints?: string[];
  /** Per-request timeout in virtual milliseconds (etcdctl's --command-timeout, default 5 s). */
  requestTimeoutMs?: number;
  /** Timeout to connect to an endpoint (etcdctl's --dial-timeout, default 2 s). */
  dialTimeoutMs?: number;
  /**
   * With the inline executor and no real-time driver, awaiting a call moves virtual time until it
   * completes (default true). False for clients whose calls run in the background of a harness
   * that moves time itself.
   */
  autoAdvance?: boolean;
}

/**
 * The etcd client. Requests go to one endpoint at a time; when the client loses that endpoint it
 * moves to the next one round-robin (etcd 3.4's balancer).
 */
export interface EtcdClient {
  readonly endpoints: readonly string[];

  // KV
  get(key: string, opts?: RangeOptions): Promise<RangeResponse>;
  put(key: string, value: string, opts?: PutOptions): Promise<PutResponse>;
  delete(key: string, opts?: DeleteOptions): Promise<DeleteRangeResponse>;
  txn(req: TxnRequest): Promise<TxnResponse>;
  compact(revision: number, opts?: { physical?: boolean }): Promise<CompactionResponse>;

  // Watch
  watch(key: string, opts: WatchOptions, onResponse: (r: WatchResponse) => void): WatchHandle;

  // Lease
  leaseGrant(ttlSeconds: number, opts?: { id?: number }): Promise<LeaseGrantResponse>;
  leaseRevoke(id: number): Promise<LeaseRevokeResponse>;
  leaseKeepAliveOnce(id: number): Promise<LeaseKeepAliveResponse>;
  leaseKeepAlive(id: number, onResponse: (r: LeaseKeepAliveResponse) => void, opts?: { signal?: AbortSignal }): KeepAliveHandle;
  leaseTimeToLive(id: number, opts?: { keys?: boolean }): Promise<LeaseTimeToLiveResponse>;
  leaseLeases(): Promise<LeaseLeasesResponse>;

  // Cluster
  memberList(opts?: { serializable?: boolean }): Promise<MemberListResponse>;
  memberAdd(peerUrls: string[], opts?: { learner?: boolean }): Promise<MemberAddResponse>;
  memberRemove(id: number): Promise<MemberRemoveResponse>;
  memberUpdate(id: number, peerUrls: string[]): Promise<MemberUpdateResponse>;
  memberPromote(id: number): Promise<MemberPromoteResponse>;

  // Maintenance (per endpoint)
  status(endpoint: string): Promise<StatusResponse>;
  hashKV(endpoint: string, revision: number): Promise<HashKVResponse>;
  alarmList(): Promise<AlarmResponse>;
  alarmDisarm(alarm: { memberId: number; alarm: AlarmType }): Promise<AlarmResponse>;
  defragment(endpoint: string): Promise<DefragmentResponse>;
  moveLeader(targetId: number): Promise<MoveLeaderResponse>;

  // Concurrency recipes (etcd's concurrency package): lock and election.
  lock(name: string, opts?: { ttlSeconds?: number; signal?: AbortSignal }): Promise<LockResponse>;
  unlock(key: string): Promise<{ header: ResponseHeader }>;
  campaign(name: string, value: string, opts?: { ttlSeconds?: number; signal?: AbortSignal }): Promise<CampaignResponse>;
  proclaim(leader: CampaignResponse['leader'], value: string): Promise<{ header: ResponseHeader }>;
  leader(name: string): Promise<LeaderResponse>;
  observe(name: string, onLeader: (r: LeaderResponse) => void, opts?: { signal?: AbortSignal }): WatchHandle;
  resign(leader: CampaignResponse['leader']): Promise<{ header: ResponseHeader }>;

  /** Virtual time in ms (for log timestamps), from the simulation's clock. */
  now(): number;
  close(): void;
}

// ---- Additions for the etcdctl emulation (src/client/etcdctl) ----
//
// clientv3's retry interceptor logs every failed attempt of a unary RPC as a zap warn line
// ("retrying of unary invoker failed"), and etcdctl prints those lines on stderr before its
// "Error: …" line (one per attempt when reads are retried on Unavailable). The retries live in the
// client, so the client reports each failed attempt through this hook; etcdctl formats the lines.

/** One failed attempt of a unary RPC, as clientv3's retry interceptor sees it. */
export interface RpcAttemptFailure {
  /** The EtcdClient method that made the call ('get', 'put', 'status', 'memberList', …). */
  method: string;
  /** The endpoint the attempt went to. */
  endpoint: string;
  /** 0 for the first attempt, then 1, 2, … for retries. */
  attempt: number;
  /** The attempt's error. */
  error: EtcdError;
  /**
   * The gRPC status description the interceptor logged, when it differs from `error.message`
   * (e.g. "latest balancer error: all SubConns are in TransientFailure" for an attempt that ends
   * as the client-side "context deadline exceeded").
   */
  desc?: string;
}

export interface ClientOptions {
  /**
   * Called once per failed attempt of a unary RPC (not for watch or keep-alive streams), in
   * order, before the call's promise settles. Optional: a client that never calls it makes
   * etcdctl print a single warn line (attempt 0) built from the final error.
   */
  onAttemptFailed?: (failure: RpcAttemptFailure) => void;
}
