// CPU profile of the sim_puts_per_cpu_s scenario (5 nodes, the same clients and values as the
// benchmark), taken with V8's sampling profiler over the measured phase only (setup, module
// loading and warm-up excluded). Writes the raw profile to bench/sim-puts.cpuprofile (open it in
// Chrome DevTools) and prints the top self-time and inclusive-time functions with their share.
//
//   node --expose-gc --import tsx bench/profile.ts [virtualMs] [nodes]

import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LoadRig, PUT_LOAD } from './node/load';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const virtualMs = Number(process.argv[2] ?? 1500);
const nodes = Number(process.argv[3] ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));

const rig = await LoadRig.create({ nodes, ...PUT_LOAD });
await rig.phase('put', 300, 0); // warm-up (JIT, steady batching)
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
const r = await rig.phase('put', virtualMs, 0);
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
await rig.stop();
writeFileSync(new URL('./sim-puts.cpuprofile', import.meta.url), JSON.stringify(profile));

const label = (n: ProfileNode): string => {
  const cf = n.callFrame;
  const where = cf.url === '' ? '' : ` ${cf.url.replace(/^file:\/\//, '').replace(root, '')}:${cf.lineNumber + 1}`;
  return `${cf.functionName || '(anonymous)'}${where}`;
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const d = profile.timeDeltas[i] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + d);
  total += d;
});
const self = new Map<string, number>();
const incl = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  self.set(label(n), (self.get(label(n)) ?? 0) + us);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + us);
  }
}
const pct = (us: number): string => `${((100 * us) / total).toFixed(1)}%`;
console.log(
  `profiled ${r.virtualMs} virtual ms: ${r.ops} puts acknowledged, ${r.cpuS.toFixed(2)} CPU s ` +
    `(${Math.round(r.ops / r.cpuS)} puts/CPU-s under the profiler), ${(total / 1000).toFixed(0)} ms sampled`,
);
console.log('\nself time:');
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${pct(us).padStart(6)}  ${k}`);
console.log('\ninclusive time:');
for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${pct(us).padStart(6)}  ${k}`);
