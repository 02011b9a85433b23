// The benchmark metrics measured in headless Chromium against the production build: durable puts
// per second on the worker executor with IndexedDB and the page's own IndexedDB ceiling, frame
// times of the real app playing 7 nodes at 1x, time to the first leader on screen, and the gzip
// size of the JavaScript index.html loads. Page-side code runs through page.evaluate, so it may
// only use what the page has (window.harness, window.playground, the DOM).

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserSession } from './serve';
import type { MetricResult } from '../node/metrics';
import type { Playground } from '../../src/playground/index';

/** The app exposes its live Playground as window.playground (src/ui/session.ts). */
type AppWindow = { playground?: Playground };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 0): number => Number(x.toFixed(digits));

// ---------------------------------------------------------------------------------------------
// 3./4. idb_durable_puts_per_s and idb_durable_vs_ceiling_ratio

export interface IdbRun {
  cluster: {
    puts: number;
    failed: number;
    wallMs: number;
    virtualMs: number;
    putsPerS: number;
    transactions: number;
    putsPerTransaction: number;
  };
  ceiling: { rows: number; transactions: number; wallMs: number; putsPerS: number; batch: number; writers: number; rowBytes: number };
}

const IDB_SHAPE = { nodes: 3, clients: 64, inFlight: 8, valueBytes: 64, warmupMs: 2_000, measureMs: 10_000 } as const;

/**
 * The worker executor with IndexedDB (3 nodes, one worker and one database each), driven as fast
 * as the page can: acknowledged puts per real second. Then, in the same page, the ceiling: three
 * workers (one per member, as the cluster has) each putting rows of the same shape and size into
 * a database of its own, in transactions of the cluster's average puts per transaction, with the
 * backend's durability ('default'), as fast as IndexedDB takes them.
 */
export async function idbRun(s: BrowserSession, baseUrl: string): Promise<IdbRun> {
  await s.page.goto(new URL('harness.html', baseUrl).toString());
  await s.page.waitForFunction(() => document.body.dataset['ready'] === 'true');
  return s.page.evaluate(async (shape) => {
    await window.harness.clearDatabases();
    // Each call of WorkerHost.commitWrite completes one Ready: one IndexedDB transaction.
    const proto = window.harness.WorkerHost.prototype as unknown as { commitWrite: (...a: unknown[]) => Promise<unknown> };
    const original = proto.commitWrite;
    let transactions = 0;
    proto.commitWrite = function (this: unknown, ...a: unknown[]) {
      transactions++;
      return original.apply(this, a);
    };
    const p = await window.harness.createPlayground({ nodes: shape.nodes, seed: 1, executor: 'worker', storage: 'indexeddb', dbPrefix: 'bench-idb' });
    await p.waitForLeader({ timeoutMs: 10_000 });
    const value = 'v'.repeat(shape.valueBytes);
    let ok = 0;
    let failed = 0;
    let stopped = false;
    for (let c = 0; c < shape.clients; c++) {
      const client = p.client({ autoAdvance: false, requestTimeoutMs: 60_000 });
      for (let j = 0; j < shape.inFlight; j++) {
        void (async () => {
          for (let n = j; !stopped; n += shape.inFlight) {
            try {
              await client.put(`bench/w${c}/${n % 1000}`, value);
              ok++;
            } catch {
              failed++;
            }
          }
        })();
      }
    }
    const drive = async (ms: number): Promise<void> => {
      const end = performance.now() + ms;
      while (performance.now() < end) await p.advance(10);
    };
    await drive(shape.warmupMs);
    const ok0 = ok;
    const failed0 = failed;
    const tx0 = transactions;
    const v0 = p.now();
    const t0 = performance.now();
    await drive(shape.measureMs);
    const wallMs = performance.now() - t0;
    const puts = ok - ok0;
    const tx = transactions - tx0;
    const cluster = {
      puts,
      failed: failed - failed0,
      wallMs,
      virtualMs: p.now() - v0,
      putsPerS: puts / (wallMs / 1000),
      transactions: tx,
      // Every member stores every entry: puts per member transaction.
      putsPerTransaction: (puts * shape.nodes) / Math.max(1, tx),
    };
    stopped = true;
    proto.commitWrite = original;
    await p.dispose();

    // The ceiling: plain IndexedDB in workers, no Raft.
    const batch = Math.max(1, Math.round(cluster.putsPerTransaction));
    const workerCode = `
      onmessage = async (e) => {
        const { name, batch, ms, valueBytes } = e.data;
        const db = await new Promise((resolve, reject) => {
          const r = indexedDB.open(name, 1);
          r.onupgradeneeded = () => r.result.createObjectStore('wal');
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        const value = 'v'.repeat(valueBytes);
        let index = 0, txs = 0, bytes = 0;
        const start = performance.now();
        while (performance.now() - start < ms) {
          await new Promise((resolve, reject) => {
            const tx = db.transaction('wal', 'readwrite', { durability: 'default' });
            const store = tx.objectStore('wal');
            for (let i = 0; i < batch; i++) {
              index++;
              const data = JSON.stringify({ header: { id: index }, put: { key: 'bench/w' + (index % 16) + '/' + (index % 1000), value } });
              const row = { v: { term: 2, index, type: 'EntryNormal', data }, c: index >>> 0 };
              if (index === 1) bytes = JSON.stringify(row).length;
              store.put(row, index);
            }
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
            tx.onabort = () => reject(tx.error);
          });
          txs++;
        }
        const wallMs = performance.now() - start;
        db.close();
        postMessage({ rows: index, txs, wallMs, bytes });
      };`;
    const url = URL.createObjectURL(new Blob([workerCode], { type: 'text/javascript' }));
    const results = await Promise.all(
      Array.from({ length: shape.nodes }, (_, i) => {
        const w = new Worker(url);
        return new Promise<{ rows: number; txs: number; wallMs: number; bytes: number }>((resolve, reject) => {
          w.onmessage = (e) => {
            w.terminate();
            resolve(e.data as { rows: number; txs: number; wallMs: number; bytes: number });
          };
          w.onerror = (e) => reject(new Error(e.message));
          w.postMessage({ name: `bench-ceiling-${i}`, batch, ms: shape.measureMs, valueBytes: shape.valueBytes });
        });
      }),
    );
    URL.revokeObjectURL(url);
    await window.harness.clearDatabases();
    const rows = results.reduce((a, r) => a + r.rows, 0);
    const wall = Math.max(...results.map((r) => r.wallMs));
    return {
      cluster,
      ceiling: {
        rows,
        transactions: results.reduce((a, r) => a + r.txs, 0),
        wallMs: wall,
        // Each put is stored once per member, as in the cluster.
        putsPerS: rows / shape.nodes / (wall / 1000),
        batch,
        writers: shape.nodes,
        rowBytes: results[0]!.bytes,
      },
    };
  }, IDB_SHAPE);
}

