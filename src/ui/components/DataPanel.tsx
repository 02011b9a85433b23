// The Data tab: one member's MVCC keyspace as that member has applied it (key, value, create and
// mod revision, version, lease), its revision and compaction point, and its leases counting down
// in virtual time. Members disagree while replication is behind; pick one to compare.

import { useEffect, useRef, useState } from 'react';
import type { KeyspaceView } from '../../playground/index';
import { clip } from '../lib/format';
import { leaderOf } from '../store/clusterStore';
import { useCluster, useSession, useUi } from '../store/sessionContext';

/** A lease ID as etcdctl prints it (%016x). */
function leaseHex(id: number): string {
  return id.toString(16).padStart(16, '0');
}

/** A remaining TTL this large means "never expires here": etcd's followers do not expire leases. */
const FOREVER_S = 1e9;

function useKeyspace(id: number | undefined, alive: boolean, revisionKey: string): { view: KeyspaceView | undefined; at: number; error: string | undefined } {
  const { pg } = useSession();
  const [state, setState] = useState<{ view: KeyspaceView | undefined; at: number; error: string | undefined }>({ view: undefined, at: 0, error: undefined });
  const seq = useRef(0);
  useEffect(() => {
    if (id === undefined) {
      setState((s) => ({ ...s, error: undefined }));
      return;
    }
    // A member that is down is read from its stored data (what it would restart with).
    const mine = ++seq.current;
    const at = pg.now();
    pg.nodeKeyspace(id, { limit: 500 }).then(
      (view) => {
        if (mine === seq.current) setState({ view, at, error: undefined });
      },
      (err: unknown) => {
        if (mine === seq.current) setState((s) => ({ ...s, error: (err as Error).message }));
      },
    );
  }, [pg, id, alive, revisionKey]);
  return state;
}

export function DataPanel() {
  const { ui } = useSession();
  const nodes = useCluster((s) => s.nodes);
  const selection = useUi((s) => s.selection);
  const now = useCluster((s) => Math.floor(s.now / 100) * 100);
  const [picked, setPicked] = useState<number | undefined>(undefined);
  const lead = leaderOf(nodes);
  const selectedNode = selection.kind === 'node' ? selection.id : undefined;
  const id = picked ?? selectedNode ?? lead?.id ?? nodes[0]?.id;
  const node = nodes.find((n) => n.id === id);
  // Refetch when the member applies something, and every half second of virtual time for leases.
  const revisionKey = node?.alive === false ? 'down' : `${node?.revision}/${node?.applied}/${Math.floor(now / 500)}`;
  const { view, at, error } = useKeyspace(id, node?.alive ?? false, revisionKey);

  return (
    <div className="data-panel">
      <div className="data-toolbar" role="radiogroup" aria-label="Member whose keyspace is shown">
        {nodes
          .filter((n) => !n.removed)
          .map((n) => (
            <button
              key={n.id}
              type="button"
              role="radio"
              aria-checked={n.id === id}
              className={`chip${n.id === id ? ' is-on' : ''}${!n.alive ? ' is-down' : ''}`}
              onClick={() => {
                setPicked(n.id);
                ui.setState({ selection: { kind: 'node', id: n.id } });
              }}
              aria-label={`Show the keyspace of ${n.name}`}
            >
              {n.name}
              {n.id === lead?.id ? ' ★' : ''}
            </button>
          ))}
        {view !== undefined && (
          <span className="data-meta mono">
            revision {view.revision} · compacted {view.compactRevision < 0 ? '—' : view.compactRevision} · {view.kvs.length} keys
            {view.source === 'storage' ? ' · down: read from its stored data' : ''}
          </span>
        )}
      </div>
      {error !== undefined && <p className="hint">{node?.name ?? 'member'}: {error}. Showing nothing rather than a guess.</p>}
      <div className="data-body">
        <div className="data-keys">
          <table className="table table-compact" aria-label="Keys" data-testid="keyspace-table">
            <thead>
              <tr>
                <th scope="col">key</th>
                <th scope="col">value</th>
                <th scope="col" className="num">
                  create
                </th>
                <th scope="col" className="num">
                  mod
                </th>
                <th scope="col" className="num">
                  version
                </th>
                <th scope="col">lease</th>
              </tr>
            </thead>
            <tbody>
              {view?.kvs.map((kv) => (
                <tr key={kv.key}>
                  <td className="mono">{clip(kv.key, 40)}</td>
                  <td className="mono">{clip(kv.value, 60)}</td>
                  <td className="num mono">{kv.createRevision}</td>
                  <td className="num mono">{kv.modRevision}</td>
                  <td className="num mono">{kv.version}</td>
                  <td className="mono muted">{kv.lease === 0 ? '—' : leaseHex(kv.lease)}</td>
                </tr>
              ))}
              {view !== undefined && view.kvs.length === 0 && (
                <tr>
                  <td colSpan={6} className="empty-row">
                    No keys yet. Press <kbd>c</kbd> or use the console: <code>etcdctl put greeting hello</code>
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <div className="data-leases">
          <h3 className="sub-heading">Leases</h3>
          {view === undefined || view.leases.length === 0 ? (
            <p className="hint">No leases. Try <code>etcdctl lease grant 30</code>.</p>
          ) : (
            <ul className="lease-list">
              {view.leases.map((l) => {
                // A down member's stored leases do not count down: nobody runs its lessor.
                const forever = l.remaining >= FOREVER_S || view.source === 'storage';
                const left = forever ? l.remaining : Math.max(0, l.remaining - (now - at) / 1000);
                return (
                  <li key={l.id}>
                    <div className="lease-head">
                      <span className="mono">{leaseHex(l.id)}</span>
                      <span className="mono">{view.source === 'storage' ? `stored, ${l.ttl} s TTL` : forever ? 'not expired here (followers wait for the leader)' : `${left.toFixed(1)} s of ${l.ttl} s`}</span>
                    </div>
                    {!forever && (
                      <span className="meter" aria-hidden="true">
                        <span style={{ width: `${Math.min(100, (left / Math.max(1, l.ttl)) * 100).toFixed(1)}%` }} />
                      </span>
                    )}
                    {l.keys.length > 0 && <div className="lease-keys mono muted">{l.keys.map((k) => clip(k, 24)).join(', ')}</div>}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}
