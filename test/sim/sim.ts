// The seeded simulation harness (VOPR-style). A seed picks the cluster (3 or 5 members, pre-vote
// or not, snapshot frequency), the network (latency, jitter), the workload and the faults. A safety
// phase runs clients against the cluster while faults of every class strike (kill, restart,
// graceful stop, partition, isolate, heal, link loss/latency/duplication, slow disk, forced
// elections); the live checkers watch every event. A liveness phase then heals everything and
// requires convergence: a write succeeds and every member holds the same data at the same
// revision. Finally the client history is checked for linearizability.

import { Prng } from '../../src/lib/prng';
import { InvariantChecker, WatchChecker, type Violation } from '../../src/cluster/checkers/invariants';
import { checkLinearizable, kvOpsFromHistory } from '../../src/cluster/checkers/linearizability';
import type { Cluster } from '../../src/cluster/cluster';
import type { Client } from '../../src/client/client';
import { newInlineCluster, quiescent } from '../helpers/inlineCluster';

export interface SimOptions {
  seed: number;
  /** Virtual ms of the safety phase. */
  safetyMs?: number;
  /** Virtual ms allowed for convergence after healing. */
  livenessMs?: number;
}

export interface SimResult {
  seed: number;
  nodes: number;
  violations: Violation[];
  faults: Record<string, number>;
  ops: { ok: number; failed: number };
  linearizable: boolean | 'unknown';
  converged: boolean;
  finalRevision: number;
  /** The last events before the end (or the first violation), for a failure report. */
  trace: string[];
}

const FAULTS = ['kill', 'restart', 'stop', 'partition', 'isolate', 'heal', 'loss', 'latency', 'duplicate', 'slowDisk', 'forceElection'] as const;

export async function runSim(opts: SimOptions): Promise<SimResult> {
  const prng = new Prng(opts.seed);
  const nodes = prng.pick([3, 3, 5]);
  const { cluster } = await newInlineCluster({
    seed: opts.seed,
    nodes,
    storage: 'memory',
    preVote: prng.chance(1, 2),
    snapshotCount: prng.pick([20, 50, 200]),
    snapshotCatchUpEntries: prng.pick([5, 20]),
    timing: { latencyMs: prng.rangeInclusive(5, 40), jitterMs: prng.rangeInclusive(0, 15) },
  });

  // A third of the runs have no stream links at all: every message may overtake any other.
  const ids0 = cluster.ids();
  if (prng.chance(1, 3)) for (const a of ids0) for (const b of ids0) if (a !== b) cluster.setLink(a, b, { reorder: true });

  const checker = new InvariantChecker();
  const trace: string[] = [];
  const note = (s: string): void => {
    trace.push(`${cluster.now()} ${s}`);
    if (trace.length > 200) trace.shift();
  };
  let firstViolationTrace: string[] | undefined;
  checker.onViolation((v) => {
    note(`VIOLATION ${v.property}: ${v.message}`);
    firstViolationTrace ??= [...trace];
  });
  cluster.subscribe((e) => {
    checker.observe(e);
    if (e.type === 'fault') note(`fault ${e.action} ${e.detail}`);
    else if (e.type === 'node') note(`node ${cluster.spec(e.node).name} ${e.state}${e.detail ? ' ' + e.detail : ''}`);
    else if (e.type === 'status' && e.status.role === 'StateLeader') note(`${e.status.name} leader at term ${e.status.term}`);
  });

  // A watcher over the whole keyspace: it must see every revision once, in order.
  const watchClient = cluster.client({ autoAdvance: false });
  const watchChecker = new WatchChecker((v) => checker.violations.push(v));
  watchClient.watch('', { prefix: true, startRevision: 1 }, (r) => watchChecker.observe(cluster.now(), r.events, true));

  const faults: Record<string, number> = {};
  const ops = { ok: 0, failed: 0 };
  // The harness drives virtual time; the workload's operations run in the background.
  const clients: Client[] = Array.from({ length: 3 }, () => cluster.client({ requestTimeoutMs: 3000, autoAdvance: false }));
  let running = true;
  let valueSeq = 0;
  const keys = ['a', 'b', 'c', 'd'];
  const workload = (c: Client, rnd: Prng): void => {
    if (!running) return;
    const key = rnd.pick(keys);
    const roll = rnd.int(10);
    let p: Promise<unknown>;
    if (roll < 5) p = c.put(key, `v${valueSeq++}`);
    else if (roll < 9) p = c.get(key);
    else p = c.delete(key);
    p.then(
      () => {
        ops.ok++;
        schedule();
      },
      () => {
        ops.failed++;
        schedule();
      },
    );
    function schedule(): void {
      // Think time in virtual ms: run the next op once the clock passed it.
      const at = cluster.now() + rnd.int(120);
      void cluster.when(() => cluster.now() >= at).then(() => workload(c, rnd));
    }
  };
  clients.forEach((c, i) => workload(c, prng.fork(`client-${i}`)));

  const ids = cluster.ids();
  const safetyMs = opts.safetyMs ?? 15_000;
  const end = cluster.now() + safetyMs;
  let nextDeep = cluster.now() + 1000;
  while (cluster.now() < end) {
    await cluster.advance(prng.rangeInclusive(200, 1500));
    await injectFault(cluster, prng, ids, faults);
    if (cluster.now() >= nextDeep) {
      await checker.deepCheck(logSource(cluster), cluster.now());
      nextDeep = cluster.now() + 1000;
    }
  }

  // Liveness: heal everything and require convergence.
  cluster.heal();
  for (const a of ids) for (const b of ids) if (a !== b) cluster.setLink(a, b, { dropRate: 0, duplicateRate: 0, latencyMs: 20, jitterMs: 5 });
  for (const id of ids) {
    cluster.setDisk(id, 2);
    if (!cluster.isAlive(id)) await cluster.restart(id);
  }
  running = false;
  const livenessEnd = cluster.now() + (opts.livenessMs ?? 20_000);
  let converged = false;
  const probe = cluster.client({ autoAdvance: false });
  while (cluster.now() < livenessEnd && !converged) {
    const r = await cluster.settleWithin(probe.put('liveness', `${opts.seed}`), Math.max(0, livenessEnd - cluster.now()));
    if (r.done && 'value' in r) {
      converged = await cluster.runUntil(() => quiescent(cluster), { timeoutMs: Math.max(0, livenessEnd - cluster.now()) });
    } else {
      await cluster.advance(500);
    }
  }
  await checker.deepCheck(logSource(cluster), cluster.now());
  let finalRevision = 0;
  if (converged) {
    const hr = await cluster.settleWithin(Promise.all(ids.map((id) => probe.hashKV(cluster.spec(id).clientUrl, 0))), 5000);
    if (!(hr.done && 'value' in hr)) throw new Error(`seed ${opts.seed}: hashKV did not answer after convergence`);
    const hashes = hr.value;
    if (new Set(hashes.map((h) => `${h.hash}@${h.header.revision}`)).size !== 1) {
      checker.violations.push({ property: 'StateMachineSafety', time: cluster.now(), message: `members disagree after convergence: ${hashes.map((h) => `${h.hash}@${h.header.revision}`).join(' ')}`, nodes: ids });
    }
    finalRevision = hashes[0]!.header.revision;
  }

  // Close the clients first: an operation still in flight is recorded as failed, i.e.
  // indeterminate (it may have taken effect), which the check must know about.
  for (const c of [...clients, watchClient]) c.close();
  const lin = checkLinearizable(kvOpsFromHistory(cluster.history().filter((h) => h.clientId !== probe.state.clientId)), { maxSteps: 500_000 });
  for (const f of lin.failures) {
    checker.violations.push({ property: 'Linearizability', time: cluster.now(), message: `key ${f.key}: ${f.reason}`, nodes: [] });
  }
  probe.close();
  return {
    seed: opts.seed,
    nodes,
    violations: checker.violations,
    faults,
    ops,
    linearizable: lin.ok ? (lin.unknown.length > 0 ? 'unknown' : true) : false,
    converged,
    finalRevision,
    trace: firstViolationTrace ?? trace.slice(-60),
  };
}

