// The rail beside the cluster view: network presets (isolate the leader, split the voters into a
// minority holding the leader and a majority, heal), a client write, adding a member or a
// learner, and the message counters. Each button is one call on the Playground.

import { addMember, clientPut, heal, isolateLeader, splitLabel, splitMinority } from '../actions';
import { leaderOf } from '../store/clusterStore';
import { useCluster, useSession } from '../store/sessionContext';
import { Icon } from './Icons';

export function ClusterToolbar() {
  const session = useSession();
  const count = useCluster((s) => s.nodes.filter((n) => !n.removed).length);
  const hasLeader = useCluster((s) => leaderOf(s.nodes) !== undefined);
  const anyCut = useCluster((s) => s.links.some((l) => !l.state.up));
  const inFlight = useCluster((s) => s.messages.length);
  const dropped = useCluster((s) => s.counters.dropped);
  const delivered = useCluster((s) => s.counters.delivered);
  return (
    <div className="cluster-rail" role="toolbar" aria-label="Faults and membership" aria-orientation="vertical">
      <div className="rail-group" role="group" aria-labelledby="rail-network">
        <h3 id="rail-network" className="rail-heading">
          Network
        </h3>
        <button type="button" className="btn btn-sm" onClick={() => void isolateLeader(session)} disabled={!hasLeader} aria-label="Isolate the leader (cut all its links)" data-testid="preset-isolate">
          <Icon name="isolate" />
          Isolate leader
        </button>
        <button type="button" className="btn btn-sm" onClick={() => void splitMinority(session)} aria-label={`${splitLabel(count)}: partition into a minority with the leader and a majority`} data-testid="preset-split">
          <Icon name="split" />
          {splitLabel(count)}
        </button>
        <button type="button" className={`btn btn-sm${anyCut ? ' btn-attention' : ''}`} onClick={() => void heal(session)} aria-label="Heal the network: bring every link up (h)" title="Heal (h)" data-testid="preset-heal">
          <Icon name="heal" />
          Heal
        </button>
      </div>
      <div className="rail-group" role="group" aria-labelledby="rail-cluster">
        <h3 id="rail-cluster" className="rail-heading">
          Cluster
        </h3>
        <button type="button" className="btn btn-sm" onClick={() => void clientPut(session)} aria-label="Client put: write a key through the etcd client (c)" title="Client put (c)" data-testid="client-put">
          <Icon name="write" />
          Client put
        </button>
        <button type="button" className="btn btn-sm" onClick={() => void addMember(session, false)} disabled={count >= 9} aria-label="Add a voting member">
          <Icon name="plus" />
          Add member
        </button>
        <button type="button" className="btn btn-sm" onClick={() => void addMember(session, true)} disabled={count >= 9} aria-label="Add a learner (non-voting member)">
          <Icon name="learner" />
          Add learner
        </button>
      </div>
      <dl className="rail-stats" aria-label="Message counters">
        <div>
          <dt>in flight</dt>
          <dd data-testid="count-inflight">{inFlight}</dd>
        </div>
        <div>
          <dt>delivered</dt>
          <dd>{delivered}</dd>
        </div>
        <div>
          <dt>dropped</dt>
          <dd data-testid="count-dropped">{dropped}</dd>
        </div>
      </dl>
    </div>
  );
}
