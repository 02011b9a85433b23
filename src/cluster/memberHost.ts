// MemberHost: one EtcdMember and its Backend behind the NodeHost interface. The inline executor
// uses it directly; the worker executor runs the same class inside a Web Worker (workers/
// node.worker.ts), so both executors share every line of node-side logic.
//
// The write of a prepared batch starts at once; commitWrite() awaits it, so a batch is always
// durable before its messages leave and its answers are released (etcd's order), whatever the
// real speed of the storage.

import { CLONE_AS } from '../lib/clone';
import { assert } from '../lib/assert';
import type { Backend, PersistedState } from '../storage/backend';
import { MemoryBackend } from '../storage/index';
import { EtcdMember, type MemberConfig, type PreparedReady } from '../server/index';
import type { HostInput, HostOpenError, HostResult, KeyspaceView, LogSlice, NodeDetail, NodeHost } from './host';

/** Where a node's backend comes from (opened on every start; it outlives kills). */
export interface BackendSource {
  open(): Promise<Backend>;
}

/** A node's disk in memory: one MemoryBackend kept across restarts. */
export class InMemoryDisk implements BackendSource {
  private backend: MemoryBackend | undefined;

  /** A disk that already holds data. */
  static holding(backend: MemoryBackend): InMemoryDisk {
    const d = new InMemoryDisk();
    d.backend = backend;
    return d;
  }

  async open(): Promise<Backend> {
    this.backend ??= new MemoryBackend();
    return this.backend;
  }
}

export class MemberHost implements NodeHost {
  private member: EtcdMember | undefined;
  private store: Backend | undefined;
  private prepared: PreparedReady | undefined;
  private write: Promise<void> | undefined;
  private writeError: unknown;

  /**
   * @param backend the node's storage; it outlives kills (the coordinator keeps it).
   * @param opts.writeAtCommit hand the batch to the backend only when the virtual disk completes
   *   (so a crash() before that loses it, like a torn write); default: at once.
   */
  constructor(
    private readonly backend: BackendSource,
    private readonly opts: { writeAtCommit?: boolean } = {},
  ) {}

  async open(config: Omit<MemberConfig, 'backend' | 'logger'>, now: number): Promise<HostResult | HostOpenError> {
    try {
      const backend = await this.backend.open();
      this.store = backend;
      this.member = await EtcdMember.open({ ...config, backend }, now);
    } catch (err) {
      const e = err as Error;
      return { ok: false, name: e.name ?? 'Error', message: e.message ?? String(err) };
    }
    this.startWriteIfReady(now);
    return this.result();
  }

  async step(input: HostInput, now: number): Promise<HostResult> {
    const m = this.need();
    switch (input.kind) {
      case 'tick':
        m.tick(now);
        break;
      case 'peer':
        m.receivePeer(input.msg, now);
        break;
      case 'client':
        m.receiveClient(input.req, now);
        break;
      case 'activity':
        m.setPeerActivity(new Map(input.activeSince), now);
        break;
      case 'reportSnapshot':
        m.reportSnapshot(input.to, input.ok);
        break;
      case 'unreachable':
        m.reportUnreachable(input.to);
        break;
      case 'beginStop':
        m.beginStop(now);
        break;
      case 'campaign':
        m.campaign(now);
        break;
    }
    this.startWriteIfReady(now);
    return this.result(now);
  }

  async commitWrite(now: number): Promise<HostResult> {
    const m = this.need();
    if (this.prepared !== undefined) {
      if (this.opts.writeAtCommit === true && this.write === undefined) this.startBackendWrite(this.prepared);
      await this.write;
      if (this.writeError !== undefined) {
        // The storage failed under us: like etcd on a failed fsync, the member cannot go on.
        const err = this.writeError;
        this.writeError = undefined;
        throw err;
      }
      const p = this.prepared;
      this.prepared = undefined;
      this.write = undefined;
      m.commit(p, now);
    }
    this.startWriteIfReady(now);
    return this.result(now);
  }

  private startWriteIfReady(now: number): void {
    const m = this.member;
    if (m === undefined || this.prepared !== undefined || !m.hasReady()) return;
    const p = m.prepare(now);
    if (p === undefined) return;
    this.prepared = p;
    if (this.opts.writeAtCommit !== true) this.startBackendWrite(p);
  }

  private startBackendWrite(p: PreparedReady): void {
    // Called directly, so a memory backend has stored the batch by the time this returns.
    this.write = this.store!.write(p.batch).catch((err: unknown) => {
      this.writeError = err;
    });
  }

