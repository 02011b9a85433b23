// etcd's concurrency recipes (clientv3/concurrency in etcd 3.4) over the client's KV, lease and
// watch calls only: Session (a lease kept alive), Mutex (lock) and Election (campaign, proclaim,
// resign, leader, observe), plus `lockWith`, `unlockWith`, `campaignWith`, … that implement
// EtcdClient's lock/election methods, so the real client can delegate to them and etcdctl's
// `lock` and `elect` behave as etcd's do.
//
// Key layout, as etcd's: a lock or election `name` owns the prefix "name/"; each contender puts
// "name/<lease ID in hex>" attached to its session lease (empty value for a lock, the proposal for
// an election). Contenders are ordered by create revision. Example, lock "jobs":
//
//   rev 40  put jobs/4c47…25  (A: no key below it → A holds the lock)
//   rev 41  put jobs/5a0b…21  (B: waits for the deletion of the last key created before rev 41)
//   rev 42  del jobs/4c47…25  (A unlocks; B's watch sees the DELETE, B re-checks and holds it)
//
// A waiter watches only its predecessor (the key with the highest create revision below its own,
// etcd's waitDeletes), so a release wakes one waiter, not all of them.
//
// Cancellation: an AbortSignal plays the part of Go's context. A lock or campaign aborted while
// waiting removes its own key and rejects with ContextCanceledError ("context canceled").

import {
  EtcdError,
  type CampaignResponse,
  type EtcdClient,
  type KeepAliveHandle,
  type LeaderResponse,
  type LockResponse,
  type RangeOptions,
  type WatchHandle,
} from './api';
import type { Compare, KeyValue, RangeRequest, RangeResponse, ResponseHeader, ResponseOp, WatchResponse } from '../mvcc/types';

/** The client calls the recipes use (a subset of EtcdClient). */
export type ConcurrencyClient = Pick<EtcdClient, 'get' | 'delete' | 'txn' | 'watch' | 'leaseGrant' | 'leaseRevoke' | 'leaseKeepAlive'>;

/** etcd's default session TTL (concurrency.defaultSessionTTL), in seconds. */
export const DEFAULT_SESSION_TTL_SECONDS = 60;

/** Go's context.Canceled, as a waiting lock or campaign reports a cancellation. */
export class ContextCanceledError extends Error {
  override name = 'ContextCanceledError';
  constructor() {
    super('context canceled');
  }
}

/** concurrency.ErrElectionNotLeader, as the v3election service reports it. */
export const electionNotLeader = (): EtcdError => new EtcdError('FailedPrecondition', 'election: not leader');
/** concurrency.ErrElectionNoLeader, as the v3election service reports it. */
export const electionNoLeader = (): EtcdError => new EtcdError('NotFound', 'election: no leader');

/** A lease ID as etcd writes it into keys (Go's %x of an int64). */
export function leaseHex(id: number): string {
  const b = BigInt(id);
  return b < 0n ? '-' + (-b).toString(16) : b.toString(16);
}

/** clientv3's prefix range end over a byte string: the last byte below 0xff incremented. */
export function prefixEnd(key: string): string {
  for (let i = key.length - 1; i >= 0; i--) {
    const c = key.charCodeAt(i);
    if (c < 0xff) return key.slice(0, i) + String.fromCharCode(c + 1);
  }
  return '\0';
}

function rangeOf(op: ResponseOp | undefined): RangeResponse {
  if (!op || !('responseRange' in op)) throw new Error('expected a range response in the txn');
  return op.responseRange;
}

/** clientv3.WithFirstCreate / WithLastCreate: the oldest (newest) key under a prefix. */
function topByCreate(pfx: string, order: 'ASCEND' | 'DESCEND'): RangeRequest {
  return { key: pfx, ...topByCreateOptions(pfx, order) };
}

function topByCreateOptions(pfx: string, order: 'ASCEND' | 'DESCEND'): RangeOptions {
  return { rangeEnd: prefixEnd(pfx), sortTarget: 'CREATE', sortOrder: order, limit: 1 };
}

function createIs(key: string, rev: number): Compare {
  return { target: 'CREATE', result: 'EQUAL', key, createRevision: rev };
}

