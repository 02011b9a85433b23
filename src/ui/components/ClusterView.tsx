// The cluster drawn as RaftScope taught: members around a circle, links between them, messages in
// flight along the links. The SVG's coordinate system is the panel's own size in CSS pixels, so
// text keeps its size at every resolution and the ring takes whatever room there is.

import { useCallback, useMemo } from 'react';
import type { InFlight } from '../../playground/index';
import { toggleLink } from '../actions';
import { visualRole } from '../lib/format';
import { ringLayout, type Point } from '../lib/geometry';
import { leaderOf, linkBetween } from '../store/clusterStore';
import type { TimedDetail } from '../store/clusterStore';
import { useCluster, useSession, useUi } from '../store/sessionContext';
import { LinkLayer, type LinkPair } from './LinkLayer';
import { MessageLayer } from './MessageLayer';
import { NodeGlyph } from './NodeGlyph';
import { speedLabel } from './TimeControls';
import { remPx, useElementSize } from '../hooks/useElementSize';

/** A calm corner badge that says whether time is moving, and how fast (for the back row). */
function PlaybackBadge() {
  const playing = useCluster((s) => s.playing);
  const speed = useCluster((s) => s.speed);
  const viewing = useCluster((s) => s.timeline.viewing);
  if (viewing) {
    // Time travel: say plainly what acting here does.
    return (
      <div className="playback-badge is-past" data-testid="past-badge">
        {playing ? `replaying the recorded run at ${speedLabel(speed)}` : 'an earlier instant'} · acting here forks the run
      </div>
    );
  }
  if (playing && speed === 1) return null;
  return (
    <div className={`playback-badge${playing ? '' : ' is-paused'}`} aria-hidden="true">
      {playing ? `playing at ${speedLabel(speed)}` : 'paused'}
    </div>
  );
}

/** The voters and votes of a node's last detail, as a string that only changes when they do. */
function votesKeyOf(d: TimedDetail | undefined): string {
  return d === undefined ? '[[],[]]' : JSON.stringify([d.detail.config.voters, d.detail.votes]);
}

export function ClusterView() {
  const session = useSession();
  const { pg, ui } = session;
  const [ref, size] = useElementSize<HTMLDivElement>();
  const rem = remPx();
  const w = Math.max(1, size.width);
  const h = Math.max(1, size.height);
  const nodes = useCluster((s) => s.nodes);
  const lifecycle = useCluster((s) => s.lifecycle);
  const details = useCluster((s) => s.details);
  const links = useCluster((s) => s.links);
  const tickMs = useCluster((s) => s.tickMs);
  const selection = useUi((s) => s.selection);

  const ring = useMemo(() => nodes.filter((n) => !n.removed), [nodes]);
  const layout = useMemo(() => ringLayout(ring.length, w, h, rem), [ring.length, w, h, rem]);
  const positions = useMemo(() => {
    const m = new Map<number, Point>();
    ring.forEach((n, i) => m.set(n.id, layout.positions[i]!));
    return m;
  }, [ring, layout]);
  const names = useMemo(() => new Map(nodes.map((n) => [n.id, n.name])), [nodes]);
  const lead = leaderOf(nodes);

  const pairs = useMemo(() => {
    const out: LinkPair[] = [];
    for (let i = 0; i < ring.length; i++)
      for (let j = i + 1; j < ring.length; j++) {
        const a = ring[i]!;
        const b = ring[j]!;
        const [x, y] = a.id < b.id ? [a, b] : [b, a];
        out.push({
          a: x.id,
          b: y.id,
          aName: x.name,
          bName: y.name,
          pa: positions.get(x.id)!,
          pb: positions.get(y.id)!,
          ab: linkBetween(links, x.id, y.id),
          ba: linkBetween(links, y.id, x.id),
        });
      }
    return out;
  }, [ring, positions, links]);

  const onSelectNode = useCallback((id: number) => ui.setState({ selection: { kind: 'node', id } }), [ui]);
  const onToggleLink = useCallback(
    (a: number, b: number) => {
      ui.setState({ selection: { kind: 'link', a, b } });
      void toggleLink(session, a, b);
    },
    [session, ui],
  );
  const onSelectMessage = useCallback((m: InFlight) => ui.setState({ selection: { kind: 'message', message: { ...m } } }), [ui]);
  const linkOf = useCallback((from: number, to: number) => linkBetween(links, from, to), [links]);

  const clientAnchor = { x: rem * 2.2, y: h - rem * 2.1 };
  const inset = layout.nodeRadius + rem * 0.35;
  const lane = rem * 0.42;
  const defaultLatency = pg.cluster.timing.latencyMs;
  const defaultDisk = pg.cluster.timing.diskLatencyMs;
  const selectedLink = selection.kind === 'link' ? { a: selection.a, b: selection.b } : undefined;
  const selectedMsg = selection.kind === 'message' ? selection.message.id : undefined;
  const hasClientTraffic = useCluster((s) => s.messages.some((v) => v.m.channel === 'client'));

  return (
    <div ref={ref} className="cluster-canvas" onClick={() => ui.setState({ selection: { kind: 'none' } })}>
      <PlaybackBadge />
      <svg
        className="cluster-svg"
        width={w}
        height={h}
        viewBox={`0 0 ${w.toFixed(0)} ${h.toFixed(0)}`}
        role="group"
        aria-label={`Cluster of ${ring.length} members${lead !== undefined ? `, leader ${lead.name} in term ${lead.term}` : ', no leader'}`}
        data-testid="cluster-view"
      >
        <LinkLayer pairs={pairs} inset={inset} lane={lane} rem={rem} defaultLatencyMs={defaultLatency} selected={selectedLink} onToggle={onToggleLink} />
        <g className={`client-anchor${hasClientTraffic ? ' is-active' : ''}`} transform={`translate(${clientAnchor.x} ${clientAnchor.y})`} aria-hidden="true">
          <rect x={-rem * 0.7} y={-rem * 0.5} width={rem * 1.4} height={rem * 0.95} rx={rem * 0.15} />
          <path d={`M${-rem * 0.95},${rem * 0.62}H${rem * 0.95}`} />
          <text y={rem * 1.45} textAnchor="middle">
            clients
          </text>
        </g>
        <MessageLayer
          positions={positions}
          clientAnchor={clientAnchor}
          inset={inset}
          lane={lane}
          rem={rem}
          linkOf={linkOf}
          selectedId={selectedMsg}
          onSelect={onSelectMessage}
        />
        {ring.map((n, i) => (
          <NodeGlyph
            key={n.id}
            node={n}
            role={visualRole(n, lifecycle[n.id])}
            pos={positions.get(n.id)!}
            outward={layout.outward[i]!}
            r={layout.nodeRadius}
            rem={rem}
            votesKey={votesKeyOf(details[n.id])}
            hasDetail={n.alive && details[n.id] !== undefined}
            tickMs={tickMs}
            selected={selection.kind === 'node' && selection.id === n.id}
            shortcut={i < 9 ? i + 1 : undefined}
            leadName={n.lead !== 0 ? names.get(n.lead) : undefined}
            defaultDiskMs={defaultDisk}
            onSelect={onSelectNode}
          />
        ))}

      </svg>
    </div>
  );
}
