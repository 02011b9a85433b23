// The current virtual time and the cluster's headline (term and leader), in tabular figures so
// the digits do not dance while time runs.

import { formatTime } from '../lib/format';
import { leaderOf } from '../store/clusterStore';
import { useCluster } from '../store/sessionContext';
import { termColor, termInk } from '../lib/termColors';

export function Clock() {
  const now = useCluster((s) => s.now);
  const lead = useCluster((s) => leaderOf(s.nodes));
  const maxTerm = useCluster((s) => s.nodes.reduce((m, n) => Math.max(m, n.term), 0));
  return (
    <div className="clock" aria-label="Virtual time">
      <div className="clock-time" data-testid="virtual-time" data-ms={Math.round(now)} aria-live="off">
        <span className="clock-label">t</span> {formatTime(now)}
      </div>
      <div className="clock-headline">
        {lead !== undefined ? (
          <>
            <span className="term-chip" style={{ background: termColor(lead.term), color: termInk(lead.term) }}>
              term {lead.term}
            </span>
            <span>
              leader <strong data-testid="leader-name">{lead.name}</strong>
            </span>
          </>
        ) : (
          <>
            <span className="term-chip term-chip-none">term {maxTerm}</span>
            <span className="no-leader" data-testid="leader-name">
              no leader
            </span>
          </>
        )}
      </div>
    </div>
  );
}
