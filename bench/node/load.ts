// Shared workloads of the Node benchmarks: a 5-node (or N-node) inline playground with memory
// storage, driven by many etcd clients with many calls in flight each, so that proposals and
// ReadIndex requests arrive while earlier batches are still being written and replicated and
// batch up as they do in etcd. Time is virtual; cost is measured as process CPU time
// (process.cpuUsage user + system), which is what the simulation spends per operation.

import { createPlayground, type Playground } from '../../src/playground/index';
import type { EtcdClient } from '../../src/client/api';

export interface LoadSpec {
  nodes: number;
  seed?: number;
  /** Independent clients (one connection each, etcd's round-robin balancer over all members). */
  clients: number;
  /** Calls in flight per client (closed loop each). */
  inFlight: number;
  /** Value size in bytes (etcd's reference bench used 64-byte values). */
  valueBytes?: number;
  snapshotCount?: number;
}

export interface PhaseResult {
  ops: number;
  failed: number;
  cpuS: number;
  wallMs: number;
  virtualMs: number;
}

export type Op = 'put' | 'linGet' | 'serGet';

/**
 * A cluster with its clients. `phase(op, ms)` switches every loop to `op`, lets the switch
 * settle for a short warm-up, then measures `ms` of virtual time.
 */
export class LoadRig {
  private op: Op = 'put';
  private stopped = false;
  private ok = 0;
  private bad = 0;
  private loops: Promise<void>[] = [];

  private constructor(
    readonly p: Playground,
    readonly spec: Required<Pick<LoadSpec, 'valueBytes'>> & LoadSpec,
    private readonly clients: EtcdClient[],
  ) {}

  static async create(spec: LoadSpec): Promise<LoadRig> {
    const opts: Parameters<typeof createPlayground>[0] = { nodes: spec.nodes, seed: spec.seed ?? 1 };
    if (spec.snapshotCount !== undefined) opts.snapshotCount = spec.snapshotCount;
    const p = await createPlayground(opts);
    await p.waitForLeader({ timeoutMs: 10_000 });
    // Background clients: the rig moves virtual time itself (autoAdvance off).
    const clients = Array.from({ length: spec.clients }, () => p.client({ autoAdvance: false }));
    const rig = new LoadRig(p, { valueBytes: 64, ...spec }, clients);
    // Seed the read key so reads return a value.
    const c = p.client();
    await c.put('bench/read', 'v'.repeat(rig.spec.valueBytes));
    return rig;
  }

  private start(): void {
    const value = 'v'.repeat(this.spec.valueBytes);
    this.clients.forEach((c, ci) => {
      for (let j = 0; j < this.spec.inFlight; j++) {
        this.loops.push(
          (async () => {
            let n = j;
            while (!this.stopped) {
              try {
                if (this.op === 'put') await c.put(`bench/w${ci}/${n % 1000}`, value);
                else if (this.op === 'linGet') await c.get('bench/read');
                else await c.get('bench/read', { serializable: true });
                this.ok++;
              } catch {
                this.bad++;
              }
              n += this.spec.inFlight;
            }
          })(),
        );
      }
    });
  }

  /** Runs `op` for `warmupMs`, then measures `ms` of virtual time. */
  async phase(op: Op, ms: number, warmupMs = 300): Promise<PhaseResult> {
    this.op = op;
    if (this.loops.length === 0) this.start();
    await this.p.advance(warmupMs);
    // Collect the previous phase's garbage now, so that each phase pays for its own (node
    // --expose-gc; process.cpuUsage counts the GC threads too).
    (globalThis as { gc?: () => void }).gc?.();
    const ok0 = this.ok;
    const bad0 = this.bad;
    const v0 = this.p.now();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await this.p.advance(ms);
    const c = process.cpuUsage(c0);
    return {
      ops: this.ok - ok0,
      failed: this.bad - bad0,
      cpuS: (c.user + c.system) / 1e6,
      wallMs: performance.now() - t0,
      virtualMs: this.p.now() - v0,
    };
  }

  /** Stops the loops (calls still in flight are abandoned with the cluster). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.p.dispose();
  }
}

/** The sim_puts scenario: 5 nodes (or `nodes`), 100 clients × 8 puts in flight, 64-byte values. */
export const PUT_LOAD = { clients: 100, inFlight: 8, valueBytes: 64 } as const;

export async function putsPerCpuSecond(nodes: number, virtualMs: number, seed = 1): Promise<PhaseResult & { perCpuS: number }> {
  const rig = await LoadRig.create({ nodes, seed, ...PUT_LOAD });
  const r = await rig.phase('put', virtualMs);
  await rig.stop();
  return { ...r, perCpuS: r.ops / r.cpuS };
}
