// The header: what this is, the time controls, the clock, and the theme and help buttons.

import { useSession, useUi } from '../store/sessionContext';
import { Clock } from './Clock';
import { Icon } from './Icons';
import { TimeControls } from './TimeControls';
import { SessionMenu } from './SessionMenu';
import { LessonLauncher } from './LessonLayer';

export function TopBar() {
  const { pg, ui } = useSession();
  const theme = useUi((s) => s.theme);
  return (
    <header className="topbar">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
          <circle cx="16" cy="16" r="13" fill="var(--accent)" />
          <path d="M16 6l3 7h-6z" fill="var(--accent-ink)" />
          <circle cx="9" cy="21" r="3" fill="var(--accent-ink)" />
          <circle cx="23" cy="21" r="3" fill="var(--accent-ink)" />
        </svg>
        <div>
          <h1>Raft playground</h1>
          <p className="brand-sub">
            etcd Raft · seed {pg.seed}
            {pg.options.preVote === true ? ' · pre-vote' : ''}
            {pg.options.checkQuorum === false ? ' · no check-quorum' : ''}
          </p>
        </div>
      </div>
      <TimeControls />
      <Clock />
      <div className="topbar-end">
        <LessonLauncher />
        <SessionMenu />
        <button
          type="button"
          className="btn btn-icon"
          onClick={() => ui.setState({ theme: theme === 'dark' ? 'light' : 'dark' })}
          aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          title={theme === 'dark' ? 'Light theme' : 'Dark theme'}
          data-testid="theme-toggle"
        >
          <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
        </button>
        <button type="button" className="btn btn-icon" onClick={() => ui.setState({ helpOpen: true })} aria-label="Keyboard shortcuts and legend (?)" title="Help (?)">
          <Icon name="help" />
        </button>
      </div>
    </header>
  );
}
