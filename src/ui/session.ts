// One page, one cluster: builds the Playground, exposes it as `window.playground`, creates the two
// stores and starts the frame loop. Module-level and idempotent, so React's StrictMode double
// effects never build a second cluster.
//
// Which cluster: a shared run (`?run=`, replayed in memory); else the saved cluster, resumed from
// IndexedDB (a reload carries on where the page left off); else a new one from the URL (?seed=,
// ?nodes=, ?prevote=, ?checkquorum=, or ?new), after which those parameters leave the address so
// that a reload resumes rather than starts over. Members run in Web Workers on IndexedDB; where
// either is missing, or another tab already runs the saved cluster, inline in memory, and the page
// says so. Other parameters: ?speed=, ?paused, ?theme=, ?inline (members in the page's thread).

import {
  createPlayground,
  loadSavedSession,
  type Playground,
  type PlaygroundOptions,
  type Speed,
} from '../playground/index';
import { workerHostFactory } from '../playground/workerHost';
import { decodeRun } from './lib/shareLink';
import { formatTime } from './lib/format';
import { notify } from './store/uiStore';
import { createClusterStore, type ClusterStore } from './store/clusterStore';
import { startFrameLoop } from './store/frameLoop';
import { createUiStore, type Theme, type UiStore } from './store/uiStore';

declare global {
  interface Window {
    /** The live Playground instance (DESIGN.md, contract 3). */
    playground?: Playground;
  }
}

export interface Session {
  pg: Playground;
  cluster: ClusterStore;
  ui: UiStore;
}

/** Speeds offered by the speed control, slowest first. */
export const SPEEDS: readonly Speed[] = [1 / 100, 1 / 30, 1 / 10, 1 / 3, 1, 3, 10, 'max'];

export interface UrlOptions {
  seed: number;
  nodes: number;
  /** etcd's --pre-vote (default off here, as the Playground's default). */
  preVote: boolean | undefined;
  /** etcd's check-quorum (on unless ?checkquorum=0). */
  checkQuorum: boolean | undefined;
  speed: Speed;
  paused: boolean;
  theme: Theme | undefined;
  /** The URL asks for a new cluster (any of seed, nodes, prevote, checkquorum, new). */
  fresh: boolean;
  /** A shared run (encoded recording). */
  run: string | undefined;
  /** Members in the page's thread instead of workers. */
  inline: boolean;
}

/** Name prefix of every IndexedDB database of the page's cluster. */
export const DB_PREFIX = 'raft-playground';

/** URL parameters that describe a new cluster (removed once it is built, so a reload resumes it). */
const FRESH_PARAMS = ['seed', 'nodes', 'prevote', 'checkquorum', 'new'];

export function readUrlOptions(search: string): UrlOptions {
  const q = new URLSearchParams(search);
  const seedRaw = Number(q.get('seed') ?? '1');
  const nodesRaw = Number(q.get('nodes') ?? '5');
  const speedRaw = q.get('speed');
  const speed: Speed = speedRaw === 'max' ? 'max' : speedRaw !== null && Number(speedRaw) > 0 ? Number(speedRaw) : 1;
  const theme = q.get('theme');
  const flag = (name: string): boolean | undefined => (q.has(name) ? q.get(name) !== '0' && q.get(name) !== 'false' : undefined);
  return {
    preVote: flag('prevote'),
    checkQuorum: flag('checkquorum'),
    seed: Number.isFinite(seedRaw) ? Math.trunc(seedRaw) >>> 0 : 1,
    nodes: Number.isFinite(nodesRaw) ? Math.min(9, Math.max(1, Math.trunc(nodesRaw))) : 5,
    speed,
    paused: q.has('paused'),
    theme: theme === 'light' || theme === 'dark' ? theme : undefined,
    fresh: FRESH_PARAMS.some((p) => q.has(p)),
    run: q.get('run') ?? undefined,
    inline: q.has('inline'),
  };
}

