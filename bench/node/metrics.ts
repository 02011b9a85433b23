// The benchmark metrics measured in Node on the inline executor (memory storage): throughput per
// CPU-second, linearizable vs serializable reads, leader-loss time after a graceful stop vs a
// crash, seek, scaling with the cluster size, and heap per node with a 100,000-entry log. Each
// function builds its own playground(s) through the real Playground API and returns one
// results.json entry; bench/node/child.ts runs one of them per process (a clean heap each).

import { createPlayground, type Playground } from '../../src/playground/index';
import { LoadRig, PUT_LOAD, type PhaseResult } from './load';

export interface MetricResult {
  value: number | Record<string, number> | null;
  unit: string;
  [field: string]: unknown;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 0): number => Number(x.toFixed(digits));

/** A tiny seeded generator for the bench's own choices (instants to seek to, partitions). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// ---------------------------------------------------------------------------------------------
// 1. sim_puts_per_cpu_s (and 10. by nodes)

const PUT_MEASURE_MS = 2_000;

async function putRun(nodes: number, seed: number): Promise<PhaseResult> {
  const rig = await LoadRig.create({ nodes, seed, ...PUT_LOAD });
  const r = await rig.phase('put', PUT_MEASURE_MS);
  await rig.stop();
  return r;
}

export async function simPutsPerCpuS(): Promise<MetricResult> {
  const runs: PhaseResult[] = [];
  for (const seed of [1, 2, 3]) runs.push(await putRun(5, seed));
  const rates = runs.map((r) => r.ops / r.cpuS);
  return {
    value: round(median(rates)),
    unit: 'puts/CPU-s',
    nodes: 5,
    ...PUT_LOAD,
    virtualMsPerRun: PUT_MEASURE_MS,
    runs: runs.map((r) => ({
      puts: r.ops,
      failed: r.failed,
      cpuS: round(r.cpuS, 3),
      putsPerCpuS: round(r.ops / r.cpuS),
      putsPerVirtualS: round(r.ops / (r.virtualMs / 1000)),
    })),
    note: 'median of 3 seeds; committed (acknowledged) puts per CPU-second of the whole simulation (coordinator, clients and all members)',
  };
}

export async function simPutsByNodes(): Promise<MetricResult> {
  const value: Record<string, number> = {};
  const detail: Record<string, unknown> = {};
  for (const n of [3, 5, 7, 9]) {
    const r = await putRun(n, 1);
    value[String(n)] = round(r.ops / r.cpuS);
    detail[String(n)] = { puts: r.ops, failed: r.failed, cpuS: round(r.cpuS, 3), putsPerVirtualS: round(r.ops / (r.virtualMs / 1000)) };
  }
  return { value, unit: 'puts/CPU-s', ...PUT_LOAD, virtualMsPerRun: PUT_MEASURE_MS, detail };
}

// ---------------------------------------------------------------------------------------------
// 2. lin_vs_ser_read_ratio

/** 100 clients x 16 gets in flight: see linVsSerReads. */
const READ_IN_FLIGHT = 16;

export async function linVsSerReads(): Promise<MetricResult> {
  // 1,600 gets in flight: enough that linearizable reads are bound by CPU rather than by the
  // ReadIndex round trip's virtual latency. At the put benchmark's 800 in flight they are
  // latency-bound (a few thousand per virtual second), so costs paid per virtual second (ticks,
  // heartbeats, the playground's checkpoints) weigh on each of them far more than on
  // serializable gets, which run ~20x more per virtual second.
  // One cluster, one run, short alternating phases of equal virtual length, so that drift (heap
  // growth, JIT) and the playground's periodic checkpoints fall on both alike.
  const rig = await LoadRig.create({ nodes: 5, seed: 1, clients: PUT_LOAD.clients, inFlight: READ_IN_FLIGHT, valueBytes: PUT_LOAD.valueBytes });
  const acc = { linGet: { ops: 0, cpuS: 0, failed: 0, virtualMs: 0 }, serGet: { ops: 0, cpuS: 0, failed: 0, virtualMs: 0 } };
  for (let round = 0; round < 4; round++) {
    for (const [op, ms] of [['linGet', 500], ['serGet', 500]] as const) {
      const r = await rig.phase(op, ms);
      acc[op].ops += r.ops;
      acc[op].cpuS += r.cpuS;
      acc[op].failed += r.failed;
      acc[op].virtualMs += r.virtualMs;
    }
  }
  await rig.stop();
  const lin = acc.linGet.ops / acc.linGet.cpuS;
  const ser = acc.serGet.ops / acc.serGet.cpuS;
  return {
    value: round(lin / ser, 3),
    unit: 'ratio',
    lin: round(lin),
    ser: round(ser),
    linOps: acc.linGet.ops,
    serOps: acc.serGet.ops,
    linPerVirtualS: round(acc.linGet.ops / (acc.linGet.virtualMs / 1000)),
    serPerVirtualS: round(acc.serGet.ops / (acc.serGet.virtualMs / 1000)),
    failed: acc.linGet.failed + acc.serGet.failed,
    nodes: 5,
    clients: PUT_LOAD.clients,
    inFlight: READ_IN_FLIGHT,
    note: 'gets per CPU-second: linearizable (ReadIndex, batched) vs serializable, same cluster and run, 4 rounds of 0.5 s linearizable + 0.5 s serializable (virtual)',
  };
}

