// Where things sit in the cluster view: members evenly around a circle (the first at the top,
// clockwise), and points along a link, offset to one side per direction so that requests and
// replies between the same two members travel in separate lanes. Pure; no DOM.

export interface Point {
  x: number;
  y: number;
}

export interface RingLayout {
  center: Point;
  /** Horizontal and vertical radii: the ring becomes an ellipse in a wide panel. */
  rx: number;
  ry: number;
  /** Radius of one node glyph. */
  nodeRadius: number;
  positions: Point[];
  /** Direction from the center to each node (unit vector), where its label goes. */
  outward: Point[];
}

/**
 * Lays `count` nodes around a ring that fits in width × height, the first at the top, clockwise.
 * Labels sit outside the ring (beside the top and bottom nodes, radially elsewhere), so the
 * vertical margin holds only a node and what sits on it (crown, vote dots); the ring stretches into an
 * ellipse (at most 1.7 : 1) when the panel is wide and short.
 */
export function ringLayout(count: number, width: number, height: number, rem: number): RingLayout {
  const center = { x: width / 2, y: height / 2 };
  const n = Math.max(count, 1);
  // Node size first (from the height and the count), then the ring that leaves room for it.
  const nodeRadius = Math.max(rem * 1.3, Math.min(rem * 2.5, height * 0.085, (Math.PI * height) / (n * 4.2)));
  const marginY = nodeRadius + rem * 2.3;
  const marginX = nodeRadius + rem * 6.2;
  const ry = Math.max(rem * 3, height / 2 - marginY);
  const rx = Math.max(ry, Math.min(width / 2 - marginX, ry * 1.7));
  const positions: Point[] = [];
  const outward: Point[] = [];
  for (let i = 0; i < count; i++) {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / n;
    positions.push({ x: center.x + rx * Math.cos(a), y: center.y + ry * Math.sin(a) });
    outward.push({ x: Math.cos(a), y: Math.sin(a) });
  }
  return { center, rx, ry, nodeRadius, positions, outward };
}

/**
 * The point at fraction `t` of the way from `a` to `b`, starting and ending on the glyphs' rims
 * (`inset`), shifted `lane` units to the left of the direction of travel.
 */
export function pointAlong(a: Point, b: Point, t: number, inset: number, lane: number): Point {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const usable = Math.max(0, len - 2 * inset);
  const d = inset + usable * t;
  // Left normal of (ux, uy) in screen coordinates (y grows downwards).
  return { x: a.x + ux * d + uy * lane, y: a.y + uy * d - ux * lane };
}

/** A point on a circle around `c` at angle `deg` (0 = up, clockwise). */
export function polar(c: Point, r: number, deg: number): Point {
  const a = ((deg - 90) * Math.PI) / 180;
  return { x: c.x + r * Math.cos(a), y: c.y + r * Math.sin(a) };
}

/** An SVG arc path around `c` from angle `from` to `to` (degrees, 0 = up, clockwise). */
export function arcPath(c: Point, r: number, from: number, to: number): string {
  const sweep = Math.max(0, Math.min(360, to - from));
  if (sweep > 359.5) {
    // A whole circle: two half arcs (one arc between equal points draws nothing).
    const a = polar(c, r, from);
    const b = polar(c, r, from + 180);
    return `M ${a.x.toFixed(2)} ${a.y.toFixed(2)} A ${r} ${r} 0 1 1 ${b.x.toFixed(2)} ${b.y.toFixed(2)} A ${r} ${r} 0 1 1 ${a.x.toFixed(2)} ${a.y.toFixed(2)}`;
  }
  const s = polar(c, r, from);
  const e = polar(c, r, from + sweep);
  const large = sweep > 180 ? 1 : 0;
  return `M ${s.x.toFixed(2)} ${s.y.toFixed(2)} A ${r} ${r} 0 ${large} 1 ${e.x.toFixed(2)} ${e.y.toFixed(2)}`;
}
