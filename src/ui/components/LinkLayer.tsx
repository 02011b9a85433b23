// The links between members, one line per pair. A cut pair is a dashed line in the alarm colour
// with a cut mark; a pair cut in one direction only shows that direction's lane dashed; a link with
// extra latency or loss carries a small label. Clicking a link cuts it (both directions) or
// restores it, and selects it so the inspector shows per-direction settings.

import { memo, type KeyboardEvent } from 'react';
import type { LinkState } from '../../playground/index';
import { pointAlong, type Point } from '../lib/geometry';

export interface LinkPair {
  a: number;
  b: number;
  aName: string;
  bName: string;
  pa: Point;
  pb: Point;
  ab: LinkState | undefined;
  ba: LinkState | undefined;
}

interface LinkLayerProps {
  pairs: LinkPair[];
  inset: number;
  lane: number;
  rem: number;
  defaultLatencyMs: number;
  selected: { a: number; b: number } | undefined;
  onToggle(a: number, b: number): void;
}

function degradedText(s: LinkState | undefined, defaultLatencyMs: number): string | undefined {
  if (s === undefined) return undefined;
  const parts: string[] = [];
  if (s.latencyMs !== defaultLatencyMs) parts.push(`${s.latencyMs} ms`);
  if (s.dropRate > 0) parts.push(`${Math.round(s.dropRate * 100)}% loss`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function LinkLayerImpl({ pairs, inset, lane, rem, defaultLatencyMs, selected, onToggle }: LinkLayerProps) {
  return (
    <g className="links">
      {pairs.map((p) => {
        const abUp = p.ab?.up ?? true;
        const baUp = p.ba?.up ?? true;
        const state = abUp && baUp ? 'up' : !abUp && !baUp ? 'down' : 'partial';
        const s = pointAlong(p.pa, p.pb, 0, inset, 0);
        const e = pointAlong(p.pa, p.pb, 1, inset, 0);
        const mid = { x: (s.x + e.x) / 2, y: (s.y + e.y) / 2 };
        const deg = degradedText(p.ab, defaultLatencyMs) ?? degradedText(p.ba, defaultLatencyMs);
        const isSelected = selected !== undefined && selected.a === p.a && selected.b === p.b;
        const label =
          `Link ${p.aName} – ${p.bName}: ` +
          (state === 'up' ? 'up' : state === 'down' ? 'cut' : `cut from ${abUp ? p.bName : p.aName} to ${abUp ? p.aName : p.bName} only`) +
          (deg !== undefined ? `, ${deg}` : '') +
          `. Click to ${state === 'down' ? 'restore' : 'cut'}.`;
        const onKey = (ev: KeyboardEvent<SVGGElement>) => {
          if (ev.key === 'Enter' || ev.key === ' ') {
            ev.preventDefault();
            ev.stopPropagation();
            onToggle(p.a, p.b);
          }
        };
        return (
          <g
            key={`${p.a}-${p.b}`}
            className={`link link-${state}${isSelected ? ' is-selected' : ''}`}
            role="button"
            tabIndex={0}
            aria-label={label}
            data-link={`${p.aName}-${p.bName}`}
            data-a={p.a.toString(16)}
            data-b={p.b.toString(16)}
            data-state={state}
            onClick={(ev) => {
              ev.stopPropagation();
              onToggle(p.a, p.b);
            }}
            onKeyDown={onKey}
          >
            <title>{label}</title>
            <line className="link-hit" x1={s.x} y1={s.y} x2={e.x} y2={e.y} />
            {isSelected && <line className="link-selected" x1={s.x} y1={s.y} x2={e.x} y2={e.y} />}
            {state !== 'partial' && <line className="link-line" x1={s.x} y1={s.y} x2={e.x} y2={e.y} />}
            {state === 'partial' &&
              ([
                [p.pa, p.pb, abUp],
                [p.pb, p.pa, baUp],
              ] as const).map(([from, to, up], i) => {
                const ls = pointAlong(from, to, 0, inset, lane);
                const le = pointAlong(from, to, 1, inset, lane);
                return <line key={i} className={up ? 'link-lane' : 'link-lane is-down'} x1={ls.x} y1={ls.y} x2={le.x} y2={le.y} />;
              })}
            {state !== 'up' && (
              <g className="link-cut-mark" transform={`translate(${mid.x.toFixed(2)} ${mid.y.toFixed(2)})`}>
                <circle r={rem * 0.55} />
                <path d={`M${-rem * 0.22},${-rem * 0.22}L${rem * 0.22},${rem * 0.22}M${rem * 0.22},${-rem * 0.22}L${-rem * 0.22},${rem * 0.22}`} />
              </g>
            )}
            {deg !== undefined && state === 'up' && (
              <text className="link-degraded" x={mid.x} y={mid.y - rem * 0.45} textAnchor="middle">
                {deg}
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
}

export const LinkLayer = memo(LinkLayerImpl);
