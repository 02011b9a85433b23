// The selected member: its controls (kill, restart, graceful stop, force an election timeout,
// move leadership here, slow its disk, promote, remove) and its Raft state as etcd names it (term,
// vote, lead, commit, applied, the election timer, votes, the configuration).

import { forceElection, kill, promote, removeMember, restart, setDisk, stop, transferLeader, crash } from '../actions';
import { formatTime, hexId, roleLabel, visualRole } from '../lib/format';
import { termColor, termInk } from '../lib/termColors';
import { leaderOf } from '../store/clusterStore';
import { useCluster, useSession } from '../store/sessionContext';
import { Icon } from './Icons';
import { timerRemaining } from './NodeGlyph';

const DISK_CHOICES = [0, 20, 100, 500] as const;

export function NodeInspector({ id }: { id: number }) {
  const session = useSession();
  const node = useCluster((s) => s.nodes.find((n) => n.id === id));
  const lifecycle = useCluster((s) => s.lifecycle[id]);
  const detail = useCluster((s) => s.details[id]);
  const nodes = useCluster((s) => s.nodes);
  const tickMs = useCluster((s) => s.tickMs);
  const now = useCluster((s) => Math.floor(s.now / 50) * 50);
  if (node === undefined) return <p className="hint">This member no longer exists.</p>;
  const role = visualRole(node, lifecycle);
  const names = new Map(nodes.map((n) => [n.id, n.name]));
  const nameOf = (x: number) => (x === 0 ? '—' : (names.get(x) ?? hexId(x)));
  const lead = leaderOf(nodes);
  const isVoter = detail?.detail.config.voters.includes(id) ?? !node.isLearner;
  const defaultDisk = session.pg.cluster.timing.diskLatencyMs;
  const diskChoices = [defaultDisk, ...DISK_CHOICES.filter((d) => d > defaultDisk)];
  const d = detail?.detail;
  const remaining = detail !== undefined ? timerRemaining(detail, now, tickMs) : undefined;
  const index = nodes.filter((n) => !n.removed).findIndex((n) => n.id === id);

  return (
    <div className="node-inspector" data-testid="node-inspector" data-node-id={hexId(id)}>
      <div className="inspector-title">
        <span className={`role-pill role-${role}`}>{roleLabel(role)}</span>
        <span className="inspector-name">{node.name}</span>
        <span className="mono muted">{hexId(id)}</span>
        <span className="term-chip" style={{ background: termColor(node.term), color: termInk(node.term) }}>
          term {node.term}
        </span>
      </div>
      {node.failed !== undefined && <p className="alert">{node.failed}</p>}

      <div className="action-grid" role="group" aria-label={`Controls for ${node.name}`}>
        <button type="button" className="btn btn-danger" disabled={!node.alive} onClick={() => void kill(session, id)} aria-label={`Kill ${node.name} (k)`} title="kill -9: loses everything volatile (k)" data-testid="node-kill">
          <Icon name="kill" /> Kill
        </button>
        <button type="button" className="btn btn-danger" disabled={!node.alive} onClick={() => void crash(session, id)} aria-label={`Crash ${node.name}: terminate it mid-write`} title="Power loss: its worker is terminated at once; a write in flight lands whole or not at all" data-testid="node-crash">
          <Icon name="bolt" /> Crash
        </button>
        <button type="button" className="btn" disabled={node.alive || node.removed} onClick={() => void restart(session, id)} aria-label={`Restart ${node.name} (r)`} title="Start again from its storage (r)" data-testid="node-restart">
          <Icon name="restart" /> Restart
        </button>
        <button type="button" className="btn" disabled={!node.alive} onClick={() => void stop(session, id)} aria-label={`Stop ${node.name} gracefully (s)`} title="SIGTERM: a leader hands leadership over first (s)" data-testid="node-stop">
          <Icon name="stop" /> Stop
        </button>
        <button type="button" className="btn" disabled={!node.alive || !isVoter} onClick={() => void forceElection(session, id)} aria-label={`Force an election timeout on ${node.name} (e)`} title="Campaign now, as if its election timer fired (e)" data-testid="node-force-election">
          <Icon name="bolt" /> Time out
        </button>
        <button
          type="button"
          className="btn"
          disabled={!node.alive || !isVoter || lead === undefined || lead.id === id}
          onClick={() => void transferLeader(session, id)}
          aria-label={`Transfer leadership to ${node.name}`}
          title="etcd's move-leader"
          data-testid="node-transfer"
        >
          <Icon name="crown" /> Make leader
        </button>
        {node.isLearner ? (
          <button type="button" className="btn" disabled={!node.alive} onClick={() => void promote(session, id)} aria-label={`Promote ${node.name} to a voting member`} data-testid="node-promote">
            <Icon name="promote" /> Promote
          </button>
        ) : (
          <button type="button" className="btn" disabled={node.removed} onClick={() => void removeMember(session, id)} aria-label={`Remove ${node.name} from the cluster`} data-testid="node-remove">
            <Icon name="remove" /> Remove
          </button>
        )}
        {node.isLearner && (
          <button type="button" className="btn" disabled={node.removed} onClick={() => void removeMember(session, id)} aria-label={`Remove ${node.name} from the cluster`}>
            <Icon name="remove" /> Remove
          </button>
        )}
      </div>

      <div className="field-row">
        <span className="field-label" id={`disk-${id}`}>
          <Icon name="disk" /> Disk write latency
        </span>
        <div className="segmented" role="radiogroup" aria-labelledby={`disk-${id}`}>
          {diskChoices.map((ms) => (
            <button
              key={ms}
              type="button"
              role="radio"
              aria-checked={node.diskLatencyMs === ms}
              className={node.diskLatencyMs === ms ? 'is-on' : ''}
              onClick={() => void setDisk(session, id, ms)}
              aria-label={`Disk latency ${ms} ms`}
            >
              {ms} ms
            </button>
          ))}
        </div>
      </div>

      <dl className="facts">
        <dt>vote</dt>
        <dd className="mono">{nameOf(node.vote)}</dd>
        <dt>lead</dt>
        <dd className="mono">{nameOf(node.lead)}</dd>
        <dt>commit</dt>
        <dd className="mono">{node.commit}</dd>
        <dt>applied</dt>
        <dd className="mono">{node.applied}</dd>
        <dt>log</dt>
        <dd className="mono">
          [{node.firstIndex}, {node.lastIndex}]
        </dd>
        <dt>revision</dt>
        <dd className="mono">{node.revision}</dd>
        {d !== undefined && (
          <>
            <dt>election</dt>
            <dd className="mono">
              {d.electionElapsed}/{d.randomizedElectionTimeout} ticks
              {remaining !== undefined && role !== 'leader' && (
                <span className="meter" aria-hidden="true">
                  <span style={{ width: `${(remaining * 100).toFixed(1)}%` }} />
                </span>
              )}
            </dd>
            <dt>heartbeat</dt>
            <dd className="mono">
              {d.heartbeatElapsed} ticks{role === 'leader' ? ` (every ${session.pg.cluster.timing.heartbeatTicks})` : ''}
            </dd>
            {d.votes.length > 0 && (
              <>
                <dt>votes</dt>
                <dd className="mono votes-list">
                  {d.votes.map(([v, g]) => (
                    <span key={v} className={g ? 'vote-yes' : 'vote-no'}>
                      {g ? '✓' : '×'} {nameOf(v)}
                    </span>
                  ))}
                </dd>
              </>
            )}
            <dt>voters</dt>
            <dd className="mono">{d.config.voters.map(nameOf).join(' ')}</dd>
            {d.config.learners.length > 0 && (
              <>
                <dt>learners</dt>
                <dd className="mono">{d.config.learners.map(nameOf).join(' ')}</dd>
              </>
            )}
            {d.config.votersOutgoing.length > 0 && (
              <>
                <dt>outgoing</dt>
                <dd className="mono">{d.config.votersOutgoing.map(nameOf).join(' ')} (joint)</dd>
              </>
            )}
            {d.leadTransferee !== 0 && (
              <>
                <dt>transferee</dt>
                <dd className="mono">{nameOf(d.leadTransferee)}</dd>
              </>
            )}
          </>
        )}
        <dt>disk</dt>
        <dd className="mono">{node.diskLatencyMs} ms per write</dd>
      </dl>
      <p className="hint">
        {index >= 0 && index < 9 ? (
          <>
            Key <kbd>{index + 1}</kbd> selects this member; <kbd>k</kbd> kill, <kbd>r</kbd> restart, <kbd>s</kbd> stop, <kbd>e</kbd> time out.
          </>
        ) : null}
        {detail !== undefined ? ` Raft detail read at ${formatTime(detail.at)}.` : ' Down: no Raft detail to read.'}
      </p>
    </div>
  );
}
