// One member in the cluster view. Role is drawn as a shape (follower circle, pre-candidate dashed
// circle, candidate hexagon, leader crowned double ring, learner small square, dead crossed grey),
// the fill is keyed by term and the term is written inside, so nothing relies on colour alone.
// Around it: the election timer as an arc that empties (interpolated in virtual time between
// detail polls) and, above a (pre-)candidate, one dot per voter: filled when granted, crossed
// when rejected, hollow while unanswered.

import { memo, useMemo, type KeyboardEvent } from 'react';
import { motion } from 'motion/react';
import type { NodeStatus } from '../../playground/index';
import { arcPath, type Point } from '../lib/geometry';
import { roleLabel, type VisualRole } from '../lib/format';
import { termColor, termInk } from '../lib/termColors';
import type { TimedDetail } from '../store/clusterStore';
import { useCluster } from '../store/sessionContext';

export interface NodeGlyphProps {
  node: NodeStatus;
  role: VisualRole;
  pos: Point;
  /** Unit vector from the ring's center to the node: its label goes outward. */
  outward: Point;
  r: number;
  rem: number;
  /** Voters and the votes this node holds, as JSON (a string, so memo compares it cheaply). */
  votesKey: string;
  /** Whether Raft detail (timers) is available for the node. */
  hasDetail: boolean;
  tickMs: number;
  selected: boolean;
  shortcut: number | undefined;
  leadName: string | undefined;
  defaultDiskMs: number;
  onSelect(id: number): void;
}

const DEAD: ReadonlySet<VisualRole> = new Set(['down', 'stopped', 'removed', 'failed']);

function hexagon(r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 6; i++) {
    const a = ((-90 + i * 60) * Math.PI) / 180;
    pts.push(`${(r * Math.cos(a)).toFixed(2)},${(r * Math.sin(a)).toFixed(2)}`);
  }
  return `M${pts.join('L')}Z`;
}

/** Fraction of the randomized election timeout still left, interpolated since the last poll. */
export function timerRemaining(d: TimedDetail, now: number, tickMs: number): number {
  const timeout = d.detail.randomizedElectionTimeout;
  if (timeout <= 0) return 1;
  const elapsed = d.detail.electionElapsed + Math.max(0, now - d.at) / tickMs;
  return Math.max(0, Math.min(1, 1 - elapsed / timeout));
}

function NodeGlyphImpl(p: NodeGlyphProps) {
  const { node, role, pos, r, rem } = p;
  const dead = DEAD.has(role);
  const fill = dead ? 'var(--dead-fill)' : termColor(node.term);
  const ink = dead ? 'var(--dead-ink)' : termInk(node.term);
  const showTimer = !dead && role !== 'leader' && role !== 'learner' && p.hasDetail;
  const campaigning = role === 'candidate' || role === 'preCandidate';
  const [voters, votes] = useMemo(() => {
    const [v, g] = JSON.parse(p.votesKey) as [number[], Array<[number, boolean]>];
    return [v, new Map(g)] as const;
  }, [p.votesKey]);
  const granted = [...votes.values()].filter(Boolean).length;
  const body = role === 'learner' ? r * 0.8 : r;
  const slowDisk = node.diskLatencyMs > p.defaultDiskMs;
  const timerR = (role === 'candidate' ? r * 1.1 : r) + rem * 0.5;

  const label =
    `${node.name}: ${roleLabel(role)}, term ${node.term}` +
    (campaigning ? `, ${granted} of ${voters.length} votes` : '') +
    (role === 'follower' && p.leadName !== undefined ? `, follows ${p.leadName}` : '') +
    `, commit ${node.commit}` +
    (slowDisk ? `, slow disk ${node.diskLatencyMs} ms` : '') +
    (p.shortcut !== undefined ? `. Key ${p.shortcut} selects.` : '');

  const onKey = (e: KeyboardEvent<SVGGElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      e.stopPropagation();
      p.onSelect(node.id);
    }
  };

  return (
    <g
      className={`node node-${role}${p.selected ? ' is-selected' : ''}`}
      transform={`translate(${pos.x.toFixed(2)} ${pos.y.toFixed(2)})`}
      role="button"
      tabIndex={0}
      aria-label={label}
      aria-pressed={p.selected}
      data-node-id={node.id.toString(16)}
      data-name={node.name}
      data-role={node.role}
      data-visual-role={role}
      data-term={node.term}
      data-alive={node.alive}
      data-learner={node.isLearner}
      onClick={(e) => {
        e.stopPropagation();
        p.onSelect(node.id);
      }}
      onKeyDown={onKey}
    >
      <title>{label}</title>
      {p.selected && <circle className="node-halo" r={r + rem * 1.05} />}
      {showTimer && <TimerArc id={node.id} r={timerR} tickMs={p.tickMs} />}
      <motion.g
        key={role}
        className="node-body"
        initial={{ scale: 0.92, opacity: 0.4 }}
        animate={{ scale: 1, opacity: 1 }}
        transition={{ duration: 0.28, ease: 'easeOut' }}
      >
        {role === 'leader' && <circle className="node-leader-ring" r={r + rem * 0.32} />}
        {role === 'candidate' ? (
          <path className="node-shape" d={hexagon(r * 1.1)} style={{ fill }} />
        ) : role === 'learner' ? (
          <rect className="node-shape" x={-body} y={-body} width={body * 2} height={body * 2} rx={rem * 0.35} style={{ fill }} />
        ) : (
          <circle className={`node-shape${role === 'preCandidate' ? ' is-dashed' : ''}`} r={r} style={{ fill }} />
        )}
        {dead ? (
          role === 'stopped' ? (
            <rect className="node-dead-mark" x={-r * 0.28} y={-r * 0.28} width={r * 0.56} height={r * 0.56} rx={rem * 0.12} />
          ) : (
            <path className="node-dead-mark" d={`M${-r * 0.42},${-r * 0.42}L${r * 0.42},${r * 0.42}M${r * 0.42},${-r * 0.42}L${-r * 0.42},${r * 0.42}`} />
          )
        ) : (
          <>
            <text className="node-term" y={r * 0.12} style={{ fill: ink, fontSize: Math.max(rem * 0.9, body * 0.78) }} dominantBaseline="middle" textAnchor="middle">
              {node.term}
            </text>
            <text className="node-term-caption" y={body * 0.58} style={{ fill: ink }} textAnchor="middle" dominantBaseline="middle">
              term
            </text>
          </>
        )}
        {role === 'leader' && (
          <g className="node-crown" transform={`translate(0 ${(-r - rem * 0.3).toFixed(2)})`}>
            <circle r={rem * 0.9} className="node-badge-bg" />
            <path
              d="M-8 5l1.6-9 4.4 4 2-6 2 6 4.4-4L8 5z"
              transform={`translate(0 ${(rem * 0.05).toFixed(2)}) scale(${(rem * 0.07).toFixed(3)})`}
              style={{ fill }}
              className="node-crown-path"
            />
          </g>
        )}
        {role === 'learner' && (
          <g className="node-learner-badge" transform={`translate(${body} ${-body})`}>
            <circle r={rem * 0.62} className="node-badge-bg" />
            <text textAnchor="middle" dominantBaseline="central" className="node-badge-text">
              L
            </text>
          </g>
        )}
      </motion.g>
      {campaigning && voters.length > 0 && (
        <g
          className="node-votes"
          transform={`translate(0 ${(-(timerR + rem * 0.85)).toFixed(2)})`}
          aria-hidden="true"
        >
          <rect
            className="vote-tray"
            x={-((voters.length - 1) / 2) * rem * 0.8 - rem * 0.52}
            y={-rem * 0.52}
            width={(voters.length - 1) * rem * 0.8 + rem * 1.04}
            height={rem * 1.04}
            rx={rem * 0.52}
          />
          {voters.map((v, i) => {
            const x = (i - (voters.length - 1) / 2) * rem * 0.8;
            const vote = votes.get(v);
            const cls = vote === true ? 'is-granted' : vote === false ? 'is-rejected' : 'is-pending';
            return (
              <g key={v} transform={`translate(${x.toFixed(2)} 0)`} className={`vote-dot ${cls}`}>
                <circle r={rem * 0.29} />
                {vote === false && <path d={`M${-rem * 0.14},${-rem * 0.14}L${rem * 0.14},${rem * 0.14}M${rem * 0.14},${-rem * 0.14}L${-rem * 0.14},${rem * 0.14}`} />}
              </g>
            );
          })}
        </g>
      )}
      <NodeLabel node={node} role={role} r={r} rem={rem} outward={p.outward} shortcut={p.shortcut} slowDisk={slowDisk} />
    </g>
  );
}

