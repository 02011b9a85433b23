// With nothing selected: every member in one table (role, term, vote, commit, applied, last
// index), each row selecting its member, and a hint of what can be clicked.

import { hexId, roleLabel, visualRole } from '../lib/format';
import { termColor, termInk } from '../lib/termColors';
import type { ClusterState } from '../store/clusterStore';
import { useClusterThrottled, useSession } from '../store/sessionContext';

const selectNodes = (s: ClusterState) => s.nodes;
const selectLifecycle = (s: ClusterState) => s.lifecycle;

export function ClusterOverview() {
  const { ui } = useSession();
  const nodes = useClusterThrottled(selectNodes, 150);
  const lifecycle = useClusterThrottled(selectLifecycle, 150);
  const names = new Map(nodes.map((n) => [n.id, n.name]));
  return (
    <div className="overview">
      <table className="table table-compact" aria-label="Members">
        <thead>
          <tr>
            <th scope="col">member</th>
            <th scope="col">role</th>
            <th scope="col" className="num">
              term
            </th>
            <th scope="col">vote</th>
            <th scope="col" className="num">
              commit
            </th>
          </tr>
        </thead>
        <tbody>
          {nodes
            .filter((n) => !n.removed)
            .map((n) => {
              const role = visualRole(n, lifecycle[n.id]);
              return (
                <tr
                  key={n.id}
                  className={`row-click role-${role}`}
                  tabIndex={0}
                  onClick={() => ui.setState({ selection: { kind: 'node', id: n.id } })}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') ui.setState({ selection: { kind: 'node', id: n.id } });
                  }}
                  aria-label={`Select ${n.name}`}
                >
                  <td>
                    <span className="mono">{n.name}</span>
                  </td>
                  <td>{roleLabel(role)}</td>
                  <td className="num">
                    <span className="term-chip term-chip-sm" style={{ background: termColor(n.term), color: termInk(n.term) }}>
                      {n.term}
                    </span>
                  </td>
                  <td className="mono muted">{n.vote === 0 ? '—' : (names.get(n.vote) ?? hexId(n.vote))}</td>
                  <td className="num mono">{n.commit}</td>
                </tr>
              );
            })}
        </tbody>
      </table>
      <p className="hint">
        Click a member to control it, a link to cut or restore it, a message to read it. Press <kbd>?</kbd> for shortcuts.
      </p>
    </div>
  );
}
