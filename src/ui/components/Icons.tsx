// Small line icons drawn in currentColor (no icon font, nothing fetched). Each is decorative: the
// control that holds it carries the accessible name.

import type { ReactElement } from 'react';

type IconName =
  | 'play'
  | 'pause'
  | 'stepEvent'
  | 'stepMessage'
  | 'stepTick'
  | 'sun'
  | 'moon'
  | 'help'
  | 'scissors'
  | 'heal'
  | 'isolate'
  | 'split'
  | 'plus'
  | 'learner'
  | 'write'
  | 'close'
  | 'kill'
  | 'restart'
  | 'stop'
  | 'bolt'
  | 'crown'
  | 'disk'
  | 'promote'
  | 'remove'
  | 'terminal';

const PATHS: Record<IconName, ReactElement> = {
  play: <path d="M7 5l11 7-11 7z" fill="currentColor" stroke="none" />,
  pause: (
    <g fill="currentColor" stroke="none">
      <rect x="6" y="5" width="4" height="14" rx="1" />
      <rect x="14" y="5" width="4" height="14" rx="1" />
    </g>
  ),
  stepEvent: (
    <g>
      <path d="M6 6l8 6-8 6z" fill="currentColor" stroke="none" />
      <path d="M17 6v12" />
    </g>
  ),
  stepMessage: (
    <g>
      <circle cx="7" cy="12" r="2.5" fill="currentColor" stroke="none" />
      <path d="M11 12h8M16 9l3 3-3 3" />
    </g>
  ),
  stepTick: (
    <g>
      <circle cx="12" cy="13" r="7" />
      <path d="M12 13V9M10 3h4" />
    </g>
  ),
  sun: (
    <g>
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
    </g>
  ),
  moon: <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" />,
  help: (
    <g>
      <circle cx="12" cy="12" r="9" />
      <path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7v.5" />
      <circle cx="12" cy="17" r=".6" fill="currentColor" />
    </g>
  ),
  scissors: (
    <g>
      <circle cx="6" cy="7" r="2.5" />
      <circle cx="6" cy="17" r="2.5" />
      <path d="M8 8.5L20 17M8 15.5L20 7" />
    </g>
  ),
  heal: <path d="M4 12h4l2-4 4 8 2-4h4" />,
  isolate: (
    <g>
      <circle cx="12" cy="12" r="3" />
      <circle cx="12" cy="12" r="8" strokeDasharray="3 3" />
    </g>
  ),
  split: (
    <g>
      <circle cx="6" cy="8" r="2" />
      <circle cx="6" cy="16" r="2" />
      <circle cx="18" cy="7" r="2" />
      <circle cx="18" cy="12" r="2" />
      <circle cx="18" cy="17" r="2" />
      <path d="M12 3v18" strokeDasharray="2 2" />
    </g>
  ),
  plus: <path d="M12 5v14M5 12h14" />,
  learner: (
    <g>
      <rect x="5" y="5" width="14" height="14" rx="3" />
      <path d="M10 9v6h4" />
    </g>
  ),
  write: <path d="M4 20h4l10-10-4-4L4 16zM13 7l4 4" />,
  close: <path d="M6 6l12 12M18 6L6 18" />,
  kill: <path d="M6 6l12 12M18 6L6 18" />,
  restart: (
    <g>
      <path d="M20 12a8 8 0 1 1-2.3-5.7" />
      <path d="M20 4v5h-5" />
    </g>
  ),
  stop: <rect x="6" y="6" width="12" height="12" rx="2" />,
  bolt: <path d="M13 3L5 14h6l-1 7 8-11h-6z" />,
  crown: <path d="M4 17l1.5-9 4.5 4 2-6 2 6 4.5-4L20 17z" />,
  disk: (
    <g>
      <ellipse cx="12" cy="6" rx="7" ry="2.5" />
      <path d="M5 6v12c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5V6" />
      <path d="M5 12c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5" />
    </g>
  ),
  promote: <path d="M12 19V5M6 11l6-6 6 6" />,
  remove: <path d="M5 12h14" />,
  terminal: <path d="M5 7l5 5-5 5M12 17h7" />,
};

export function Icon({ name, size = '1.1em' }: { name: IconName; size?: string }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {PATHS[name]}
    </svg>
  );
}
