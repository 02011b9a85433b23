// Messages in flight, drawn where the simulation says they are: the position along a link is
// (now − sentAt) / (at − sentAt), so pausing freezes them and speed changes stay smooth. A request
// is a filled dot, a reply a ring; a rejection carries ×, a granted vote ✓. A message fated to be
// lost travels at its link's latency and dies at its death time with a fading burst. Heartbeats
// are drawn lighter and lose their labels when the sky gets busy; they are never hidden.

import { memo } from 'react';
import type { InFlight, LinkState } from '../../playground/index';
import { pointAlong, type Point } from '../lib/geometry';
import { termColor } from '../lib/termColors';
import { dropBurstMs, isHeartbeat } from '../store/frameLoop';
import { useCluster } from '../store/sessionContext';

interface MessageLayerProps {
  positions: ReadonlyMap<number, Point>;
  clientAnchor: Point;
  inset: number;
  lane: number;
  rem: number;
  linkOf(from: number, to: number): LinkState | undefined;
  selectedId: number | undefined;
  onSelect(m: InFlight): void;
}

/** Where along its path a message is (0..1) and, for a dropped one, where it dies. */
export function progressOf(m: InFlight, now: number, latencyMs: number | undefined): { t: number; deathT: number | undefined } {
  const span = m.at - m.sentAt;
  if (m.fate === 'drop') {
    // A lost message would have taken the link's latency; it dies part of the way along.
    const full = Math.max(span, latencyMs ?? span, 1);
    const deathT = Math.min(1, span / full);
    return { t: Math.min(deathT, Math.max(0, (now - m.sentAt) / full)), deathT };
  }
  return { t: span <= 0 ? 1 : Math.min(1, Math.max(0, (now - m.sentAt) / span)), deathT: undefined };
}

function isReply(type: string): boolean {
  return type.endsWith('Resp') || type === 'Response' || type === 'Error' || type === 'WatchResponse';
}

function MessageLayerImpl(p: MessageLayerProps) {
  const { rem } = p;
  // This layer alone follows the clock every frame.
  const messages = useCluster((s) => s.messages);
  const now = useCluster((s) => s.now);
  const burstMs = dropBurstMs(useCluster((s) => s.speed));
  const busy = messages.length > 24;
  return (
    <g className="messages">
      {messages.map(({ m, phase }) => {
        const from = m.from === 0 ? p.clientAnchor : p.positions.get(m.from);
        const to = m.to === 0 ? p.clientAnchor : p.positions.get(m.to);
        if (from === undefined || to === undefined) return null;
        const link = m.channel === 'client' ? undefined : p.linkOf(m.from, m.to);
        const { t, deathT } = progressOf(m, now, link?.latencyMs);
        const laneSign = m.from < m.to ? 1 : -1;
        const pt = pointAlong(from, to, t, m.from === 0 || m.to === 0 ? rem * 0.6 : p.inset, p.lane * laneSign);
        const beat = isHeartbeat(m.type);
        const reply = isReply(m.type);
        const term = m.msg?.term ?? 0;
        const color = m.channel === 'client' ? 'var(--client)' : termColor(term);
        const dying = phase === 'dropped' && deathT !== undefined && now >= m.at;
        const fade = dying && burstMs > 0 ? Math.min(1, (now - m.at) / burstMs) : 0;
        const r = beat ? rem * 0.24 : rem * 0.34;
        const granted = (m.type === 'MsgVoteResp' || m.type === 'MsgPreVoteResp') && m.reject !== true;
        const rejected = m.reject === true;
        const entries = m.msg?.entries?.length ?? 0;
        const text = m.type + (entries > 0 ? ` +${entries}` : '');
        const showLabel = !(beat && busy);
        const labelY = laneSign > 0 ? -rem * 0.62 : rem * 0.95;
        const selected = p.selectedId === m.id;
        return (
          <g
            key={m.id}
            className={`msg${beat ? ' is-beat' : ''}${reply ? ' is-reply' : ''}${dying ? ' is-dying' : ''}${selected ? ' is-selected' : ''}${m.channel !== 'raft' ? ` is-${m.channel}` : ''}`}
            transform={`translate(${pt.x.toFixed(1)} ${pt.y.toFixed(1)})`}
            style={dying ? { opacity: 1 - fade } : undefined}
            data-msg-id={m.id}
            data-type={m.type}
            data-from={m.from.toString(16)}
            data-to={m.to.toString(16)}
            data-phase={dying ? 'dropped' : 'flight'}
            role="button"
            tabIndex={-1}
            aria-label={`${m.type} from ${m.from === 0 ? 'client' : m.from.toString(16)} to ${m.to === 0 ? 'client' : m.to.toString(16)}${dying ? ', dropped' : ''}. Select to inspect.`}
            onPointerDown={(e) => {
              e.stopPropagation();
              p.onSelect(m);
            }}
          >
            <circle className="msg-hit" r={rem * 0.85} />
            {selected && <circle className="msg-selected" r={r + rem * 0.32} />}
            {dying && <circle className="msg-burst" r={r + rem * 1.1 * fade + rem * 0.1} />}
            <circle className="msg-dot" r={r} style={reply ? { stroke: color } : { fill: color }} />
            {(rejected || dying) && (
              <path
                className="msg-mark is-reject"
                d={`M${r + rem * 0.12},${-rem * 0.42}l${rem * 0.34},${rem * 0.34}m0,${-rem * 0.34}l${-rem * 0.34},${rem * 0.34}`}
              />
            )}
            {granted && <path className="msg-mark is-granted" d={`M${r + rem * 0.1},${-rem * 0.2}l${rem * 0.16},${rem * 0.18}l${rem * 0.3},${-rem * 0.38}`} />}
            {showLabel && (
              <text className="msg-label" y={labelY} textAnchor="middle">
                {text}
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
}

export const MessageLayer = memo(MessageLayerImpl);