// ---------------------------------------------------------------------------------------------
// 5. transfer_vs_crash_leader_loss_ratio

/**
 * Virtual ms without a live leader after the current leader is stopped gracefully (etcd's
 * SIGTERM: leadership transfer first) or killed, until a new leader is there.
 */
async function leaderLoss(seed: number, how: 'stop' | 'kill'): Promise<number> {
  const p = await createPlayground({ nodes: 3, seed });
  const lead = await p.waitForLeader({ timeoutMs: 10_000 });
  const c = p.client();
  await c.put('k', 'v');
  await p.advance(2_000);
  let since: number | undefined;
  let total = 0;
  const check = (time: number): void => {
    const l = p.leader();
    if (l === undefined && since === undefined) since = time;
    if (l !== undefined && since !== undefined) {
      total += time - since;
      since = undefined;
    }
  };
  const off = p.subscribe((e) => check(e.time));
  check(p.now());
  if (how === 'stop') await p.stop(lead);
  else await p.kill(lead);
  const ok = await p.runUntil(() => p.leader() !== undefined && p.leader() !== lead, { timeoutMs: 20_000 });
  check(p.now());
  off();
  await p.dispose();
  if (!ok) throw new Error(`seed ${seed}: no new leader within 20 s after ${how}`);
  return total;
}

export async function transferVsCrash(): Promise<MetricResult> {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
  const stop: number[] = [];
  const kill: number[] = [];
  for (const s of seeds) {
    stop.push(await leaderLoss(s, 'stop'));
    kill.push(await leaderLoss(s, 'kill'));
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    value: round(mean(stop) / mean(kill), 4),
    unit: 'ratio',
    stop: round(mean(stop), 1),
    kill: round(mean(kill), 1),
    stopMs: stop,
    killMs: kill,
    nodes: 3,
    seeds: seeds.length,
    note: 'mean virtual ms without a leader: graceful stop (leadership transfer) vs kill, same seeds; etcd 3.4 here: 12 vs 1,079 ms (0.011)',
  };
}

// ---------------------------------------------------------------------------------------------
// 7. seek_ms

/** A 10-minute virtual run: a client writing and reading, and a few faults. */
async function tenMinuteRun(p: Playground): Promise<{ ops: number; faults: number }> {
  await p.waitForLeader({ timeoutMs: 10_000 });
  const c = p.client({ autoAdvance: false, requestTimeoutMs: 3_000 });
  let ops = 0;
  let stopped = false;
  const loop = (async () => {
    let n = 0;
    while (!stopped) {
      try {
        if (n % 3 === 2) await c.get(`seek/k${n % 50}`);
        else await c.put(`seek/k${n % 50}`, `v${n}`);
        ops++;
      } catch {
        // Faults make some calls fail; the run goes on.
      }
      n++;
    }
  })();
  const ids = p.status().map((s) => s.id);
  const minute = 60_000;
  let faults = 0;
  const at = async (t: number): Promise<void> => {
    if (t > p.now()) await p.advance(t - p.now());
  };
  await at(1.5 * minute);
  const l1 = p.leader() ?? ids[0]!;
  await p.kill(l1);
  faults++;
  await at(2.5 * minute);
  await p.restart(l1);
  faults++;
  await at(4 * minute);
  const l2 = p.leader() ?? ids[1]!;
  const others = ids.filter((id) => id !== l2);
  p.partition([[l2, others[0]!], others.slice(1)]);
  faults++;
  await at(5 * minute);
  p.heal();
  faults++;
  await at(6.5 * minute);
  const f = p.status().find((s) => s.alive && s.role !== 'StateLeader')?.id ?? ids[2]!;
  await p.stop(f);
  faults++;
  await at(7.5 * minute);
  await p.restart(f);
  faults++;
  await at(8.5 * minute);
  p.isolate(p.leader() ?? ids[0]!);
  faults++;
  await at(9 * minute);
  p.heal();
  faults++;
  await at(10 * minute);
  stopped = true;
  void loop;
  return { ops, faults };
}