async function injectFault(cluster: Cluster, prng: Prng, ids: number[], faults: Record<string, number>): Promise<void> {
  const kind = prng.pick(FAULTS);
  const alive = ids.filter((id) => cluster.isAlive(id));
  const dead = ids.filter((id) => !cluster.isAlive(id) && !cluster.isRemoved(id));
  const count = (): void => {
    faults[kind] = (faults[kind] ?? 0) + 1;
  };
  switch (kind) {
    case 'kill':
      // Keep a majority alive most of the time, but sometimes lose quorum on purpose.
      if (alive.length > Math.floor(ids.length / 2) + 1 || prng.chance(1, 5)) {
        if (alive.length > 0) {
          await cluster.kill(prng.pick(alive));
          count();
        }
      }
      return;
    case 'restart':
      if (dead.length > 0) {
        await cluster.restart(prng.pick(dead));
        count();
      }
      return;
    case 'stop':
      if (alive.length > Math.floor(ids.length / 2) + 1) {
        const target = cluster.leader() !== undefined && prng.chance(1, 2) ? cluster.leader()! : prng.pick(alive);
        await cluster.stop(target);
        count();
      }
      return;
    case 'partition': {
      const shuffled = [...ids].sort(() => 0).map((id) => ({ id, r: prng.int(1000) })).sort((a, b) => a.r - b.r).map((x) => x.id);
      const cut = prng.rangeInclusive(1, ids.length - 1);
      cluster.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
      count();
      return;
    }
    case 'isolate': {
      const target = cluster.leader() !== undefined && prng.chance(1, 2) ? cluster.leader()! : prng.pick(ids);
      cluster.isolate(target);
      count();
      return;
    }
    case 'heal':
      cluster.heal();
      count();
      return;
    case 'loss': {
      const a = prng.pick(ids);
      const b = prng.pick(ids.filter((x) => x !== a));
      cluster.setLink(a, b, { dropRate: prng.pick([0, 0.1, 0.3, 0.6]) });
      count();
      return;
    }
    case 'latency': {
      const a = prng.pick(ids);
      const b = prng.pick(ids.filter((x) => x !== a));
      // Half the time the link also stops being a stream: messages overtake each other.
      cluster.setLink(a, b, { latencyMs: prng.pick([5, 20, 80, 300]), jitterMs: prng.pick([0, 10, 50]), reorder: prng.chance(1, 2) });
      count();
      return;
    }
    case 'duplicate': {
      const a = prng.pick(ids);
      const b = prng.pick(ids.filter((x) => x !== a));
      cluster.setLink(a, b, { duplicateRate: prng.pick([0, 0.2]) });
      count();
      return;
    }
    case 'slowDisk':
      cluster.setDisk(prng.pick(ids), prng.pick([2, 50, 400]));
      count();
      return;
    case 'forceElection':
      if (alive.length > 0) {
        cluster.forceElection(prng.pick(alive));
        count();
      }
      return;
  }
}

function logSource(cluster: Cluster) {
  return {
    ids: () => cluster.ids(),
    isAlive: (id: number) => cluster.isAlive(id),
    leader: () => cluster.leader(),
    status: (id: number) => cluster.status(id),
    log: (id: number, from: number, to: number) => cluster.host(id).log(from, to),
  };
}
