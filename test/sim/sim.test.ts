// Seeded simulation: every fault class against 3- and 5-member clusters under a client workload,
// with live safety checkers, a healed liveness phase and a linearizability check of the history.
// Pinned regression seeds run first; SIM_SEEDS=N (default 300) sets how many more run in CI.
// `npm run sim -- --seeds N` runs longer campaigns and prints a report.

import { describe, expect, it } from 'vitest';
import { runSim } from './sim';

/** Seeds that once failed or cover rare paths; they run first. */
export const REGRESSION_SEEDS: number[] = [1, 2, 3, 9];

const count = Number(process.env.SIM_SEEDS ?? 300);
const seeds = process.env.SIM_SEED !== undefined ? [Number(process.env.SIM_SEED)] : [...REGRESSION_SEEDS, ...Array.from({ length: count }, (_, i) => 10_000 + i)];

describe('seeded simulation', () => {
  it(`keeps every safety property and converges after healing, over ${seeds.length} seeds`, async () => {
    const failures: string[] = [];
    let totalFaults = 0;
    let totalOps = 0;
    for (const seed of seeds) {
      const r = await runSim({ seed });
      totalFaults += Object.values(r.faults).reduce((a, b) => a + b, 0);
      totalOps += r.ops.ok + r.ops.failed;
      if (r.violations.length > 0 || !r.converged || r.linearizable === false) {
        failures.push(
          `seed ${seed} (rerun: SIM_SEED=${seed} npx vitest run test/sim): ${r.converged ? '' : 'did not converge; '}` +
            r.violations.map((v) => `${v.property}: ${v.message}`).join('; ') +
            `\n  trace:\n    ${r.trace.slice(-40).join('\n    ')}`,
        );
        if (failures.length >= 3) break;
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    // The runs must exercise faults and client operations, or passing means nothing.
    expect(totalFaults).toBeGreaterThan(seeds.length * 5);
    expect(totalOps).toBeGreaterThan(seeds.length * 20);
  });
});