export function idbMetrics(r: IdbRun): { puts: MetricResult; ratio: MetricResult } {
  const c = r.cluster;
  return {
    puts: {
      value: round(c.putsPerS),
      unit: 'puts/s',
      nodes: IDB_SHAPE.nodes,
      clients: IDB_SHAPE.clients,
      inFlight: IDB_SHAPE.inFlight,
      valueBytes: IDB_SHAPE.valueBytes,
      puts: c.puts,
      failed: c.failed,
      wallMs: round(c.wallMs),
      virtualMs: c.virtualMs,
      transactions: c.transactions,
      putsPerTransaction: round(c.putsPerTransaction, 1),
      note: 'worker executor + IndexedDB in headless Chromium, driven as fast as the page goes; acknowledged puts per real second. etcd 3.4.23 here: ~1,500-1,900 writes/s with 16 clients',
    },
    ratio: {
      value: round(c.putsPerS / r.ceiling.putsPerS, 3),
      unit: 'ratio',
      cluster: round(c.putsPerS),
      ceiling: round(r.ceiling.putsPerS),
      ceilingBatch: r.ceiling.batch,
      ceilingWriters: r.ceiling.writers,
      ceilingRowBytes: r.ceiling.rowBytes,
      ceilingTransactions: r.ceiling.transactions,
      note: 'ceiling: one worker and database per member, rows shaped like WAL entries, transactions of the cluster\'s average puts per transaction, durability "default" as idbBackend.ts; each put counted once',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 6. ui_frame_p95_ms

const UI_URL = 'index.html?nodes=7&seed=1&speed=1';
const UI_MEASURE_MS = 10_000;

export async function uiFrames(s: BrowserSession, baseUrl: string): Promise<MetricResult> {
  await s.page.addInitScript(() => {
    const w = window as unknown as { __benchLongTasks: Array<{ start: number; duration: number }> };
    w.__benchLongTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__benchLongTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // No long-task API: the count stays 0 and the result says so.
    }
  });
  await s.page.goto(new URL(UI_URL, baseUrl).toString());
  await s.page.waitForFunction(
    () => {
      const pg = (window as unknown as AppWindow).playground;
      return pg !== undefined && pg.leader() !== undefined;
    },
    undefined,
    { timeout: 30_000 },
  );
  await s.page.waitForTimeout(1_000);
  const r = await s.page.evaluate(async (ms) => {
    const w = window as unknown as { __benchLongTasks: Array<{ start: number; duration: number }> };
    const pg = (window as unknown as AppWindow).playground!;
    const v0 = pg.now();
    const start = performance.now();
    const deltas: number[] = [];
    await new Promise<void>((resolve) => {
      let last: number | undefined;
      const frame = (t: number): void => {
        if (last !== undefined) deltas.push(t - last);
        last = t;
        if (t - start < ms) requestAnimationFrame(frame);
        else resolve();
      };
      requestAnimationFrame(frame);
    });
    const end = performance.now();
    const longTasks = w.__benchLongTasks.filter((t) => t.start >= start && t.start < end);
    return {
      deltas,
      longTasks,
      wallMs: end - start,
      virtualMs: pg.now() - v0,
      playing: pg.playing,
      inFlight: pg.inFlight().length,
      observer: typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes.includes('longtask'),
    };
  }, UI_MEASURE_MS);
  const sorted = [...r.deltas].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? NaN;
  return {
    value: round(p95, 1),
    unit: 'ms',
    frames: r.deltas.length,
    medianMs: round(median(r.deltas), 1),
    maxMs: round(sorted[sorted.length - 1] ?? NaN, 1),
    fps: round(r.deltas.length / (r.wallMs / 1000), 1),
    longTasks: r.longTasks.length,
    longTaskMs: round(r.longTasks.reduce((a, t) => a + t.duration, 0)),
    longTaskObserver: r.observer,
    wallMs: round(r.wallMs),
    virtualMs: round(r.virtualMs),
    playing: r.playing,
    url: UI_URL,
    viewport: '1280x720',
    note: 'requestAnimationFrame deltas over 10 s of the real app playing 7 nodes at 1x (headless Chromium, no GPU)',
  };
}

// ---------------------------------------------------------------------------------------------
// 8. first_leader_ms

export async function firstLeader(s: BrowserSession, baseUrl: string, loads = 5): Promise<MetricResult> {
  const times: number[] = [];
  for (let i = 0; i < loads; i++) {
    const page = await s.context.newPage();
    try {
      await page.goto(new URL('index.html', baseUrl).toString(), { waitUntil: 'commit' });
      // performance.now() counts from the navigation start of the document.
      const h = await page.waitForFunction(
        () => {
          const pg = (window as unknown as AppWindow).playground;
          const label = document.querySelector('[data-testid="cluster-view"]')?.getAttribute('aria-label') ?? '';
          return pg !== undefined && pg.leader() !== undefined && /, leader /.test(label) ? performance.now() : false;
        },
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      times.push((await h.jsonValue()) as number);
    } finally {
      await page.close();
    }
  }
  return {
    value: round(median(times)),
    unit: 'ms',
    loadsMs: times.map((t) => round(t)),
    url: 'index.html (defaults)',
    note: 'navigation start until window.playground.leader() is set and the cluster view\'s aria-label names the leader; median of 5 loads',
  };
}

// ---------------------------------------------------------------------------------------------
// 9. bundle_gzip_kb

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  /** Files a chunk references by URL: a `new Worker(new URL(...))` script is one of them. */
  assets?: string[];
}

export function bundleSize(distDir: string): MetricResult {
  const manifestPath = join(distDir, '.vite', 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>;
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry === true && k.endsWith('index.html'));
  if (entryKey === undefined) throw new Error('index.html entry missing from the Vite manifest');
  const gz = (file: string): number => gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length;
  const raw = (file: string): number => readFileSync(join(distDir, file)).length;
  // The entry and its static imports, transitively: what the page loads before it runs.
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const k of manifest[key]?.imports ?? []) visit(k);
  };
  visit(entryKey);
  const files = [...seen].map((k) => manifest[k]!.file).filter((f) => f.endsWith('.js'));
  const dynamic = new Set<string>();
  for (const k of seen) for (const d of manifest[k]?.dynamicImports ?? []) if (!seen.has(d)) dynamic.add(manifest[d]!.file);
  const css = [...new Set([...seen].flatMap((k) => manifest[k]?.css ?? []))];
  // Worker scripts: JS files the loaded chunks reference as assets (Vite emits each
  // `new Worker(new URL(...))` as its own bundle, fetched when the worker starts).
  const workers = [...new Set([...seen].flatMap((k) => manifest[k]?.assets ?? []))].filter((f) => f.endsWith('.js') && existsSync(join(distDir, f)));
  const total = files.reduce((a, f) => a + gz(f), 0);
  const kb = (b: number): number => round(b / 1024, 1);
  return {
    value: kb(total),
    unit: 'KB',
    rawKb: kb(files.reduce((a, f) => a + raw(f), 0)),
    files: Object.fromEntries(files.map((f) => [f, kb(gz(f))])),
    lazyJs: Object.fromEntries([...dynamic].map((f) => [f, kb(gz(f))])),
    css: Object.fromEntries(css.map((f) => [f, kb(gz(f))])),
    workers: Object.fromEntries(workers.map((f) => [f, kb(gz(f))])),
    note: 'gzip -9 of the JS index.html loads (entry + static imports); lazy chunks, CSS and worker chunks listed apart',
  };
}
