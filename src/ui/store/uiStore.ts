// What the person is doing with the page, as opposed to what the cluster is doing: the selection,
// the theme, the open panel, the help sheet, notices, the feed filter and the console's transcript.
// Kept apart from clusterStore so that a click never waits for a simulation frame.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { InFlight } from '../../playground/index';
import type { FeedKind, FeedLevel } from './clusterStore';

export type Selection =
  | { kind: 'none' }
  | { kind: 'node'; id: number }
  /** An undirected link; `a` < `b`. */
  | { kind: 'link'; a: number; b: number }
  /** A copy of the message as it was when clicked (it may be delivered a moment later). */
  | { kind: 'message'; message: InFlight };

export type Theme = 'light' | 'dark';
export type PanelTab = 'logs' | 'data' | 'console';

export interface Notice {
  id: number;
  tone: 'info' | 'error';
  text: string;
}

/** One command run in the console and what it printed. */
export interface ConsoleEntry {
  id: number;
  line: string;
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  running: boolean;
}

export interface FeedFilter {
  /** 'all', or a member ID. */
  node: number | 'all';
  kinds: Record<FeedKind, boolean>;
  minLevel: FeedLevel;
  text: string;
}

export interface UiState {
  selection: Selection;
  theme: Theme;
  tab: PanelTab;
  helpOpen: boolean;
  notices: Notice[];
  feedFilter: FeedFilter;
  consoleEntries: ConsoleEntry[];
  consoleHistory: string[];
}

export type UiStore = StoreApi<UiState>;

export function createUiStore(theme: Theme): UiStore {
  return createStore<UiState>()(() => ({
    selection: { kind: 'none' },
    theme,
    tab: 'logs',
    helpOpen: false,
    notices: [],
    feedFilter: {
      node: 'all',
      kinds: { raft: true, etcdserver: true, fault: true, node: true, client: true },
      minLevel: 'INFO',
      text: '',
    },
    consoleEntries: [],
    consoleHistory: [],
  }));
}

let noticeSeq = 1;

/** Shows a short notice (errors of actions, confirmations) that fades after a few seconds. */
export function notify(ui: UiStore, tone: Notice['tone'], text: string): void {
  const id = noticeSeq++;
  ui.setState((s) => ({ notices: [...s.notices.slice(-3), { id, tone, text }] }));
  setTimeout(() => ui.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) })), tone === 'error' ? 6000 : 3500);
}

export function sameSelection(a: Selection, b: Selection): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'node' && b.kind === 'node') return a.id === b.id;
  if (a.kind === 'link' && b.kind === 'link') return a.a === b.a && a.b === b.b;
  if (a.kind === 'message' && b.kind === 'message') return a.message.id === b.message.id;
  return true;
}
