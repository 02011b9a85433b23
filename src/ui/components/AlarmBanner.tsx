// Invariant alarms: a safety property of Raft or etcd failed on the live run (one leader per term,
// applied entries agree on every member, revisions never go back). That is a bug in what runs here,
// so the clock has stopped; the banner names the property, the evidence and the instant, and
// offers to show that instant and the members involved.

import { seekTo } from '../actions';
import { formatTime } from '../lib/format';
import { useCluster, useSession } from '../store/sessionContext';

const NAMES: Record<string, string> = {
  ElectionSafety: 'Election Safety (at most one leader per term)',
  StateMachineSafety: 'State Machine Safety (members apply the same entry at each index)',
  LogMatching: 'Log Matching',
  LeaderCompleteness: 'Leader Completeness',
  MonotonicRevision: 'monotonic revisions',
  WatchGapFree: 'gap-free watches',
  Linearizability: 'linearizability',
};

export function AlarmBanner() {
  const session = useSession();
  const alarms = useCluster((s) => s.alarms);
  const nodes = useCluster((s) => s.nodes);
  const driverError = useCluster((s) => s.driverError);
  if (driverError !== undefined && alarms.length === 0) {
    return (
      <div className="alarm" role="alert" data-testid="driver-error">
        <strong>
          <span aria-hidden="true">⚠ </span>The clock stopped on an error
        </strong>
        <span className="alarm-text">{driverError}. This is a bug in the playground; stepping and playing may work again.</span>
        <span className="alarm-actions">
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => session.cluster.setState({ driverError: undefined })} aria-label="Dismiss the error">
            Dismiss
          </button>
        </span>
      </div>
    );
  }
  if (alarms.length === 0) return null;
  const v = alarms[0]!;
  const names = v.nodes.map((id) => nodes.find((n) => n.id === id)?.name ?? id.toString(16));
  return (
    <div className="alarm" role="alert" data-testid="alarm">
      <strong>
        <span aria-hidden="true">⚠ </span>
        {NAMES[v.property] ?? v.property} violated at {formatTime(v.time)}
      </strong>
      <span className="alarm-text">
        {v.message}
        {names.length > 0 ? ` — members ${names.join(', ')}` : ''}
        {alarms.length > 1 ? ` (and ${alarms.length - 1} more)` : ''}. The clock stopped here: this is a bug in the playground.
      </span>
      <span className="alarm-actions">
        <button type="button" className="btn btn-sm" onClick={() => seekTo(session, v.time)}>
          Show that instant
        </button>
        {v.nodes[0] !== undefined && (
          <button type="button" className="btn btn-sm" onClick={() => session.ui.setState({ selection: { kind: 'node', id: v.nodes[0]! } })}>
            Select {names[0]}
          </button>
        )}
        <button type="button" className="btn btn-sm btn-ghost" onClick={() => session.cluster.setState({ alarms: [] })} aria-label="Dismiss the alarm">
          Dismiss
        </button>
      </span>
    </div>
  );
}
