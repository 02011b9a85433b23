// Reads the window of log entries the log grid shows, for every member, through
// playground.nodeLog. It refetches when the window moves or a status changed, never more than one
// read at a time and at most every REFETCH_MS; a member that is down is read once from its stored
// data (what it would restart from), marked stale, and kept while it stays down. In tail mode the
// window is the last `tail` indexes at the moment of the read, so a log growing fast is never read
// from a stale window.

import { useEffect, useRef, useState } from 'react';
import type { LogSlice, NodeStatus, Playground } from '../../playground/index';

const REFETCH_MS = 80;

export interface LogRow {
  slice: LogSlice;
  /** The member is down: the slice is what its storage holds (or its last read, if that failed). */
  stale: boolean;
  /** The window [from, to) the slice was read for. */
  window: [number, number];
}

export interface LogWindow {
  rows: Map<number, LogRow>;
  /** The highest last index among the slices read (what the rows can show up to). */
  dataLast: number;
}

export function useLogWindow(pg: Playground, nodes: readonly NodeStatus[], from: number, to: number, statusSeq: number, tail: number | undefined): LogWindow {
  const [rows, setRows] = useState<Map<number, LogRow>>(() => new Map());
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const busy = useRef(false);
  const again = useRef(false);
  const last = useRef(0);
  const latest = useRef({ nodes, from, to, tail });
  latest.current = { nodes, from, to, tail };
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const mounted = useRef(true);

  useEffect(() => {
    const run = async (): Promise<void> => {
      if (busy.current) {
        again.current = true;
        return;
      }
      const wait = REFETCH_MS - (performance.now() - last.current);
      if (wait > 0) {
        clearTimeout(timer.current);
        timer.current = setTimeout(() => void run(), wait);
        return;
      }
      busy.current = true;
      last.current = performance.now();
      const { nodes: ns, tail: t } = latest.current;
      let { from: a, to: b } = latest.current;
      if (t !== undefined) {
        b = pg.status().reduce((m, n) => Math.max(m, n.lastIndex), 0) + 1;
        a = Math.max(1, b - t);
      }
      const next = new Map<number, LogRow>();
      await Promise.all(
        ns.map(async (n) => {
          if (!n.alive) {
            // Its storage does not change while it is down: read it once.
            const old = rowsRef.current.get(n.id);
            if (old?.slice.source === 'storage' && old.window[0] === a && old.window[1] === b + 1) {
              next.set(n.id, old);
              return;
            }
          }
          try {
            const slice = await pg.nodeLog(n.id, a, b + 1);
            next.set(n.id, { slice, stale: slice.source === 'storage', window: [a, b + 1] });
          } catch {
            // Went down while reading, or its storage cannot be read: the previous slice is kept below.
          }
        }),
      );
      busy.current = false;
      if (!mounted.current) return;
      setRows((prev) => {
        for (const n of ns) {
          if (next.has(n.id)) continue;
          const old = prev.get(n.id);
          if (old !== undefined) next.set(n.id, { ...old, stale: true });
        }
        return next;
      });
      if (again.current) {
        again.current = false;
        void run();
      }
    };
    void run();
  }, [pg, from, to, statusSeq, tail]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      clearTimeout(timer.current);
    };
  }, []);
  let dataLast = 0;
  for (const r of rows.values()) dataLast = Math.max(dataLast, r.slice.lastIndex);
  return { rows, dataLast };
}
