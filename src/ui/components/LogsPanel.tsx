// The Logs tab: the aligned log grid of every member next to the leader's progress table.

import { leaderOf, type ClusterState } from '../store/clusterStore';
import { useClusterThrottled, useSession, useUi } from '../store/sessionContext';
import { LogGrid } from './LogGrid';
import { ProgressTable } from './ProgressTable';

/** The logs are read, not watched: ten refreshes a second are plenty. */
const REFRESH_MS = 100;
const selectNodes = (s: ClusterState) => s.nodes;
const selectLifecycle = (s: ClusterState) => s.lifecycle;
const selectStatusSeq = (s: ClusterState) => s.statusSeq;
const selectProgress = (s: ClusterState) => s.leaderProgress;

export function LogsPanel() {
  const { ui } = useSession();
  const allNodes = useClusterThrottled(selectNodes, REFRESH_MS);
  const lifecycle = useClusterThrottled(selectLifecycle, REFRESH_MS);
  const statusSeq = useClusterThrottled(selectStatusSeq, REFRESH_MS);
  const leaderProgress = useClusterThrottled(selectProgress, REFRESH_MS);
  const leader = leaderOf(allNodes);
  const progress = leader !== undefined && leaderProgress?.leader === leader.id ? leaderProgress.progress : undefined;
  const selection = useUi((s) => s.selection);
  const nodes = allNodes.filter((n) => !n.removed);
  return (
    <div className="logs-panel">
      <LogGrid
        nodes={nodes}
        lifecycle={lifecycle}
        statusSeq={statusSeq}
        leaderProgress={progress}
        selectedId={selection.kind === 'node' ? selection.id : undefined}
        onSelect={(id) => ui.setState({ selection: { kind: 'node', id } })}
      />
      <div className="logs-side">
        <ProgressTable leader={leader} progress={progress} />
        <div className="logs-key" aria-label="Log key">
          <span>
            <i className="key-cell is-committed" /> committed
          </span>
          <span>
            <i className="key-cell is-uncommitted" /> not committed
          </span>
          <span>
            <i className="key-commit" /> commit
          </span>
          <span>
            <i className="key-applied" /> applied
          </span>
          <span>
            <i className="key-compacted" /> compacted
          </span>
        </div>
      </div>
    </div>
  );
}
