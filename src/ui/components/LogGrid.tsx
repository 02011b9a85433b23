// Every member's log aligned by index: one row per member, one column per index, each entry
// coloured by its term with the term written in it. Committed entries are filled, uncommitted ones
// outlined and dashed; a bar marks each member's commit index and a caret its applied index; a
// hatched band is what a snapshot compacted away. Where the leader's view of a follower differs
// from the follower's own log (lagging, probing), `m` and `n` mark the leader's match and next. Only the visible columns are rendered (the grid scrolls
// horizontally), so a log of 100k entries costs what a screenful costs.

import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Entry } from '../../playground/index';
import type { NodeDetail, NodeStatus } from '../../playground/index';
import { clip, roleLabel, visualRole, type Lifecycle } from '../lib/format';
import { termColor, termInk } from '../lib/termColors';
import { useElementSize, remPx } from '../hooks/useElementSize';
import { useLogWindow } from '../hooks/useLogWindow';
import { useSession } from '../store/sessionContext';

/** Rows grow to fill the panel between these sizes; cells are as wide as rows are tall. */
const ROW_REM_MIN = 1.45;
const ROW_REM_MAX = 2.6;
const OVERSCAN = 12;

interface LogGridProps {
  nodes: readonly NodeStatus[];
  lifecycle: Record<string, Lifecycle>;
  statusSeq: number;
  leaderProgress: NodeDetail['progress'] | undefined;
  selectedId: number | undefined;
  onSelect(id: number): void;
}

function entrySummary(e: Entry): string {
  if (e.type !== 'EntryNormal') return e.type;
  if (e.data === '') return 'empty entry (new leader)';
  return clip(e.data.replace(/[^\x20-\x7e]/g, '·'), 160);
}

