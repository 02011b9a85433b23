// The page side of the worker executor: a NodeHost whose member runs in a Web Worker (one per
// node), reached through comlink. kill() waits for a batch in flight to land, then terminates the
// worker (so a run is the same as on the inline executor); crash() terminates it at once, tearing
// whatever IndexedDB transaction was in flight, as a real crash would.

import { wrap, type Remote } from 'comlink';
import type { HostInput, HostOpenError, HostResult, KeyspaceView, LogSlice, NodeDetail, NodeHost } from '../cluster/host';
import type { MemberConfig } from '../server/index';
import type { WorkerCall, WorkerNodeApi } from './workerNode';

export class WorkerHost implements NodeHost {
  private worker: Worker | undefined;
  private remote: Remote<WorkerNodeApi> | undefined;

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

  async open(config: Omit<MemberConfig, 'backend' | 'logger'>, now: number): Promise<HostResult | HostOpenError> {
    this.worker = this.makeWorker();
    this.remote = wrap<WorkerNodeApi>(this.worker);
    return this.remote.open(this.dbName, config, now);
  }

  async step(input: HostInput, now: number): Promise<HostResult> {
    return this.unwrap(await this.need().step(input, now));
  }

  async commitWrite(now: number): Promise<HostResult> {
    return this.unwrap(await this.need().commitWrite(now));
  }

  async kill(): Promise<void> {
    if (this.remote !== undefined) await this.remote.kill();
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

  detail(): Promise<NodeDetail> {
    return this.need().detail();
  }

  log(from: number, to: number): Promise<LogSlice> {
    return this.need().log(from, to);
  }

  keyspace(opts: { prefix?: string; limit?: number; now: number }): Promise<KeyspaceView> {
    return this.need().keyspace(opts);
  }
}

/** Builds worker hosts for createPlayground({ executor: 'worker' }) in the browser. */
export function workerHostFactory(): (spec: { name: string }, clusterId: number, dbName: string) => NodeHost {
  return (_spec, _clusterId, dbName) =>
    new WorkerHost(dbName, () => new Worker(new URL('../../workers/node.worker.ts', import.meta.url), { type: 'module', name: dbName }));
}
