// The leader's view of each follower (etcd's tracker.Progress): match, next, the replication
// state (Probe, Replicate, Snapshot), inflight appends, whether sending is paused and whether the
// follower was recently active (check-quorum).

import type { NodeDetail, NodeStatus } from '../../playground/index';
import { hexId, progressStateLabel } from '../lib/format';
import { useCluster } from '../store/sessionContext';

export function ProgressTable({ leader, progress }: { leader: NodeStatus | undefined; progress: NodeDetail['progress'] | undefined }) {
  if (leader === undefined || progress === undefined) {
    return (
      <div className="progress-empty">
        <p>No leader: only a leader tracks its followers' progress.</p>
      </div>
    );
  }
  return (
    <table className="table table-compact progress-table" aria-label={`Progress tracked by leader ${leader.name}`} data-testid="progress-table">
      <caption>
        Progress seen by <strong>{leader.name}</strong> (term {leader.term})
      </caption>
      <thead>
        <tr>
          <th scope="col">member</th>
          <th scope="col" className="num">
            match
          </th>
          <th scope="col" className="num">
            next
          </th>
          <th scope="col">state</th>
          <th scope="col" className="num">
            inflight
          </th>
        </tr>
      </thead>
      <tbody>
        {progress.map((p) => (
          <ProgressRow key={p.id} p={p} leaderId={leader.id} />
        ))}
      </tbody>
    </table>
  );
}

function ProgressRow({ p, leaderId }: { p: NodeDetail['progress'][number]; leaderId: number }) {
  const state = progressStateLabel(p.state);
  return (
    <tr className={p.id === leaderId ? 'is-self' : ''}>
      <td className="mono">
        <NameOf id={p.id} />
        {p.isLearner ? <span className="tag">learner</span> : null}
        {p.id === leaderId ? <span className="tag">self</span> : null}
      </td>
      <td className="num mono">{p.match}</td>
      <td className="num mono">{p.next}</td>
      <td>
        <span className={`state-pill state-${state.toLowerCase()}`}>{state}</span>
        {p.pendingSnapshot > 0 ? <span className="muted mono"> @{p.pendingSnapshot}</span> : null}
        {p.paused ? <span className="tag tag-warn">paused</span> : null}
        {!p.recentActive && p.id !== leaderId ? (
          <span className="tag tag-warn" title="not recently active (check-quorum)">
            inactive
          </span>
        ) : null}
      </td>
      <td className="num mono">
        {p.inflight}
        {p.inflightFull ? <span className="tag tag-warn">full</span> : null}
      </td>
    </tr>
  );
}

function NameOf({ id }: { id: number }) {
  const name = useCluster((s) => s.nodes.find((n) => n.id === id)?.name);
  return <>{name ?? hexId(id)}</>;
}