/** An AbortSignal that aborts when any of the given ones does. */
function linkedSignal(...signals: (AbortSignal | undefined)[]): AbortController {
  const ac = new AbortController();
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) ac.abort();
    else s.addEventListener('abort', () => ac.abort(), { once: true });
  }
  return ac;
}

/**
 * Resolves when `key` is deleted at or after `rev` (etcd's waitDelete). Rejects with
 * ContextCanceledError when `signal` aborts, with the server's error when the watch is cancelled
 * (e.g. compacted), and with "lost watcher waiting for delete" when the watch ends otherwise.
 */
function waitDelete(client: ConcurrencyClient, key: string, rev: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const ac = linkedSignal(signal);
    let deleted = false;
    let handle: WatchHandle | null = null;
    const onResponse = (r: WatchResponse): void => {
      if (deleted || !r.events.some((e) => e.type === 'DELETE')) return;
      deleted = true;
      ac.abort();
      handle?.cancel();
      resolve();
    };
    handle = client.watch(key, { startRevision: rev, signal: ac.signal }, onResponse);
    if (deleted) handle.cancel();
    handle.done.then(
      () => {
        if (deleted) return;
        if (signal?.aborted) reject(new ContextCanceledError());
        else reject(new Error('lost watcher waiting for delete'));
      },
      (error: unknown) => {
        if (deleted) return;
        reject(signal?.aborted ? new ContextCanceledError() : error);
      },
    );
  });
}

/**
 * Waits until no key under `pfx` created at or below `maxCreateRev` remains (etcd's waitDeletes):
 * repeatedly watches the newest such key until it is deleted. Returns the last range's header.
 */
export async function waitDeletes(
  client: ConcurrencyClient,
  pfx: string,
  maxCreateRev: number,
  signal?: AbortSignal,
): Promise<ResponseHeader> {
  for (;;) {
    if (signal?.aborted) throw new ContextCanceledError();
    const resp = await client.get(pfx, { ...topByCreateOptions(pfx, 'DESCEND'), maxCreateRevision: maxCreateRev });
    const last = resp.kvs[0];
    if (!last) return resp.header;
    await waitDelete(client, last.key, resp.header.revision, signal);
  }
}

export interface SessionOptions {
  /** The lease TTL in seconds (default 60); values below 1 keep the default, as etcd's WithTTL. */
  ttlSeconds?: number;
  /** Use this existing lease instead of granting one (still kept alive). */
  leaseId?: number;
}

/**
 * A lease kept alive for as long as the session lives (etcd's concurrency.Session). `done`
 * resolves when the keep-alive stops: the lease expired or was revoked, or the session was
 * orphaned or closed.
 */
export class Session {
  private closed = false;
  private finished = false;
  readonly done: Promise<void>;

  private constructor(
    readonly client: ConcurrencyClient,
    readonly leaseId: number,
    readonly ttlSeconds: number,
    private readonly keepAlive: KeepAliveHandle,
  ) {
    this.done = keepAlive.done.then(
      () => {
        this.finished = true;
      },
      () => {
        this.finished = true;
      },
    );
  }

  /** Grants a lease (unless one is given) and starts keeping it alive. */
  static async create(client: ConcurrencyClient, opts: SessionOptions = {}): Promise<Session> {
    const ttl = opts.ttlSeconds !== undefined && opts.ttlSeconds > 0 ? opts.ttlSeconds : DEFAULT_SESSION_TTL_SECONDS;
    let id = opts.leaseId ?? 0;
    if (id === 0) id = (await client.leaseGrant(ttl)).id;
    const keepAlive = client.leaseKeepAlive(id, () => {});
    return new Session(client, id, ttl, keepAlive);
  }

  /** True once the keep-alive has stopped. */
  isDone(): boolean {
    return this.finished;
  }

  /** Stops the keep-alive without revoking: the lease expires after its TTL (etcd's Orphan). */
  orphan(): void {
    if (this.closed) return;
    this.closed = true;
    this.keepAlive.cancel();
  }

  /** Stops the keep-alive and revokes the lease, which deletes every key attached to it. */
  async close(): Promise<void> {
    this.orphan();
    await this.client.leaseRevoke(this.leaseId);
  }
}

/** A distributed lock on a name (etcd's concurrency.Mutex). */
export class Mutex {
  private readonly pfx: string;
  private myKey = '';
  private myRev = -1;
  private hdr: ResponseHeader | undefined;

