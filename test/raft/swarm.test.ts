// The seeded swarm: random faults against 5 RawNodes, checking the Raft paper's safety properties
// after every step, then a healed phase that must converge. Pinned regression seeds run first;
// SWARM_SEEDS=N runs more, SWARM_SEED=S reruns one.

import { describe, expect, it } from 'vitest';
import { runSwarm } from './swarm';

/** Seeds that once exposed bugs or interesting paths; keep them first. */
const REGRESSION_SEEDS: number[] = [1, 2, 3];

const extra = Number(process.env.SWARM_SEEDS ?? 12);
const only = process.env.SWARM_SEED !== undefined ? [Number(process.env.SWARM_SEED)] : undefined;
const seeds = only ?? [...REGRESSION_SEEDS, ...Array.from({ length: extra }, (_, i) => 1000 + i * 7919)];
const STEPS = Number(process.env.SWARM_STEPS ?? 3000);

describe('swarm: 5 RawNodes with loss, partitions, crashes and restarts', () => {
  it.each(seeds)('seed %i keeps every safety property and converges after healing', (seed) => {
    const r = runSwarm({ seed, steps: STEPS });
    // The run must actually exercise the protocol, or its passing means nothing.
    expect(r.leadersElected).toBeGreaterThan(1);
    expect(r.committed).toBeGreaterThan(10);
    expect(r.delivered).toBeGreaterThan(1000);
  });

  it('catches a broken protocol: voting without the up-to-date check violates Leader Completeness', () => {
    const failures = [1, 2, 3, 4].filter((seed) => {
      try {
        runSwarm({ seed, steps: 3000, sabotage: 'skip-up-to-date-check', liveness: false });
        return false;
      } catch (e) {
        expect((e as Error).message).toMatch(/violated/);
        expect((e as Error).message).toContain(`seed=${seed}`);
        return true;
      }
    });
    expect(failures.length).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic: the same seed gives the same run', () => {
    const a = runSwarm({ seed: 42, steps: 800 });
    const b = runSwarm({ seed: 42, steps: 800 });
    expect(a).toEqual(b);
  });

  it('exercises crashes, partitions and snapshots across the seeds', () => {
    const rs = [5, 6, 7].map((seed) => runSwarm({ seed, steps: 3000 }));
    expect(rs.reduce((s, r) => s + r.crashes, 0)).toBeGreaterThan(0);
    expect(rs.reduce((s, r) => s + r.partitions, 0)).toBeGreaterThan(0);
    expect(rs.reduce((s, r) => s + r.snapshotsSent, 0)).toBeGreaterThan(0);
  });
});
