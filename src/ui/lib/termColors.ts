// Colours keyed by Raft term. The Okabe–Ito palette is safe for the common forms of colour
// blindness; every glyph also carries its term as a number and its role as a shape, so colour is
// never the only cue. Pure; no DOM.

const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'] as const;

/** Ink that stays readable on each palette colour (WCAG ≥ 4.5:1 for the term number). */
const INK = ['#ffffff', '#1b1b1b', '#0d1b14', '#1b1b1b', '#0d1b24', '#1b1b1b', '#1b1b1b'] as const;

/** Term 0 (never campaigned) has no colour of its own. */
export const NEUTRAL_FILL = 'var(--node-neutral)';

function slot(term: number): number {
  return (((term - 1) % OKABE_ITO.length) + OKABE_ITO.length) % OKABE_ITO.length;
}

/** The fill of a node, a log entry or a message of this term. */
export function termColor(term: number): string {
  return term <= 0 ? NEUTRAL_FILL : OKABE_ITO[slot(term)]!;
}

/** Text colour to draw on `termColor(term)`. */
export function termInk(term: number): string {
  return term <= 0 ? 'var(--text)' : INK[slot(term)]!;
}
