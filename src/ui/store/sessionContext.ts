// React access to the session: the Playground and the two stores, with selector hooks. Components
// subscribe to the smallest slice they draw, so a frame that only moves messages re-renders only
// the message layer and the clock.

import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { Session } from '../session';
import type { ClusterState } from './clusterStore';
import type { UiState } from './uiStore';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside <SessionContext>');
  return s;
}

export function useCluster<T>(selector: (s: ClusterState) => T): T {
  return useStore(useSession().cluster, selector);
}

export function useUi<T>(selector: (s: UiState) => T): T {
  return useStore(useSession().ui, selector);
}

/**
 * Like useCluster, but re-renders at most every `intervalMs` (wall clock): for views that are
 * read rather than watched (tables, the log grid), so a busy cluster cannot make them repaint at
 * frame rate. The selector must return a stable value when nothing it reads changed.
 */
export function useClusterThrottled<T>(selector: (s: ClusterState) => T, intervalMs: number): T {
  const { cluster } = useSession();
  const selectorRef = useRef(selector);
  selectorRef.current = selector;
  const [value, setValue] = useState(() => selector(cluster.getState()));
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let prev = selectorRef.current(cluster.getState());
    setValue(prev);
    const update = () => {
      timer = undefined;
      last = performance.now();
      const v = selectorRef.current(cluster.getState());
      if (!Object.is(v, prev)) {
        prev = v;
        setValue(() => v);
      }
    };
    const unsubscribe = cluster.subscribe(() => {
      if (timer !== undefined) return;
      const wait = intervalMs - (performance.now() - last);
      if (wait <= 0) update();
      else timer = setTimeout(update, wait);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [cluster, intervalMs]);
  return value;
}
