// `npm run bench`: measures the metrics of issue 6 in a fixed order, prints a table with each
// value beside its goal, and writes bench/results.json (an object keyed by metric name, each
// `{ value, unit, ... }`, plus `machine`). `npm run bench -- --only a,b` runs a subset and merges
// it into the existing results.json. Node metrics run one per child process (clean heap, --expose-gc);
// browser metrics share one production build, one `vite preview` and one Chromium.
//
// Numbers are ratios and rates taken on this shared, noisy machine: they are reported, never
// asserted (no test depends on them).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MetricResult } from './node/metrics';
import { buildApp, chromiumVersion, openBrowser, serveDist, type BrowserSession, type Served } from './browser/serve';
import { bundleSize, firstLeader, idbMetrics, idbRun, uiFrames, type IdbRun } from './browser/metrics';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

interface Goal {
  text: string;
  met?: (r: MetricResult) => boolean;
}

type Where = 'node' | 'browser' | 'build';

/** The metrics, in the order of the issue. */
const METRICS: Array<{ name: string; where: Where; goal: Goal }> = [
  { name: 'sim_puts_per_cpu_s', where: 'node', goal: { text: '>= 100,000', met: (r) => num(r) >= 100_000 } },
  { name: 'lin_vs_ser_read_ratio', where: 'node', goal: { text: '>= 0.9', met: (r) => num(r) >= 0.9 } },
  { name: 'idb_durable_puts_per_s', where: 'browser', goal: { text: '> 1,900 (etcd 3.4: 1,500-1,900)', met: (r) => num(r) > 1_900 } },
  { name: 'idb_durable_vs_ceiling_ratio', where: 'browser', goal: { text: '>= 0.5', met: (r) => num(r) >= 0.5 } },
  { name: 'transfer_vs_crash_leader_loss_ratio', where: 'node', goal: { text: '<= 0.05', met: (r) => num(r) <= 0.05 } },
  { name: 'ui_frame_p95_ms', where: 'browser', goal: { text: '<= 16.7', met: (r) => num(r) <= 16.7 } },
  { name: 'seek_ms', where: 'node', goal: { text: '<= 200 (median and max)', met: (r) => num(r) <= 200 && Number(r['max']) <= 200 } },
  { name: 'first_leader_ms', where: 'browser', goal: { text: '<= 1,500', met: (r) => num(r) <= 1_500 } },
  { name: 'bundle_gzip_kb', where: 'build', goal: { text: '<= 250', met: (r) => num(r) <= 250 } },
  { name: 'sim_puts_per_cpu_s_by_nodes', where: 'node', goal: { text: '(reported)' } },
  { name: 'memory_per_node_100k_entries_mb', where: 'node', goal: { text: '(reported)' } },
];

function num(r: MetricResult): number {
  return typeof r.value === 'number' ? r.value : NaN;
}

function parseOnly(argv: string[]): Set<string> | undefined {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return undefined;
  const list = argv[i]!.includes('=') ? argv[i]!.split('=')[1]! : (argv[i + 1] ?? '');
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known = new Set(METRICS.map((m) => m.name));
  for (const n of names) {
    if (known.has(n)) continue;
    console.error(`unknown metric "${n}"; known: ${[...known].join(', ')}`);
    process.exit(2);
  }
  return new Set(names);
}

/** Runs one Node metric in its own process; resolves with its entry (or an error entry). */
function runNodeMetric(name: string): Promise<MetricResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', 'bench/node/child.ts', name], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice('RESULT '.length)) as MetricResult);
      else resolve({ value: null, unit: '', error: `exit ${code}: ${(err.trim().split('\n').slice(-5).join(' | ') || out.trim().slice(-500))}` });
    });
  });
}