  constructor(
    private readonly session: Session,
    name: string,
  ) {
    this.pfx = name + '/';
  }

  /** The ownership key, "name/<lease hex>" ("" before lock, "\0" after unlock, as etcd). */
  key(): string {
    return this.myKey;
  }

  /** The header of the response that made this session the owner. */
  header(): ResponseHeader | undefined {
    return this.hdr;
  }

  /** A compare that holds while this mutex owns the lock (etcd's IsOwner), for guarded txns. */
  isOwner(): Compare {
    return createIs(this.myKey, this.myRev);
  }

  /**
   * Acquires the lock: puts the session's key if absent, then waits for every older contender's
   * key to go. On failure or abort while waiting, the session's key is deleted again.
   */
  async lock(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new ContextCanceledError();
    const client = this.session.client;
    this.myKey = this.pfx + leaseHex(this.session.leaseId);
    const owner = topByCreate(this.pfx, 'ASCEND');
    const resp = await client.txn({
      compare: [createIs(this.myKey, 0)],
      success: [{ requestPut: { key: this.myKey, value: '', lease: this.session.leaseId } }, { requestRange: owner }],
      failure: [{ requestRange: { key: this.myKey } }, { requestRange: owner }],
    });
    this.myRev = resp.header.revision;
    if (!resp.succeeded) this.myRev = rangeOf(resp.responses[0]).kvs[0]!.createRevision;
    const first = rangeOf(resp.responses[1]).kvs[0];
    if (!first || first.createRevision === this.myRev) {
      this.hdr = resp.header;
      return;
    }
    try {
      this.hdr = await waitDeletes(client, this.pfx, this.myRev - 1, signal);
    } catch (error) {
      await this.unlock().catch(() => undefined);
      throw error;
    }
  }

  /** Releases the lock by deleting the session's key. */
  async unlock(): Promise<ResponseHeader> {
    const resp = await this.session.client.delete(this.myKey);
    this.myKey = '\0';
    this.myRev = -1;
    return resp.header;
  }
}

/** A leader election on a name (etcd's concurrency.Election). */
export class Election {
  private readonly pfx: string;
  private leaderKey = '';
  private leaderRev = 0;
  private leaderLease = 0;
  private leading = false;
  private hdr: ResponseHeader | undefined;

  constructor(
    private readonly session: Session,
    name: string,
  ) {
    this.pfx = name + '/';
  }

  /** An election already won (etcd's ResumeElection), to proclaim or resign. */
  static resume(session: Session, leader: { key: string; rev: number; lease: number }): Election {
    const e = new Election(session, '');
    e.leaderKey = leader.key;
    e.leaderRev = leader.rev;
    e.leaderLease = leader.lease;
    e.leading = true;
    return e;
  }

  /** The leader key if this session leads, "" otherwise. */
  key(): string {
    return this.leaderKey;
  }

  /** The leader key's create revision. */
  rev(): number {
    return this.leaderRev;
  }

  /** The header of the last successful campaign or proclamation. */
  header(): ResponseHeader | undefined {
    return this.hdr;
  }

  /**
   * Puts the proposal under the session's key, then waits until every older candidate has gone:
   * this session leads. An existing key of the same session is reused (its value updated).
   */
  async campaign(value: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new ContextCanceledError();
    const client = this.session.client;
    const key = this.pfx + leaseHex(this.session.leaseId);
    const resp = await client.txn({
      compare: [createIs(key, 0)],
      success: [{ requestPut: { key, value, lease: this.session.leaseId } }],
      failure: [{ requestRange: { key } }],
    });
    this.leaderKey = key;
    this.leaderRev = resp.header.revision;
    this.leaderLease = this.session.leaseId;
    this.leading = true;
    if (!resp.succeeded) {
      const kv = rangeOf(resp.responses[0]).kvs[0]!;
      this.leaderRev = kv.createRevision;
      if (kv.value !== value) {
        try {
          await this.proclaim(value);
        } catch (error) {
          await this.resign().catch(() => undefined);
          throw error;
        }
      }
    }
    try {
      await waitDeletes(client, this.pfx, this.leaderRev - 1, signal);
    } catch (error) {
      if (signal?.aborted) await this.resign().catch(() => undefined);
      else this.leading = false;
      throw error;
    }
    this.hdr = resp.header;
  }