  /**
   * What a checkpoint copies: the host without its write promise. Checkpoints are taken of hosts on
   * memory backends, which have stored a batch by the time write() returns, so there is nothing
   * left to wait for.
   */
  [CLONE_AS](): MemberHost {
    assert(this.store === undefined || this.store.kind === 'memory', 'only hosts on memory backends can be checkpointed');
    assert(this.writeError === undefined, 'a failed write cannot be checkpointed');
    const copy = Object.assign(Object.create(MemberHost.prototype) as MemberHost, this);
    copy.write = undefined;
    return copy;
  }

  /** A hard crash: the member is gone and a batch not yet handed to the backend is lost. */
  crash(): void {
    this.member?.stop();
    this.member = undefined;
    this.prepared = undefined;
    this.write = undefined;
  }

  private result(now = 0): HostResult {
    const m = this.need();
    return {
      outputs: m.drainOutputs(),
      writing: this.prepared !== undefined,
      status: m.status(),
      readyToStop: m.readyToStop(now),
    };
  }

  private need(): EtcdMember {
    if (this.member === undefined) throw new Error('node is not open');
    return this.member;
  }

  /** The member itself (inline executor only: views, checkpoints, tests). */
  get etcdMember(): EtcdMember | undefined {
    return this.member;
  }

  /** Waits for a batch in flight to reach the backend. */
  async settleWrite(): Promise<void> {
    if (this.write !== undefined) await this.write;
  }

  async kill(): Promise<void> {
    // Whatever was handed to the backend may or may not land; the inline memory backend has it.
    if (this.write !== undefined) await this.write;
    this.member?.stop();
    this.member = undefined;
    this.prepared = undefined;
    this.write = undefined;
  }

  async stored(): Promise<PersistedState | undefined> {
    return (await this.backend.open()).load();
  }

  async wipe(): Promise<void> {
    const b = await this.backend.open();
    await b.destroy();
  }

  async detail(): Promise<NodeDetail> {
    const m = this.need();
    const rn = m.raftNode;
    const r = rn.raft;
    const st = rn.status();
    const progress = [...(st.progress ?? new Map()).entries()].map(([id, p]) => ({
      id,
      match: p.match,
      next: p.next,
      state: p.state,
      paused: p.msgAppFlowPaused || p.state === 'StateSnapshot',
      inflight: p.inflightCount,
      inflightFull: p.inflightFull,
      isLearner: p.isLearner,
      pendingSnapshot: p.pendingSnapshot,
      recentActive: p.recentActive,
    }));
    const cs = r.trk.confState();
    return {
      status: m.status(),
      progress,
      config: cs,
      electionElapsed: r.electionElapsed,
      randomizedElectionTimeout: r.randomizedElectionTimeout,
      electionTimeout: r.electionTimeout,
      heartbeatElapsed: r.heartbeatElapsed,
      leadTransferee: r.leadTransferee,
      votes: [...r.trk.votes.entries()],
    };
  }

  async log(from: number, to: number): Promise<LogSlice> {
    const m = this.need();
    const rl = m.raftNode.raft.raftLog;
    const first = rl.firstIndex();
    const last = rl.lastIndex();
    const lo = Math.max(from, first);
    const hi = Math.min(to, last + 1);
    let entries: LogSlice['entries'] = [];
    if (lo < hi) {
      const r = rl.slice(lo, hi, Number.MAX_SAFE_INTEGER);
      if (!('err' in r)) entries = r.ents;
    }
    return { firstIndex: first, lastIndex: last, committed: rl.committed, applied: m.status().applied, entries };
  }

  async keyspace(opts: { prefix?: string; limit?: number; now: number }): Promise<KeyspaceView> {
    const m = this.need();
    const prefix = opts.prefix ?? '';
    const end = prefix === '' ? '' : prefixEnd(prefix);
    const kvs = m.store.range(prefix === '' ? '\0' : prefix, end, { limit: opts.limit ?? 0 }).kvs;
    const now = opts.now;
    const leases = m.leases.leases().map((l) => {
      const t = m.leases.timeToLive(l.id, now, { keys: true });
      return { id: l.id, ttl: t.grantedTtl, remaining: t.ttl, keys: t.keys ?? [] };
    });
    return { revision: m.store.currentRevision, compactRevision: m.store.compactRevision, kvs, leases };
  }
}

/** The range end of a prefix (etcd's GetPrefixRangeEnd), on byte strings. */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return '\0';
}
