// Small text formatters shared by the views: virtual time, member IDs in etcd's hex, role names.
// Pure; no DOM.

import type { NodeStatus } from '../../playground/index';

/** Virtual time as seconds with millisecond precision: "12.345 s". */
export function formatTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** A compact virtual time for dense tables: "12.345". */
export function formatSeconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** A member ID as etcd prints it (lowercase hex). */
export function hexId(id: number): string {
  return id.toString(16);
}

/** What a glyph shows: etcd's role, or why the node is not running. */
export type VisualRole = 'leader' | 'candidate' | 'preCandidate' | 'follower' | 'learner' | 'down' | 'stopped' | 'removed' | 'failed';

/** How the node last went away, from the cluster's node events. */
export type Lifecycle = 'up' | 'down' | 'stopped' | 'removed' | 'failed';

export function visualRole(s: NodeStatus, lifecycle: Lifecycle | undefined): VisualRole {
  if (s.removed) return 'removed';
  if (s.failed !== undefined) return 'failed';
  if (!s.alive) return lifecycle === 'stopped' ? 'stopped' : 'down';
  if (s.isLearner) return 'learner';
  switch (s.role) {
    case 'StateLeader':
      return 'leader';
    case 'StateCandidate':
      return 'candidate';
    case 'StatePreCandidate':
      return 'preCandidate';
    default:
      return 'follower';
  }
}

const ROLE_LABEL: Record<VisualRole, string> = {
  leader: 'leader',
  candidate: 'candidate',
  preCandidate: 'pre-candidate',
  follower: 'follower',
  learner: 'learner',
  down: 'killed',
  stopped: 'stopped',
  removed: 'removed',
  failed: 'failed',
};

export function roleLabel(r: VisualRole): string {
  return ROLE_LABEL[r];
}

/** etcd's progress state without its prefix: "StateReplicate" → "Replicate". */
export function progressStateLabel(state: string): string {
  return state.replace(/^State/, '');
}

/** Shortens a string for a table cell, keeping it honest with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