export function LogGrid({ nodes, lifecycle, statusSeq, leaderProgress, selectedId, onSelect }: LogGridProps) {
  const { pg } = useSession();
  const [scrollRef, size] = useElementSize<HTMLDivElement>();
  const [scrollLeft, setScrollLeft] = useState(0);
  const follow = useRef(true);
  const rem = remPx();
  const fit = size.height > 0 ? (size.height - rem * 0.3) / (nodes.length + 1) : ROW_REM_MIN * rem * 1.25;
  const row = Math.min(ROW_REM_MAX * rem, Math.max(ROW_REM_MIN * rem, fit));
  const cell = row;
  const statusMax = nodes.reduce((m, n) => Math.max(m, n.lastIndex), 0);
  const visibleCols = Math.max(1, Math.ceil(size.width / cell));
  // Read a generous tail: the visible columns, the overscan on both sides, and room to grow.
  const tail = follow.current ? 2 * (visibleCols + OVERSCAN) : undefined;
  const [fetchWindow, setFetchWindow] = useState({ first: 1, last: 1 });
  const { rows, dataLast } = useLogWindow(pg, nodes, fetchWindow.first, fetchWindow.last, statusSeq, tail);
  // While following the tail, the grid ends where the data read ends (the status may be a little
  // newer than the last read; drawing up to it would show empty columns at a fast-growing end).
  const maxIndex = follow.current && dataLast > 0 ? dataLast : statusMax;
  const width = Math.max(size.width, (maxIndex + 2) * cell);
  const viewLeft = follow.current ? Math.max(0, width - size.width) : scrollLeft;
  const first = Math.max(1, Math.floor(viewLeft / cell) + 1 - OVERSCAN);
  const last = Math.min(maxIndex + 1, Math.max(first + visibleCols, Math.ceil((viewLeft + size.width) / cell)) + OVERSCAN);
  if (fetchWindow.first !== first || fetchWindow.last !== last) setFetchWindow({ first, last });
  const progress = useMemo(() => new Map((leaderProgress ?? []).map((p) => [p.id, p])), [leaderProgress]);
  const labelEvery = maxIndex >= 100_000 ? 10 : maxIndex >= 1000 ? 5 : maxIndex >= 100 ? 2 : 1;

  // Follow the tail while the reader is at the end (the end only moves when the width does).
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el === null || !follow.current) return;
    const end = Math.max(0, width - size.width);
    if (Math.abs(scrollLeft - end) > 1) el.scrollLeft = end;
  }, [width, size.width]);

  const indexes: number[] = [];
  for (let i = first; i <= last; i++) indexes.push(i);

  return (
    <div className="loggrid" style={{ ['--cell' as string]: `${cell}px`, ['--row' as string]: `${row}px` }}>
      <div className="loggrid-heads" aria-hidden="true">
        <div className="loggrid-head loggrid-head-index">index</div>
        {nodes.map((n) => {
          const role = visualRole(n, lifecycle[n.id]);
          return (
            <button
              key={n.id}
              type="button"
              className={`loggrid-head role-${role}${selectedId === n.id ? ' is-selected' : ''}`}
              onClick={() => onSelect(n.id)}
              tabIndex={-1}
            >
              <span className="mono">{n.name}</span>
              <span className="loggrid-head-role">{roleLabel(role)}</span>
            </button>
          );
        })}
      </div>
      <div
        ref={scrollRef}
        className="loggrid-scroll"
        onScroll={(e) => {
          const el = e.currentTarget;
          setScrollLeft(el.scrollLeft);
          follow.current = el.scrollWidth - el.scrollLeft - el.clientWidth < cell * 1.5;
        }}
        role="table"
        aria-label={`Logs of ${nodes.length} members, indexes ${first} to ${last} of ${maxIndex}`}
        data-testid="log-grid"
      >
        <div className="loggrid-canvas" style={{ width, height: row * (nodes.length + 1) }}>
          <div className="loggrid-index-row" role="row">
            {indexes.map((i) =>
              i % labelEvery === 0 || i === 1 ? (
                <span key={i} className="loggrid-index" style={{ left: (i - 1) * cell }} role="columnheader">
                  {i}
                </span>
              ) : null,
            )}
          </div>
          {nodes.map((n, r) => {
            const data = rows.get(n.id);
            const slice = data?.slice;
            const top = row * (r + 1);
            const byIndex = new Map<number, Entry>();
            for (const e of slice?.entries ?? []) byIndex.set(e.index, e);
            const commit = slice?.committed ?? n.commit;
            const applied = slice?.applied ?? n.applied;
            const firstIndex = slice?.firstIndex ?? n.firstIndex;
            const pr = progress.get(n.id);
            const compactedTo = Math.min(firstIndex - 1, last);
            return (
              <div
                key={n.id}
                className={`loggrid-row${!n.alive ? ' is-down' : ''}${data?.stale ? ' is-stale' : ''}${selectedId === n.id ? ' is-selected' : ''}`}
                style={{ top }}
                role="row"
                aria-label={`${n.name}: last index ${n.lastIndex}, commit ${commit}, applied ${applied}`}
                data-node={n.name}
              >
                {compactedTo >= first && (
                  <div className="loggrid-compacted" style={{ left: (first - 1) * cell, width: (compactedTo - first + 1) * cell }} title={`compacted up to ${firstIndex - 1} (snapshot)`} />
                )}
                {indexes.map((i) => {
                  const e = byIndex.get(i);
                  if (e === undefined) {
                    // In the member's log but not read yet (the window just moved): say so, guess nothing.
                    if (n.alive && i >= firstIndex && i <= n.lastIndex) {
                      return <div key={i} className="loggrid-cell is-unread" style={{ left: (i - 1) * cell }} title={`#${i} · not read yet`} role="cell" />;
                    }
                    return null;
                  }
                  const committed = i <= commit;
                  return (
                    <div
                      key={i}
                      className={`loggrid-cell${committed ? ' is-committed' : ' is-uncommitted'}${e.type !== 'EntryNormal' ? ' is-conf' : e.data === '' ? ' is-empty' : ''}`}
                      style={{
                        left: (i - 1) * cell,
                        ...(committed ? { background: termColor(e.term), color: termInk(e.term) } : { borderColor: termColor(e.term) }),
                      }}
                      title={`#${i} · term ${e.term} · ${committed ? 'committed' : 'not committed'}${i <= applied ? ', applied' : ''}\n${entrySummary(e)}`}
                      role="cell"
                    >
                      {e.term}
                    </div>
                  );
                })}
                {commit >= first - 1 && commit <= last && <div className="loggrid-commit" style={{ left: commit * cell }} title={`commit ${commit}`} />}
                {applied >= first && applied <= last && <div className="loggrid-applied" style={{ left: (applied - 0.5) * cell }} title={`applied ${applied}`} />}
                {pr !== undefined && pr.match !== n.lastIndex && pr.match >= first && pr.match <= last && pr.match > 0 && (
                  <div className="loggrid-match" style={{ left: (pr.match - 1) * cell }} title={`leader's match for ${n.name}: ${pr.match}`}>
                    m
                  </div>
                )}
                {pr !== undefined && pr.next !== n.lastIndex + 1 && pr.next >= first && pr.next <= last + 1 && (
                  <div className="loggrid-next" style={{ left: (pr.next - 1) * cell }} title={`leader's next for ${n.name}: ${pr.next}`}>
                    n
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
