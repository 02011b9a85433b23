// Replacing the page's session with a new Playground (a lesson's cluster, a lesson restarted or
// re-run from a cut recording) without reloading the page. It builds what session.ts's boot
// builds — a cluster store, the frame loop, window.playground — keeps the UI store (theme, tab),
// tells App to render the new session, and then retires the old one: a session this module built
// is disposed; the one session.ts booted (the saved cluster) is only paused, so that its own
// persistence still saves it when the page goes away and a reload resumes it.

import { createPlayground, type PlaygroundOptions } from '../playground/index';
import { initialTheme, readUrlOptions, type Session } from './session';
import { createClusterStore } from './store/clusterStore';
import { startFrameLoop } from './store/frameLoop';
import { createUiStore, type UiStore } from './store/uiStore';

interface Held {
  session: Session;
  /** Stops the frame loop (only for sessions built here: session.ts keeps its loop's handle). */
  stopLoop: (() => void) | undefined;
  owned: boolean;
}

let held: Held | undefined;
let generation = 0;
const listeners = new Set<(s: Session, generation: number) => void>();

/** The session on the page now (undefined before the first boot). */
export function currentSession(): Session | undefined {
  return held?.session;
}

/** Increments on every replacement (App keys its tree on it, so nothing outlives its session). */
export function sessionGeneration(): number {
  return generation;
}

/** Registers the session session.ts booted, so a later replacement can retire it. */
export function adoptSession(s: Session): void {
  if (held === undefined) held = { session: s, stopLoop: undefined, owned: false };
}

export function onSessionReplaced(listener: (s: Session, generation: number) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Builds a session on a new Playground with `options` (paused: the caller decides when time
 * moves), makes it the page's session and retires the previous one.
 */
export async function replaceSession(options: PlaygroundOptions): Promise<Session> {
  const prev = held;
  const ui: UiStore = prev?.session.ui ?? createUiStore(initialTheme(readUrlOptions(location.search).theme));
  const cluster = createClusterStore();
  const pg = await createPlayground(options);
  cluster.setState({ ready: true, tickMs: pg.cluster.timing.tickMs, nodes: pg.status(), now: pg.now(), simNow: pg.now(), speed: pg.speed });
  const reduced = matchMedia('(prefers-reduced-motion: reduce)');
  const stopLoop = startFrameLoop(pg, cluster, { reducedMotion: () => reduced.matches });
  // What the person was looking at belongs to the old cluster.
  ui.setState({ selection: { kind: 'none' }, consoleEntries: [] });
  const session: Session = { pg, cluster, ui };
  held = { session, stopLoop, owned: true };
  window.playground = pg;
  generation++;
  for (const l of listeners) l(session, generation);
  if (prev !== undefined) {
    prev.session.pg.pause();
    if (prev.owned) {
      prev.stopLoop?.();
      await prev.session.pg.dispose();
    }
  }
  return session;
}
