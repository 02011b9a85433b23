// The key to the cluster view's shapes and marks, small in a corner of the view and repeated in
// the help sheet. Shapes are drawn with the same classes as the real glyphs.

export function Legend({ compact = true }: { compact?: boolean }) {
  const items: Array<{ key: string; label: string; glyph: React.ReactElement }> = [
    { key: 'f', label: 'follower', glyph: <circle r="7" className="legend-shape" /> },
    { key: 'p', label: 'pre-candidate', glyph: <circle r="7" className="legend-shape is-dashed" /> },
    { key: 'c', label: 'candidate', glyph: <path d="M0,-8L6.9,-4L6.9,4L0,8L-6.9,4L-6.9,-4Z" className="legend-shape" /> },
    {
      key: 'l',
      label: 'leader',
      glyph: (
        <g>
          <circle r="7" className="legend-shape" />
          <path d="M-4.5 -4l1-5 2.2 2 1.3-3.4 1.3 3.4 2.2-2 1 5z" className="legend-crown" />
        </g>
      ),
    },
    { key: 'L', label: 'learner', glyph: <rect x="-5.5" y="-5.5" width="11" height="11" rx="2" className="legend-shape" /> },
    {
      key: 'd',
      label: 'down',
      glyph: (
        <g>
          <circle r="7" className="legend-shape is-dead" />
          <path d="M-3.5,-3.5L3.5,3.5M3.5,-3.5L-3.5,3.5" className="legend-cross" />
        </g>
      ),
    },
  ];
  const marks: Array<{ key: string; label: string; glyph: React.ReactElement }> = [
    { key: 'req', label: 'request', glyph: <circle r="4" className="legend-msg" /> },
    { key: 'rep', label: 'reply', glyph: <circle r="4" className="legend-msg is-reply" /> },
    { key: 'ok', label: 'vote granted', glyph: <path d="M-4,0l2.5,3l5,-6" className="legend-granted" /> },
    { key: 'no', label: 'rejected / dropped', glyph: <path d="M-3.5,-3.5L3.5,3.5M3.5,-3.5L-3.5,3.5" className="legend-reject" /> },
    { key: 'arc', label: 'election timer', glyph: <path d="M0,-7A7,7 0 1 1 -7,0" className="legend-arc" /> },
  ];
  return (
    <div className={`legend${compact ? ' is-compact' : ''}`} aria-label="Legend">
      <ul>
        {items.map((i) => (
          <li key={i.key}>
            <svg viewBox="-10 -11 20 20" aria-hidden="true">
              {i.glyph}
            </svg>
            {i.label}
          </li>
        ))}
      </ul>
      <ul>
        {marks.map((i) => (
          <li key={i.key}>
            <svg viewBox="-10 -10 20 20" aria-hidden="true">
              {i.glyph}
            </svg>
            {i.label}
          </li>
        ))}
      </ul>
      {!compact && <p className="legend-note">Colour = term (Okabe–Ito palette); the term number is written inside every node.</p>}
    </div>
  );
}