  /** Announces a new value without a new election; fails when this session no longer leads. */
  async proclaim(value: string): Promise<void> {
    if (!this.leading) throw electionNotLeader();
    const resp = await this.session.client.txn({
      compare: [createIs(this.leaderKey, this.leaderRev)],
      success: [{ requestPut: { key: this.leaderKey, value, lease: this.leaderLease } }],
      failure: [],
    });
    if (!resp.succeeded) {
      this.leaderKey = '';
      throw electionNotLeader();
    }
    this.hdr = resp.header;
  }

  /** Gives up leadership (deletes the leader key if it is still this session's). */
  async resign(): Promise<void> {
    if (!this.leading) return;
    try {
      const resp = await this.session.client.txn({
        compare: [createIs(this.leaderKey, this.leaderRev)],
        success: [{ requestDeleteRange: { key: this.leaderKey } }],
        failure: [],
      });
      this.hdr = resp.header;
    } finally {
      this.leaderKey = '';
      this.leading = false;
    }
  }

  /** The current leader's key and value (the oldest key under the prefix), or undefined. */
  async leader(): Promise<{ header: ResponseHeader; kv: KeyValue | undefined }> {
    const resp = await this.session.client.get(this.pfx, topByCreateOptions(this.pfx, 'ASCEND'));
    return { header: resp.header, kv: resp.kvs[0] };
  }

  /**
   * Reports the leader and each of its proclamations, then each later leader, until `signal`
   * aborts or a watch fails (etcd's Observe). Resolves when observation ends.
   */
  observe(onLeader: (r: RangeResponse) => void, signal: AbortSignal): Promise<void> {
    return observeElection(this.session.client, this.pfx, onLeader, signal);
  }
}

/** Watches `key` from `rev` and hands each response to `onResponse` until it returns true. */
function watchUntil(
  client: ConcurrencyClient,
  key: string,
  opts: { startRevision: number; prefix?: boolean },
  signal: AbortSignal,
  onResponse: (r: WatchResponse) => boolean,
): Promise<boolean> {
  return new Promise((resolve) => {
    const ac = linkedSignal(signal);
    let finished = false;
    const finish = (ok: boolean): void => {
      if (finished) return;
      finished = true;
      ac.abort();
      resolve(ok);
    };
    const rangeEnd = opts.prefix ? prefixEnd(key) : undefined;
    const handle = client.watch(key, { startRevision: opts.startRevision, rangeEnd, signal: ac.signal }, (r) => {
      if (finished) return;
      if (r.canceled) return finish(false);
      if (onResponse(r)) finish(true);
    });
    handle.done.then(
      () => finish(false),
      () => finish(false),
    );
    if (finished) handle.cancel();
  });
}

async function observeElection(
  client: ConcurrencyClient,
  pfx: string,
  onLeader: (r: RangeResponse) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    let resp: RangeResponse;
    try {
      resp = await client.get(pfx, topByCreateOptions(pfx, 'ASCEND'));
    } catch {
      return;
    }
    let kv: KeyValue | undefined = resp.kvs[0];
    let hdr: ResponseHeader = resp.header;
    if (!kv) {
      // No leader yet: wait for the first put under the prefix.
      const ok = await watchUntil(client, pfx, { startRevision: resp.header.revision, prefix: true }, signal, (r) => {
        const put = r.events.find((e) => e.type === 'PUT');
        if (!put) return false;
        kv = put.kv;
        hdr = { ...r.header, revision: put.kv.modRevision };
        return true;
      });
      if (!ok || !kv) return;
    }
    const leader: KeyValue = kv;
    if (signal.aborted) return;
    onLeader({ header: hdr, kvs: [leader], more: false, count: 0 });
    // Follow the leader's key: each put is a proclamation, its deletion ends this leader.
    const deleted = await watchUntil(client, leader.key, { startRevision: hdr.revision + 1 }, signal, (r) => {
      for (const e of r.events) {
        if (e.type === 'DELETE') return true;
        if (signal.aborted) return false;
        onLeader({ header: r.header, kvs: [e.kv], more: resp.more, count: resp.count });
      }
      return false;
    });
    if (!deleted) return;
  }
}

// ---- EtcdClient's lock and election methods, for a client to delegate to ----

