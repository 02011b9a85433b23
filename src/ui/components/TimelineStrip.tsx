// The run so far, as a strip from time 0 to now painted with the leading term (white where no
// leader was known), election starts as ticks and faults as triangles. View only for now: this is
// the place the scrubber goes once the Playground can seek.

import { memo, useMemo } from 'react';
import { formatTime } from '../lib/format';
import { termColor } from '../lib/termColors';
import type { TapeMark } from '../store/clusterStore';
import { useCluster } from '../store/sessionContext';
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
  const tape = useCluster((s) => s.tape);
  const end = useCluster((s) => Math.max(1000, Math.ceil(s.simNow / 250) * 250));
  const [ref, size] = useElementSize<HTMLDivElement>();
  const w = Math.max(1, size.width);
  const x = (t: number) => (t / end) * w;
  const segments = useMemo(() => segmentsOf(tape, end), [tape, end]);
  const marks = useMemo(() => tape.filter((m) => m.kind !== 'leader').slice(-400), [tape]);
  return (
    <div className="timeline" ref={ref} aria-label={`Timeline of the run, 0 to ${formatTime(end)}: terms, elections and faults`} role="img">
      <svg width={w} height="100%" preserveAspectRatio="none" aria-hidden="true">
        <rect className="timeline-track" x={0} y={6} width={w} height={5} rx={2.5} />
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
      </svg>
    </div>
  );
}

export const TimelineStrip = memo(TimelineStripImpl);
