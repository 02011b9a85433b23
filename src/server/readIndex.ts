// Linearizable reads (etcd 3.4's linearizableReadLoop): reads wait for a ReadIndex round; one round
// is in flight at a time and serves every read that was waiting when it started (so concurrent
// reads share one round, etcd 3.1+). A round asks Raft for a read index with an 8-byte big-endian
// request ID as context, retries every 500 ms without an answer, resends after the leader's first
// commit in its term, fails with "leader changed" when the leader changes and "request timed out"
// after the server's request timeout; once it has an index, its reads run when applied >= index.
//
// Pure: time arrives as `now`.

import { Errors, type RpcError } from './errors';

/** etcd's readIndexRetryTime. */
export const READ_INDEX_RETRY_MS = 500;

export interface ReadRound<T> {
  id: number;
  waiters: T[];
  startedAt: number;
  retryAt: number;
  deadline: number;
  /** Set once Raft answered. */
  index: number | undefined;
}

export function encodeReadId(id: number): string {
  let s = '';
  for (let i = 7; i >= 0; i--) s += String.fromCharCode(Math.floor(id / 2 ** (8 * i)) % 256);
  return s;
}

export function decodeReadId(ctx: string): number | undefined {
  if (ctx.length !== 8) return undefined;
  let v = 0;
  for (let i = 0; i < 8; i++) v = v * 256 + ctx.charCodeAt(i);
  return v;
}

export interface ReadIndexHooks {
  /** Asks Raft for a read index (RawNode.readIndex). */
  sendReadIndex(ctx: string): void;
  appliedIndex(): number;
  nextId(): number;
  log(level: 'INFO' | 'WARN', text: string): void;
}

export class LinearizableReads<T> {
  private waiting: T[] = [];
  private round: ReadRound<T> | undefined;

  constructor(
    private readonly hooks: ReadIndexHooks,
    private readonly reqTimeoutMs: number,
  ) {}

  get inFlight(): ReadRound<T> | undefined {
    return this.round;
  }

  get waitingCount(): number {
    return this.waiting.length + (this.round?.waiters.length ?? 0);
  }

  add(waiter: T, now: number): void {
    this.waiting.push(waiter);
    this.maybeStart(now);
  }

  private maybeStart(now: number): void {
    if (this.round !== undefined || this.waiting.length === 0) return;
    const id = this.hooks.nextId();
    this.round = {
      id,
      waiters: this.waiting,
      startedAt: now,
      retryAt: now + READ_INDEX_RETRY_MS,
      deadline: now + this.reqTimeoutMs,
      index: undefined,
    };
    this.waiting = [];
    this.hooks.sendReadIndex(encodeReadId(id));
  }

  /** A ReadState from Raft. Returns false when it answers an older, abandoned round. */
  onReadState(index: number, ctx: string): boolean {
    const id = decodeReadId(ctx);
    if (this.round === undefined || this.round.index !== undefined || id !== this.round.id) {
      this.hooks.log(
        'WARN',
        `ignored out-of-date read index response; local node read indexes queueing up and waiting to be in sync with leader (request ID want ${this.round?.id ?? 0}, got ${id ?? 0})`,
      );
      return false;
    }
    this.round.index = index;
    return true;
  }

  /** The leader's first commit in its term: a pending round asks again (etcd 3.4.23). */
  onFirstCommitInTerm(now: number): void {
    if (this.round === undefined || this.round.index !== undefined) return;
    this.hooks.log('INFO', 'first commit in current term: resending ReadIndex request');
    this.hooks.sendReadIndex(encodeReadId(this.round.id));
    this.round.retryAt = now + READ_INDEX_RETRY_MS;
  }

  /** The leader changed: a round still waiting for its index fails with a retryable error. */
  onLeaderChanged(now: number): Array<{ waiter: T; error: RpcError }> {
    if (this.round === undefined || this.round.index !== undefined) return [];
    const failed = this.round.waiters.map((waiter) => ({ waiter, error: Errors.leaderChanged }));
    this.round = undefined;
    this.maybeStart(now);
    return failed;
  }

  /**
   * Runs on every tick and after every apply: serves a round whose index is applied, retries or
   * times out a round without an answer. Returns the reads to serve now and those that failed.
   */
  poll(now: number): { ready: T[]; failed: Array<{ waiter: T; error: RpcError }> } {
    const ready: T[] = [];
    const failed: Array<{ waiter: T; error: RpcError }> = [];
    for (let guard = 0; this.round !== undefined && guard < 1000; guard++) {
      const r = this.round;
      if (r.index !== undefined) {
        if (this.hooks.appliedIndex() < r.index) break;
        ready.push(...r.waiters);
        this.round = undefined;
        this.maybeStart(now);
        continue;
      }
      if (now >= r.deadline) {
        this.hooks.log('WARN', `timed out waiting for read index response (local node might have slow network) timeout: ${this.reqTimeoutMs / 1000}s`);
        for (const waiter of r.waiters) failed.push({ waiter, error: Errors.timeout });
        this.round = undefined;
        this.maybeStart(now);
        continue;
      }
      if (now >= r.retryAt) {
        this.hooks.log(
          'WARN',
          `waiting for ReadIndex response took too long, retrying (sent-request-id: ${r.id}, retry-timeout: ${READ_INDEX_RETRY_MS}ms)`,
        );
        this.hooks.sendReadIndex(encodeReadId(r.id));
        r.retryAt = now + READ_INDEX_RETRY_MS;
      }
      break;
    }
    return { ready, failed };
  }

  /** Drops waiters that the caller gave up on (e.g. their client went away). */
  removeWhere(pred: (w: T) => boolean): void {
    this.waiting = this.waiting.filter((w) => !pred(w));
    if (this.round !== undefined) this.round.waiters = this.round.waiters.filter((w) => !pred(w));
  }

  /** Fails everything (the member stops). */
  failAll(error: RpcError): Array<{ waiter: T; error: RpcError }> {
    const all = [...(this.round?.waiters ?? []), ...this.waiting];
    this.round = undefined;
    this.waiting = [];
    return all.map((waiter) => ({ waiter, error }));
  }
}