/** Sessions created by lockWith/campaignWith, by client and ownership key, ended on unlock/resign. */
const sessions = new WeakMap<object, Map<string, Session>>();

function remember(client: object, key: string, session: Session): void {
  let byKey = sessions.get(client);
  if (!byKey) {
    byKey = new Map();
    sessions.set(client, byKey);
  }
  byKey.set(key, session);
}

function forget(client: object, key: string): Session | undefined {
  const byKey = sessions.get(client);
  const session = byKey?.get(key);
  byKey?.delete(key);
  return session;
}

/**
 * EtcdClient.lock: a new session (TTL `ttlSeconds`, default 60 s, kept alive) and its Mutex on
 * `name`; resolves once held. The session lives until unlockWith; if acquiring fails or is aborted,
 * it is closed (its lease revoked) before the promise rejects.
 */
export async function lockWith(
  client: ConcurrencyClient,
  name: string,
  opts: { ttlSeconds?: number; signal?: AbortSignal } = {},
): Promise<LockResponse> {
  const session = await Session.create(client, { ttlSeconds: opts.ttlSeconds });
  const mutex = new Mutex(session, name);
  try {
    await mutex.lock(opts.signal);
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
  remember(client, mutex.key(), session);
  return { header: mutex.header()!, key: mutex.key(), lease: session.leaseId };
}

/** EtcdClient.unlock: deletes the ownership key and closes the session lockWith made for it. */
export async function unlockWith(client: ConcurrencyClient, key: string): Promise<{ header: ResponseHeader }> {
  const resp = await client.delete(key);
  await forget(client, key)?.close().catch(() => undefined);
  return { header: resp.header };
}

/**
 * EtcdClient.campaign: a new session (default TTL 60 s) campaigning with `value` on `name`;
 * resolves when it leads, with the leader key (v3election's LeaderKey).
 */
export async function campaignWith(
  client: ConcurrencyClient,
  name: string,
  value: string,
  opts: { ttlSeconds?: number; signal?: AbortSignal } = {},
): Promise<CampaignResponse> {
  const session = await Session.create(client, { ttlSeconds: opts.ttlSeconds });
  const election = new Election(session, name);
  try {
    await election.campaign(value, opts.signal);
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
  remember(client, election.key(), session);
  return {
    header: election.header()!,
    leader: { name, key: election.key(), rev: election.rev(), lease: session.leaseId },
  };
}

/** A session stand-in for resuming an election from a LeaderKey (no keep-alive of its own). */
function resumeOn(client: ConcurrencyClient, leader: CampaignResponse['leader']): Election {
  const stub = { client } as unknown as Session;
  return Election.resume(stub, leader);
}

/** EtcdClient.proclaim: a new value from the leader; "election: not leader" if it no longer leads. */
export async function proclaimWith(
  client: ConcurrencyClient,
  leader: CampaignResponse['leader'],
  value: string,
): Promise<{ header: ResponseHeader }> {
  const election = resumeOn(client, leader);
  await election.proclaim(value);
  return { header: election.header()! };
}

/** EtcdClient.resign: deletes the leader key if still the leader's, and closes campaignWith's session. */
export async function resignWith(client: ConcurrencyClient, leader: CampaignResponse['leader']): Promise<{ header: ResponseHeader }> {
  const election = resumeOn(client, leader);
  await election.resign();
  await forget(client, leader.key)?.close().catch(() => undefined);
  return { header: election.header()! };
}

/** EtcdClient.leader: the current leader's key-value, `kv` undefined when nobody leads. */
export async function leaderWith(client: ConcurrencyClient, name: string): Promise<LeaderResponse> {
  const pfx = name + '/';
  const resp = await client.get(pfx, topByCreateOptions(pfx, 'ASCEND'));
  return { header: resp.header, kv: resp.kvs[0] };
}

/** EtcdClient.observe: each leader and proclamation of `name` until cancelled. */
export function observeWith(
  client: ConcurrencyClient,
  name: string,
  onLeader: (r: LeaderResponse) => void,
  opts: { signal?: AbortSignal } = {},
): WatchHandle {
  const ac = linkedSignal(opts.signal);
  const done = observeElection(client, name + '/', (r) => onLeader({ header: r.header, kv: r.kvs[0] }), ac.signal);
  return { cancel: () => ac.abort(), requestProgress: () => undefined, done };
}
