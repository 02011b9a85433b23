// `npm run sim -- --seeds N [--from S] [--safety-ms MS]`: a longer simulation campaign. Prints one
// line per failing seed (with its trace) and a summary; exits non-zero on any failure.
import { runSim } from './sim';

async function main(argv: string[]): Promise<number> {
  const arg = (name: string, def: number): number => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  const n = arg('--seeds', 1000);
  const from = arg('--from', 100_000);
  const safetyMs = arg('--safety-ms', 15_000);
  let failed = 0;
  const faults: Record<string, number> = {};
  let ops = 0;
  const t0 = performance.now();
  for (let seed = from; seed < from + n; seed++) {
    const r = await runSim({ seed, safetyMs });
    for (const [k, v] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + v;
    ops += r.ops.ok + r.ops.failed;
    if (r.violations.length > 0 || !r.converged || r.linearizable === false) {
      failed++;
      process.stdout.write(`FAIL seed ${seed}: ${r.converged ? '' : 'no convergence; '}${r.violations.map((v) => `${v.property}: ${v.message}`).join('; ')}\n  ${r.trace.slice(-40).join('\n  ')}\n`);
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`${n} seeds (${from}..${from + n - 1}) in ${secs} s: ${n - failed} passed, ${failed} failed; ${ops} client ops; faults ${JSON.stringify(faults)}\n`);
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
