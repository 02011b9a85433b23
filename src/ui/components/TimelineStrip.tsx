// The run so far as a scrubber: a strip from the start of the run to the live instant, painted with
// the leading term (blank where no leader was known), election starts as ticks and faults as
// triangles. Click or drag to show any earlier instant (playground.seek); the part after the
// instant on screen is the recorded future, hatched, which playing replays until the live run is
// reached. Acting while in the past forks the run there. Keyboard: it is a slider (arrows ±1 s,
// Shift ±1 tick, PageUp/PageDown ±10 s, Home the start, End the live run).

import { memo, useCallback, useMemo, useRef } from 'react';
import { seekTo, backToLive } from '../actions';
import { formatTime } from '../lib/format';
import { termColor } from '../lib/termColors';
import type { TapeMark } from '../store/clusterStore';
import { useCluster, useSession } from '../store/sessionContext';
import { useElementSize } from '../hooks/useElementSize';

interface Segment {
  from: number;
  to: number;
  term: number;
}

function segmentsOf(tape: readonly TapeMark[], end: number): Segment[] {
  const out: Segment[] = [];
  let cur: Segment | undefined;
  for (const m of tape) {
    if (m.kind !== 'leader') continue;
    if (cur !== undefined) {
      cur.to = m.time;
      out.push(cur);
    }
    cur = { from: m.time, to: end, term: m.term };
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

function TimelineStripImpl() {
  const session = useSession();
  const tape = useCluster((s) => s.tape);
  const tl = useCluster((s) => s.timeline);
  const tickMs = useCluster((s) => s.tickMs);
  const now = useCluster((s) => s.now);
  // The scale grows in steps so the strip does not crawl every frame.
  const end = Math.max(tl.start + 1000, Math.ceil(tl.end / 250) * 250);
  const span = Math.max(1, end - tl.start);
  const [ref, size] = useElementSize<HTMLDivElement>();
  const w = Math.max(1, size.width);
  const x = useCallback((t: number) => ((t - tl.start) / span) * w, [tl.start, span, w]);
  const segments = useMemo(() => segmentsOf(tape, tl.end), [tape, tl.end]);
  const marks = useMemo(() => tape.filter((m) => m.kind !== 'leader').slice(-400), [tape]);
  const dragging = useRef(false);

  const timeAt = (clientX: number): number => {
    const box = ref.current?.getBoundingClientRect();
    if (box === undefined || box.width === 0) return now;
    const f = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return Math.round(tl.start + f * span);
  };

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0) return;
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
    seekTo(session, timeAt(e.clientX));
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>): void => {
    if (dragging.current) seekTo(session, timeAt(e.clientX));
  };
  const onPointerUp = (e: React.PointerEvent<HTMLDivElement>): void => {
    dragging.current = false;
    e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>): void => {
    let to: number | undefined;
    if (e.key === 'ArrowLeft') to = now - (e.shiftKey ? tickMs : 1000);
    else if (e.key === 'ArrowRight') to = now + (e.shiftKey ? tickMs : 1000);
    else if (e.key === 'PageDown') to = now - 10_000;
    else if (e.key === 'PageUp') to = now + 10_000;
    else if (e.key === 'Home') to = tl.start;
    else if (e.key === 'End') {
      e.preventDefault();
      e.stopPropagation();
      backToLive(session);
      return;
    }
    if (to === undefined) return;
    e.preventDefault();
    // The strip's own keys: not the page's shortcuts (arrows step events there).
    e.stopPropagation();
    seekTo(session, Math.min(tl.end, Math.max(tl.start, to)));
  };

  const nowX = x(Math.min(now, tl.end));
  return (
    <div className={`timeline-row${tl.viewing ? ' is-viewing' : ''}`}>
      <div
        className="timeline"
        ref={ref}
        role="slider"
        tabIndex={0}
        aria-label="Timeline of the run: drag or use the arrow keys to show an earlier instant"
        aria-valuemin={Math.round(tl.start)}
        aria-valuemax={Math.round(tl.end)}
        aria-valuenow={Math.round(Math.min(now, tl.end))}
        aria-valuetext={`${formatTime(now)}${tl.viewing ? ` of ${formatTime(tl.end)} (earlier instant)` : ' (live)'}`}
        data-testid="timeline"
        data-viewing={tl.viewing}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onKeyDown={onKeyDown}
      >
        <svg width="100%" height="100%" preserveAspectRatio="none" aria-hidden="true">
          <rect className="timeline-track" x={0} y={6} width={Math.max(1, x(tl.end))} height={5} rx={2.5} />
          {segments.map((s, i) => (
            <rect key={i} x={x(s.from)} y={6} width={Math.max(1, x(s.to) - x(s.from))} height={5} style={{ fill: termColor(s.term) }}>
              <title>{`term ${s.term}: ${formatTime(s.from)} – ${formatTime(s.to)}`}</title>
            </rect>
          ))}
          {marks.map((m, i) =>
            m.kind === 'fault' ? (
              <path key={i} className="timeline-fault" d={`M${x(m.time)},12l-3.5,5h7z`}>
                <title>{`${formatTime(m.time)} ${m.label}`}</title>
              </path>
            ) : (
              <line key={i} className="timeline-election" x1={x(m.time)} x2={x(m.time)} y1={3} y2={14}>
                <title>{`${formatTime(m.time)} ${m.label}`}</title>
              </line>
            ),
          )}
          {tl.viewing && <rect className="timeline-future" x={nowX} y={3} width={Math.max(0, x(tl.end) - nowX)} height={11} />}
          <g className="timeline-head" transform={`translate(${nowX},0)`}>
            <line x1={0} x2={0} y1={0} y2={17} />
            <path d="M-4,0h8l-4,4z" />
          </g>
        </svg>
      </div>
      {tl.viewing && (
        <button type="button" className="btn btn-sm btn-attention timeline-live" onClick={() => backToLive(session)} data-testid="back-to-live" aria-label={`Back to the live run at ${formatTime(tl.end)} (End)`}>
          Live ▸
        </button>
      )}
    </div>
  );
}

export const TimelineStrip = memo(TimelineStripImpl);