async function errorEntry(f: () => Promise<MetricResult>): Promise<MetricResult> {
  try {
    return await f();
  } catch (e) {
    return { value: null, unit: '', error: (e as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(e) };
  }
}

function formatValue(r: MetricResult): string {
  if (r.value === null) return r['error'] !== undefined ? 'ERROR' : 'n/a';
  if (typeof r.value === 'object') return Object.entries(r.value).map(([k, v]) => `${k}: ${v.toLocaleString('en-US')}`).join(', ');
  return r.value.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

function detail(name: string, r: MetricResult): string {
  if (r['error'] !== undefined) return String(r['error']).slice(0, 160);
  if (r.value === null) return String(r['note'] ?? '');
  switch (name) {
    case 'lin_vs_ser_read_ratio':
      return `lin ${r['lin']} vs ser ${r['ser']} gets/CPU-s, ${r['clients']} clients x ${r['inFlight']} in flight`;
    case 'idb_durable_puts_per_s':
      return `${r['putsPerTransaction']} puts/transaction, ${r['failed']} failed`;
    case 'idb_durable_vs_ceiling_ratio':
      return `cluster ${r['cluster']} vs ceiling ${r['ceiling']} puts/s (batch ${r['ceilingBatch']})`;
    case 'transfer_vs_crash_leader_loss_ratio':
      return `stop ${r['stop']} ms vs kill ${r['kill']} ms (mean, ${r['seeds']} seeds)`;
    case 'ui_frame_p95_ms':
      return `${r['longTasks']} long tasks (${r['longTaskMs']} ms), median ${r['medianMs']} ms, ${r['fps']} fps`;
    case 'seek_ms':
      return `median ${r['median']}, max ${r['max']} ms over ${r['seeks']} seeks`;
    case 'first_leader_ms':
      return `loads: ${(r['loadsMs'] as number[]).join(', ')} ms`;
    case 'bundle_gzip_kb':
      return `workers: ${Object.entries(r['workers'] as Record<string, number>).map(([f, k]) => `${f.replace(/^assets\//, '')} ${k} KB`).join(', ')}`;
    case 'sim_puts_per_cpu_s':
      return `median of 3 seeds, ${r['clients']} clients x ${r['inFlight']} in flight`;
    case 'memory_per_node_100k_entries_mb':
      return `heap +${r['heapDeltaMb']} MB, ${r['nodes']} nodes, ${r['logEntries']} entries`;
    default:
      return '';
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(rows[0]!), sep, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const only = parseOnly(process.argv.slice(2));
  const selected = METRICS.filter((m) => only === undefined || only.has(m.name));
  const results: Record<string, MetricResult> = {};
  const started = performance.now();
  const log = (s: string): void => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${s}`);

  // Browser and build metrics: one build, one server, one Chromium.
  const browserSide = selected.filter((m) => m.where !== 'node');
  let chromium = 'not run';
  if (browserSide.length > 0) {
    log('vite build');
    const built = await errorEntry(async () => {
      await buildApp();
      return { value: 0, unit: '' };
    });
    if (built['error'] !== undefined) {
      for (const m of browserSide) results[m.name] = { ...built, error: `build failed: ${built['error']}` };
    } else {
      if (selected.some((m) => m.name === 'bundle_gzip_kb')) results['bundle_gzip_kb'] = await errorEntry(async () => bundleSize(`${ROOT}dist`));
      const inBrowser = browserSide.filter((m) => m.where === 'browser');
      if (inBrowser.length > 0) {
        chromium = chromiumVersion();
        let served: Served | undefined;
        let s: BrowserSession | undefined;
        try {
          served = await serveDist();
          const fresh = async (viewport?: { width: number; height: number }): Promise<BrowserSession> => {
            await s?.close();
            s = await openBrowser(viewport ? { viewport } : {});
            // tsx compiles this file with esbuild's keepNames: functions handed to page.evaluate
            // may call its __name helper, which the page does not have.
            await s.context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
            return s;
          };
          const want = (n: string): boolean => inBrowser.some((m) => m.name === n);
          if (want('idb_durable_puts_per_s') || want('idb_durable_vs_ceiling_ratio')) {
            log('IndexedDB: worker executor cluster and ceiling');
            let run: IdbRun | undefined;
            const e = await errorEntry(async () => {
              run = await idbRun(await fresh(), served!.baseUrl);
              return { value: 0, unit: '' };
            });
            const m = run !== undefined ? idbMetrics(run) : { puts: e, ratio: e };
            if (want('idb_durable_puts_per_s')) results['idb_durable_puts_per_s'] = m.puts;
            if (want('idb_durable_vs_ceiling_ratio')) results['idb_durable_vs_ceiling_ratio'] = m.ratio;
          }
          if (want('ui_frame_p95_ms')) {
            log('UI frames: 7 nodes at 1x for 10 s');
            results['ui_frame_p95_ms'] = await errorEntry(async () => uiFrames(await fresh({ width: 1280, height: 720 }), served!.baseUrl));
          }
          if (want('first_leader_ms')) {
            log('first leader on screen: 5 loads');
            results['first_leader_ms'] = await errorEntry(async () => firstLeader(await fresh(), served!.baseUrl));
          }
        } finally {
          await s?.close();
          await served?.close();
        }
      }
    }
  }

  for (const m of selected.filter((x) => x.where === 'node')) {
    log(m.name);
    results[m.name] = await runNodeMetric(m.name);
  }

  // Merge into the existing file (a subset run keeps the other metrics), in the issue's order.
  let previous: Record<string, unknown> = {};
  if (only !== undefined && existsSync(RESULTS)) previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  const prevMachine = (previous['machine'] ?? {}) as Record<string, unknown>;
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    chromium: chromium === 'not run' ? (prevMachine['chromium'] ?? chromium) : chromium,
    date: new Date().toISOString(),
    ...(only !== undefined ? { lastRun: [...only] } : {}),
  };
  const out: Record<string, unknown> = {};
  for (const m of METRICS) {
    const r = results[m.name] ?? previous[m.name];
    if (r !== undefined) out[m.name] = r;
  }
  out['machine'] = machine;
  writeFileSync(RESULTS, JSON.stringify(out, null, 2) + '\n');

  const rows = [['metric', 'value', 'unit', 'goal', 'met', 'detail']];
  for (const m of METRICS) {
    const r = out[m.name] as MetricResult | undefined;
    if (r === undefined) continue;
    const ran = results[m.name] !== undefined ? '' : ' (previous run)';
    const met = m.goal.met === undefined ? '-' : r.value === null ? 'no' : m.goal.met(r) ? 'yes' : 'no';
    rows.push([m.name + ran, formatValue(r), r.unit, m.goal.text, met, detail(m.name, r)]);
  }
  console.log(table(rows));
  console.log(
    `\nmachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGb} GiB, Node ${machine.node}, ${machine.chromium}, ${machine.date}`,
  );
  console.log(`wrote ${RESULTS} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
