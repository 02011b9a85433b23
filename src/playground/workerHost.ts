// The page side of the worker executor: a NodeHost whose member runs in a Web Worker (one per
// node), reached through comlink. kill() waits for a batch in flight to land, then terminates the
// worker (so a run is the same as on the inline executor); crash() terminates it at once, tearing
// whatever IndexedDB transaction was in flight, as a real crash would.

import { wrap, type Remote } from 'comlink';
import type { HostInput, HostOpenError, HostResult, KeyspaceView, LogSlice, NodeDetail, NodeHost } from '../cluster/host';
import type { MemberConfig } from '../server/index';
import { IdbBackend, type PersistedState } from '../storage/index';
import type { WorkerCall, WorkerNodeApi } from './workerNode';

/** A call to a worker that was terminated before it answered. */
export class WorkerTerminatedError extends Error {
  override name = 'WorkerTerminated';
}

export class WorkerHost implements NodeHost {
  private worker: Worker | undefined;
  private remote: Remote<WorkerNodeApi> | undefined;
  // A terminated worker never answers: calls still waiting are failed so nobody waits forever.
  private pending = new Set<(e: Error) => void>();

  constructor(
    private readonly dbName: string,
    private readonly makeWorker: () => Worker,
  ) {}

  private unwrap<T>(r: WorkerCall<T>): T {
    if (r.ok) return r.value;
    const e = new Error(r.message);
    e.name = r.name;
    throw e;
  }

  private need(): Remote<WorkerNodeApi> {
    if (this.remote === undefined) throw new Error('node is not running');
    return this.remote;
  }

  /** Awaits a call to the worker, failing it if the worker is terminated first. */
  private call<P extends Promise<unknown>>(p: P): Promise<Awaited<P>> {
    let fail!: (e: Error) => void;
    const cut = new Promise<never>((_, reject) => (fail = reject));
    this.pending.add(fail);
    return Promise.race([p as Promise<Awaited<P>>, cut]).finally(() => this.pending.delete(fail));
  }

  async open(config: Omit<MemberConfig, 'backend' | 'logger'>, now: number): Promise<HostResult | HostOpenError> {
    const worker = this.makeWorker();
    this.worker = worker;
    this.remote = wrap<WorkerNodeApi>(worker);
    // A worker that dies (failed to load, uncaught error) answers nothing: fail its calls with why.
    worker.addEventListener('error', (ev) => {
      if (this.worker !== worker) return;
      const why = ev.message || 'the worker script failed';
      this.failPending(new WorkerTerminatedError(`worker for ${this.dbName} died: ${why}`));
    });
    return this.call(this.remote.open(this.dbName, config, now));
  }

  async step(input: HostInput, now: number): Promise<HostResult> {
    return this.unwrap(await this.call(this.need().step(input, now)));
  }

  async commitWrite(now: number): Promise<HostResult> {
    return this.unwrap(await this.call(this.need().commitWrite(now)));
  }

  async kill(): Promise<void> {
    if (this.remote !== undefined) await this.call(this.remote.kill());
    this.terminate();
  }

  /** Terminates the worker at once: an IndexedDB transaction in flight may or may not land. */
  crash(): void {
    this.terminate();
  }

  private terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
    this.failPending(new WorkerTerminatedError(`worker for ${this.dbName} was terminated`));
  }

  private failPending(e: Error): void {
    const pending = [...this.pending];
    this.pending.clear();
    for (const fail of pending) fail(e);
  }

  async wipe(): Promise<void> {
    const w = this.makeWorker();
    const r = wrap<WorkerNodeApi>(w);
    try {
      await r.wipe(this.dbName);
    } finally {
      w.terminate();
    }
  }

  /** Reads the member's database from the page while its worker is down. */
  async stored(): Promise<PersistedState | undefined> {
    if (this.worker !== undefined) throw new Error('the member is running: ask it, not its storage');
    const b = await IdbBackend.open(this.dbName);
    try {
      return await b.load();
    } finally {
      await b.close();
    }
  }

  detail(): Promise<NodeDetail> {
    return this.call(this.need().detail());
  }

  log(from: number, to: number): Promise<LogSlice> {
    return this.call(this.need().log(from, to));
  }

  keyspace(opts: { prefix?: string; limit?: number; now: number }): Promise<KeyspaceView> {
    return this.call(this.need().keyspace(opts));
  }
}

/** Builds worker hosts for createPlayground({ executor: 'worker' }) in the browser. */
export function workerHostFactory(): (spec: { name: string }, clusterId: number, dbName: string) => NodeHost {
  return (_spec, _clusterId, dbName) =>
    new WorkerHost(dbName, () => new Worker(new URL('../../workers/node.worker.ts', import.meta.url), { type: 'module', name: dbName }));
}
