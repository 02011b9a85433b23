// Builds an inline cluster for tests: every node an EtcdMember in this thread, on a MemoryBackend
// or an IdbBackend over fake-indexeddb. The backends live in a map the test can reach (to corrupt
// a record, to count writes), and they outlive kills like a data directory.

import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { Cluster, type ClusterOptions } from '../../src/cluster/cluster';
import { MemberHost } from '../../src/cluster/memberHost';
import { IdbBackend, MemoryBackend, type TestableBackend } from '../../src/storage/index';

export interface TestCluster {
  cluster: Cluster;
  backends: Map<number, TestableBackend>;
}

export async function newInlineCluster(
  opts: Omit<ClusterOptions, 'hostFactory'> & { storage?: 'memory' | 'indexeddb'; start?: boolean },
): Promise<TestCluster> {
  const backends = new Map<number, TestableBackend>();
  const factory = new IDBFactory();
  const open = async (id: number, name: string): Promise<TestableBackend> => {
    let b = backends.get(id);
    if (b !== undefined) return b;
    b = opts.storage === 'indexeddb' ? await IdbBackend.open(`test/${opts.seed}/${name}`, { indexedDB: factory }) : new MemoryBackend();
    backends.set(id, b);
    return b;
  };
  const cluster = new Cluster({
    ...opts,
    hostFactory: (spec) => new MemberHost({ open: () => open(spec.id, spec.name) }),
  });
  if (opts.start ?? true) {
    await cluster.start();
    await settle(cluster);
  }
  return { cluster, backends };
}

/** Every live member has applied everything the leader committed. */
export function allApplied(cluster: Cluster): boolean {
  const lead = cluster.leader();
  if (lead === undefined) return false;
  const commit = cluster.status(lead)!.commit;
  return cluster.ids().every((id) => !cluster.isAlive(id) || cluster.status(id)!.applied >= commit);
}

/** Nothing left to replicate: every live member holds and applied the leader's whole log. */
export function quiescent(cluster: Cluster): boolean {
  const lead = cluster.leader();
  if (lead === undefined) return false;
  const ls = cluster.status(lead)!;
  if (ls.commit !== ls.lastIndex) return false;
  return cluster
    .ids()
    .filter((id) => cluster.isAlive(id))
    .every((id) => {
      const s = cluster.status(id)!;
      return s.applied === ls.commit && s.lastIndex === ls.lastIndex && s.revision === ls.revision;
    });
}

/**
 * Runs until the cluster is quiescent and stays so for a few ticks (members publish their names
 * and the leader sets the cluster version shortly after an election).
 */
export async function settle(cluster: Cluster, timeoutMs = 10_000): Promise<void> {
  const deadline = cluster.now() + timeoutMs;
  for (;;) {
    const ok = await cluster.runUntil(() => quiescent(cluster), { timeoutMs: Math.max(0, deadline - cluster.now()) });
    if (!ok) throw new Error(`cluster did not settle: ${cluster.ids().map((id) => JSON.stringify(cluster.status(id))).join('\n')}`);
    const commit = cluster.status(cluster.leader()!)!.commit;
    await cluster.advance(300);
    if (quiescent(cluster) && cluster.status(cluster.leader()!)!.commit === commit) return;
  }
}