export async function seekMs(): Promise<MetricResult> {
  const p = await createPlayground({ nodes: 5, seed: 1 });
  const seek = (p as unknown as { seek?: (t: number) => Promise<void> }).seek;
  if (typeof seek !== 'function') {
    await p.dispose();
    return { value: null, unit: 'ms', note: 'seek not implemented' };
  }
  const t0 = performance.now();
  const run = await tenMinuteRun(p);
  const runWallMs = performance.now() - t0;
  const end = p.now();
  const rnd = lcg(20_240_601);
  const times: number[] = [];
  const instants: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = Math.round(rnd() * end);
    const s = performance.now();
    await seek.call(p, t);
    times.push(performance.now() - s);
    instants.push(t);
    if (p.now() !== t) throw new Error(`seek(${t}) landed at ${p.now()}`);
  }
  await p.dispose();
  return {
    value: round(median(times), 1),
    unit: 'ms',
    median: round(median(times), 1),
    max: round(Math.max(...times), 1),
    seeks: times.length,
    runVirtualMs: end,
    runWallMs: round(runWallMs),
    clientOps: run.ops,
    faults: run.faults,
    seekMs: times.map((t) => round(t, 1)),
    instants,
    note: 'wall ms per seek to a random instant of a 10-minute, 5-node inline run (client puts/gets, kill/restart, partition/heal, stop, isolate)',
  };
}

// ---------------------------------------------------------------------------------------------
// 11. memory_per_node_100k_entries_mb

export async function memoryPer100kEntries(): Promise<MetricResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return { value: null, unit: 'MB', note: 'needs node --expose-gc' };
  const nodes = 3;
  const target = 100_000;
  gc();
  const before = process.memoryUsage().heapUsed;
  const rig = await LoadRig.create({ nodes, seed: 1, clients: 200, inFlight: 8, valueBytes: 64, snapshotCount: 1_000_000_000 });
  const lastIndex = (): number => Math.min(...rig.p.status().map((s) => s.lastIndex));
  while (lastIndex() < target) await rig.phase('put', 1_000, 0);
  const entries = lastIndex();
  const firstIndex = Math.max(...rig.p.status().map((s) => s.firstIndex));
  gc();
  const after = process.memoryUsage().heapUsed;
  const deltaMb = (after - before) / 2 ** 20;
  const revision = Math.max(...rig.p.status().map((s) => s.revision));
  await rig.stop();
  return {
    value: round(deltaMb / nodes, 1),
    unit: 'MB',
    nodes,
    logEntries: entries,
    firstIndex,
    revision,
    heapDeltaMb: round(deltaMb, 1),
    note: 'heap after gc with every member holding >= 100,000 uncompacted entries (and the MVCC revisions they wrote), minus the heap before the playground, divided by members; includes the coordinator (client history, recording, checkpoints) shared by all members',
  };
}

export const NODE_METRICS: Record<string, () => Promise<MetricResult>> = {
  sim_puts_per_cpu_s: simPutsPerCpuS,
  lin_vs_ser_read_ratio: linVsSerReads,
  transfer_vs_crash_leader_loss_ratio: transferVsCrash,
  seek_ms: seekMs,
  sim_puts_per_cpu_s_by_nodes: simPutsByNodes,
  memory_per_node_100k_entries_mb: memoryPer100kEntries,
};
