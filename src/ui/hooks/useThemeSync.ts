// Applies the chosen theme to <html data-theme>, remembers an explicit choice, and follows the
// system's colour scheme while the person has not chosen one.

import { useEffect } from 'react';
import type { UiStore } from '../store/uiStore';
import { useStore } from 'zustand';

export function useThemeSync(ui: UiStore): void {
  const theme = useStore(ui, (s) => s.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.querySelector('meta[name="color-scheme"]')?.setAttribute('content', theme);
  }, [theme]);
  useEffect(() => {
    let chosen = false;
    try {
      chosen = localStorage.getItem('raft-playground:theme') !== null;
    } catch {
      chosen = false;
    }
    let following = false;
    const unsub = ui.subscribe((s, prev) => {
      if (s.theme === prev.theme || following) return;
      try {
        localStorage.setItem('raft-playground:theme', s.theme);
      } catch {
        // Not remembered; the toggle still works for this page.
      }
      chosen = true;
    });
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => {
      if (chosen) return;
      following = true;
      ui.setState({ theme: mq.matches ? 'dark' : 'light' });
      following = false;
    };
    mq.addEventListener('change', onChange);
    return () => {
      unsub();
      mq.removeEventListener('change', onChange);
    };
  }, [ui]);
}