export function initialTheme(fromUrl: Theme | undefined): Theme {
  if (fromUrl !== undefined) return fromUrl;
  try {
    const saved = localStorage.getItem('raft-playground:theme');
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // Storage may be unavailable (private mode): fall back to the system preference.
  }
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

let pending: Promise<Session> | undefined;

export function startSession(): Promise<Session> {
  pending ??= boot();
  return pending;
}

async function boot(): Promise<Session> {
  const url = readUrlOptions(location.search);
  const cluster = createClusterStore();
  const ui = createUiStore(initialTheme(url.theme));
  const plan = await planPlayground(url);
  const pg = await createPlayground(plan.options);
  window.playground = pg;
  if (plan.cleanUrl) {
    const q = new URLSearchParams(location.search);
    for (const p of FRESH_PARAMS) q.delete(p);
    const rest = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${rest === '' ? '' : `?${rest}`}${location.hash}`);
  }
  for (const n of plan.notices) notify(ui, n.tone, n.text);
  // Keep the saved record current when the page goes away (a reload resumes from it).
  addEventListener('pagehide', () => void pg.persistNow());
  cluster.setState({ ready: true, tickMs: pg.cluster.timing.tickMs, nodes: pg.status(), now: pg.now(), simNow: pg.now() });
  const reduced = matchMedia('(prefers-reduced-motion: reduce)');
  startFrameLoop(pg, cluster, { reducedMotion: () => reduced.matches });
  if (!url.paused) pg.play(url.speed);
  if (import.meta.env.DEV) (window as unknown as { __session: unknown }).__session = { pg, cluster, ui };
  return { pg, cluster, ui };
}

interface Plan {
  options: PlaygroundOptions;
  notices: Array<{ tone: 'info' | 'error'; text: string }>;
  cleanUrl: boolean;
}

/** Decides which cluster this page runs (see the module comment). */
async function planPlayground(url: UrlOptions): Promise<Plan> {
  const notices: Plan['notices'] = [];
  const fresh: PlaygroundOptions = { nodes: url.nodes, seed: url.seed };
  if (url.preVote !== undefined) fresh.preVote = url.preVote;
  if (url.checkQuorum !== undefined) fresh.checkQuorum = url.checkQuorum;
  if (url.run !== undefined) {
    try {
      const replay = await decodeRun(url.run);
      notices.push({ tone: 'info', text: `Replaying a shared run (seed ${replay.seed}, ${replay.actions.length} recorded actions). Acting on it forks it.` });
      return { options: { replay, executor: 'inline', storage: 'memory' }, notices, cleanUrl: false };
    } catch (err) {
      notices.push({ tone: 'error', text: `${(err as Error).message}. A new cluster runs instead.` });
      return { options: { ...fresh, executor: 'inline', storage: 'memory' }, notices, cleanUrl: false };
    }
  }
  const durable = typeof Worker !== 'undefined' && typeof indexedDB !== 'undefined' && !url.inline;
  if (!durable || !(await claimTab(DB_PREFIX))) {
    if (durable) notices.push({ tone: 'info', text: 'Another tab runs the saved cluster: this tab runs its own, in memory.' });
    else if (!url.inline) notices.push({ tone: 'info', text: 'Web Workers or IndexedDB are unavailable: members run in this page, in memory (a reload starts over).' });
    return { options: { ...fresh, executor: 'inline', storage: 'memory' }, notices, cleanUrl: false };
  }
  const workers = { executor: 'worker' as const, storage: 'indexeddb' as const, dbPrefix: DB_PREFIX, workerHostFactory: workerHostFactory() };
  if (!url.fresh) {
    const saved = await loadSavedSession(DB_PREFIX);
    if (saved.session !== undefined) {
      notices.push({ tone: 'info', text: `Resumed the saved cluster at ${formatTime(saved.session.layout.now)} from IndexedDB.` });
      return { options: { ...workers, resume: saved.session }, notices, cleanUrl: false };
    }
    if (saved.reason !== 'no saved cluster') notices.push({ tone: 'error', text: `${saved.reason}. A new cluster starts.` });
  }
  // A new cluster: the previous one's member databases go (the same seed would find them again).
  await deleteDatabases(DB_PREFIX);
  return { options: { ...fresh, ...workers }, notices, cleanUrl: url.fresh };
}

/**
 * Whether this tab may run the saved cluster: one tab at a time holds a lock for its lifetime
 * (two tabs on the same member databases would tear each other's writes).
 */
function claimTab(name: string): Promise<boolean> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (locks === undefined) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    void locks.request(name, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      // Held until the page goes away.
      return lock === null ? undefined : new Promise<void>(() => {});
    });
  });
}

/** Deletes every IndexedDB database whose name starts with `prefix/`. */
export async function deleteDatabases(prefix: string): Promise<void> {
  if (typeof indexedDB.databases !== 'function') return;
  const dbs = await indexedDB.databases();
  await Promise.all(
    dbs
      .filter((d) => d.name !== undefined && d.name.startsWith(`${prefix}/`))
      .map(
        (d) =>
          new Promise<void>((resolve) => {
            const req = indexedDB.deleteDatabase(d.name!);
            req.onsuccess = req.onerror = req.onblocked = () => resolve();
          }),
      ),
  );
}
