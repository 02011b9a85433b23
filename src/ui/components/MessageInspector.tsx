// The selected message, field by field: type, endpoints, send and arrival (or death) times, its
// fate, etcd's one-line description and the raw message as JSON. The message is a copy taken when
// it was clicked, so it stays readable after it lands.

import type { InFlight } from '../../playground/index';
import { formatTime, hexId } from '../lib/format';
import { termColor, termInk } from '../lib/termColors';
import { useCluster } from '../store/sessionContext';

export function MessageInspector({ message: m }: { message: InFlight }) {
  const nodes = useCluster((s) => s.nodes);
  const now = useCluster((s) => s.now);
  const name = (id: number) => (id === 0 ? 'client' : (nodes.find((n) => n.id === id)?.name ?? hexId(id)));
  const status = now < m.sentAt ? 'not sent yet' : now < m.at ? 'in flight' : m.fate === 'drop' ? 'dropped' : 'delivered';
  const term = m.msg?.term;
  return (
    <div className="message-inspector" data-testid="message-inspector">
      <div className="inspector-title">
        <span className={`role-pill ${m.fate === 'drop' ? 'role-down' : 'role-follower'}`}>{status}</span>
        <span className="inspector-name mono">{m.type}</span>
        {term !== undefined && (
          <span className="term-chip" style={{ background: termColor(term), color: termInk(term) }}>
            term {term}
          </span>
        )}
      </div>
      <dl className="facts">
        <dt>from</dt>
        <dd className="mono">
          {name(m.from)} {m.from !== 0 && <span className="muted">{hexId(m.from)}</span>}
        </dd>
        <dt>to</dt>
        <dd className="mono">
          {name(m.to)} {m.to !== 0 && <span className="muted">{hexId(m.to)}</span>}
        </dd>
        <dt>channel</dt>
        <dd className="mono">{m.channel}</dd>
        <dt>sent at</dt>
        <dd className="mono">{formatTime(m.sentAt)}</dd>
        <dt>{m.fate === 'drop' ? 'dies at' : 'arrives'}</dt>
        <dd className="mono">
          {formatTime(m.at)} <span className="muted">({(m.at - m.sentAt).toFixed(0)} ms)</span>
        </dd>
        <dt>fate</dt>
        <dd className="mono">
          {m.fate}
          {m.dropReason !== undefined ? ` (${m.dropReason})` : ''}
        </dd>
        {m.reject !== undefined && (
          <>
            <dt>reject</dt>
            <dd className="mono">{String(m.reject)}</dd>
          </>
        )}
        {m.msg !== undefined && (
          <>
            <dt>log</dt>
            <dd className="mono">
              term {m.msg.logTerm}, index {m.msg.index}
            </dd>
            <dt>commit</dt>
            <dd className="mono">{m.msg.commit}</dd>
            <dt>entries</dt>
            <dd className="mono">{m.msg.entries?.length ?? 0}</dd>
          </>
        )}
      </dl>
      <h3 className="sub-heading">etcd</h3>
      <pre className="code-block wrap">{m.text}</pre>
      <h3 className="sub-heading">raw</h3>
      <pre className="code-block" aria-label="Raw message JSON">
        {JSON.stringify(m, null, 2)}
      </pre>
    </div>
  );
}