export const NodeGlyph = memo(NodeGlyphImpl);

/**
 * The election timer: what is left of the randomized election timeout, as an arc that empties.
 * It alone follows the clock every frame; the rest of the glyph renders only when state changes.
 */
function TimerArc({ id, r, tickMs }: { id: number; r: number; tickMs: number }) {
  const detail = useCluster((s) => s.details[id]);
  const now = useCluster((s) => s.now);
  if (detail === undefined) return null;
  const remaining = timerRemaining(detail, now, tickMs);
  return (
    <g className="node-timer" aria-hidden="true">
      <circle className="node-timer-track" r={r} />
      {remaining > 0.002 && <path className={`node-timer-arc${remaining < 0.3 ? ' is-low' : ''}`} d={arcPath({ x: 0, y: 0 }, r, 0, 360 * remaining)} />}
    </g>
  );
}

/** Name and role, set outside the ring beside the node (above the top one, below the bottom one). */
function NodeLabel(props: { node: NodeStatus; role: VisualRole; r: number; rem: number; outward: Point; shortcut: number | undefined; slowDisk: boolean }) {
  const { node, role, r, rem, outward } = props;
  const lineGap = rem * 1.05;
  // The top and bottom nodes get their label on the right; the others radially outside the ring.
  const vertical = Math.abs(outward.y) > 0.92;
  const gap = r + rem * 0.95;
  const x = vertical ? gap : outward.x * gap;
  const y = vertical ? 0 : outward.y * gap;
  const anchor = vertical || outward.x > 0.3 ? 'start' : outward.x < -0.3 ? 'end' : 'middle';
  const firstY = vertical ? -lineGap / 2 - rem * 0.1 : outward.y < -0.3 ? y - lineGap - rem * 0.35 : outward.y > 0.3 ? y + rem * 0.15 : y - lineGap / 2 - rem * 0.1;
  return (
    <g className="node-label">
      <text className="node-name" x={x} y={firstY} textAnchor={anchor} dominantBaseline="hanging">
        {props.shortcut !== undefined && <tspan className="node-key">{props.shortcut} </tspan>}
        {node.name}
      </text>
      <text className="node-role" x={x} y={firstY + lineGap} textAnchor={anchor} dominantBaseline="hanging">
        {roleLabel(role)}
        {props.slowDisk ? ` · disk ${node.diskLatencyMs} ms` : ''}
      </text>
    </g>
  );
}
