// The node side of the worker executor: what workers/node.worker.ts exposes. It wraps the same
// MemberHost the inline executor uses, on an IndexedDB database named by the page, and turns
// failures into values (comlink keeps only a thrown error's message).

import { MemberHost } from '../cluster/memberHost';
import type { HostInput, HostOpenError, HostResult, KeyspaceView, LogSlice, NodeDetail } from '../cluster/host';
import type { MemberConfig } from '../server/index';
import { IdbBackend, type Backend } from '../storage/index';

export type WorkerCall<T> = { ok: true; value: T } | { ok: false; name: string; message: string };

export interface WorkerNodeApi {
  open(dbName: string, config: Omit<MemberConfig, 'backend' | 'logger'>, now: number): Promise<HostResult | HostOpenError>;
  step(input: HostInput, now: number): Promise<WorkerCall<HostResult>>;
  commitWrite(now: number): Promise<WorkerCall<HostResult>>;
  /** Waits for a batch in flight to reach IndexedDB (before a kill that must not tear it). */
  settle(): Promise<void>;
  kill(): Promise<void>;
  wipe(dbName: string): Promise<void>;
  detail(): Promise<NodeDetail>;
  log(from: number, to: number): Promise<LogSlice>;
  keyspace(opts: { prefix?: string; limit?: number; now: number }): Promise<KeyspaceView>;
}

export function createWorkerNode(): WorkerNodeApi {
  let backend: Backend | undefined;
  let host: MemberHost | undefined;
  const wrap = async <T>(f: () => Promise<T>): Promise<WorkerCall<T>> => {
    try {
      return { ok: true, value: await f() };
    } catch (err) {
      const e = err as Error;
      return { ok: false, name: e.name ?? 'Error', message: e.message ?? String(err) };
    }
  };
  const need = (): MemberHost => {
    if (host === undefined) throw new Error('node is not open');
    return host;
  };
  return {
    async open(dbName, config, now) {
      try {
        backend = await IdbBackend.open(dbName);
      } catch (err) {
        const e = err as Error;
        return { ok: false, name: e.name ?? 'Error', message: e.message ?? String(err) };
      }
      const b = backend;
      host = new MemberHost({ open: async () => b });
      return host.open(config, now);
    },
    step: (input, now) => wrap(() => need().step(input, now)),
    commitWrite: (now) => wrap(() => need().commitWrite(now)),
    async settle() {
      await host?.settleWrite();
    },
    async kill() {
      await host?.kill();
      host = undefined;
      await backend?.close();
      backend = undefined;
    },
    async wipe(dbName) {
      await backend?.close();
      backend = undefined;
      const b = await IdbBackend.open(dbName);
      await b.destroy();
    },
    detail: () => need().detail(),
    log: (from, to) => need().log(from, to),
    keyspace: (opts) => need().keyspace(opts),
  };
}
