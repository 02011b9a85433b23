// One page, one cluster: builds the Playground from the URL (?seed=, ?nodes=, ?prevote=,
// ?checkquorum=, ?speed=, ?paused, ?theme=), exposes it as `window.playground`, creates the two
// stores and starts the frame loop. Module-level and idempotent, so React's StrictMode double
// effects never build a second cluster.

import { createPlayground, type Playground, type PlaygroundOptions, type Speed } from '../playground/index';
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
}

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
  const options: PlaygroundOptions = { nodes: url.nodes, seed: url.seed };
  if (url.preVote !== undefined) options.preVote = url.preVote;
  if (url.checkQuorum !== undefined) options.checkQuorum = url.checkQuorum;
  const pg = await createPlayground(options);
  window.playground = pg;
  cluster.setState({ ready: true, tickMs: pg.cluster.timing.tickMs, nodes: pg.status(), now: pg.now(), simNow: pg.now() });
  const reduced = matchMedia('(prefers-reduced-motion: reduce)');
  startFrameLoop(pg, cluster, { reducedMotion: () => reduced.matches });
  if (!url.paused) pg.play(url.speed);
  if (import.meta.env.DEV) (window as unknown as { __session: unknown }).__session = { pg, cluster, ui };
  return { pg, cluster, ui };
}
