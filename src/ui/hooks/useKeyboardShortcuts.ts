// Global keyboard shortcuts (listed in HelpOverlay). They are ignored while typing in a field, so
// the console and the filters keep every key; modifier chords other than Shift are left to the
// browser.

import { useEffect } from 'react';
import { clientPut, forceElection, heal, kill, nudgeSpeed, restart, step, stop, togglePlay } from '../actions';
import type { Session } from '../session';

/** Whether a key press goes to a field being typed in (shortcuts leave those alone). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return type !== 'checkbox' && type !== 'radio' && type !== 'range' && type !== 'button';
  }
  return target.isContentEditable;
}

export function useKeyboardShortcuts(session: Session): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target)) return;
      // Arrow keys move a focused slider, never the simulation.
      if (e.key.startsWith('Arrow') && e.target instanceof HTMLInputElement && e.target.type === 'range') return;
      const { ui, pg } = session;
      const sel = ui.getState().selection;
      const selectedId = sel.kind === 'node' ? sel.id : undefined;
      const ring = pg.status().filter((n) => !n.removed);
      const handled = (): void => e.preventDefault();

      if (ui.getState().helpOpen) {
        if (e.key === 'Escape' || e.key === '?') {
          ui.setState({ helpOpen: false });
          handled();
        }
        return;
      }
      switch (e.key) {
        case ' ':
          // Space on a focused button activates the button; only the page-level space toggles play.
          if (e.target instanceof HTMLButtonElement || (e.target instanceof Element && e.target.getAttribute('role') === 'button')) return;
          togglePlay(session);
          return handled();
        case 'ArrowRight':
          if (e.target instanceof HTMLElement && e.target.getAttribute('role') === 'tab') return;
          void step(session, e.shiftKey ? 'tick' : 'event');
          return handled();
        case 'm':
          void step(session, 'message');
          return handled();
        case '[':
          nudgeSpeed(session, -1);
          return handled();
        case ']':
          nudgeSpeed(session, 1);
          return handled();
        case 'k':
          if (selectedId !== undefined) void kill(session, selectedId);
          return handled();
        case 'r':
          if (selectedId !== undefined) void restart(session, selectedId);
          return handled();
        case 's':
          if (selectedId !== undefined) void stop(session, selectedId);
          return handled();
        case 'e':
          if (selectedId !== undefined) void forceElection(session, selectedId);
          return handled();
        case 'h':
          void heal(session);
          return handled();
        case 'c':
          void clientPut(session);
          return handled();
        case 'l':
          ui.setState({ tab: 'logs' });
          return handled();
        case 'd':
          ui.setState({ tab: 'data' });
          return handled();
        case '`':
          ui.setState({ tab: 'console' });
          return handled();
        case 't':
          ui.setState((s) => ({ theme: s.theme === 'dark' ? 'light' : 'dark' }));
          return handled();
        case '?':
          ui.setState({ helpOpen: true });
          return handled();
        case 'Escape':
          ui.setState({ selection: { kind: 'none' } });
          return handled();
        default:
          if (/^[1-9]$/.test(e.key)) {
            const n = ring[Number(e.key) - 1];
            if (n !== undefined) ui.setState({ selection: { kind: 'node', id: n.id } });
            return handled();
          }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);
}
