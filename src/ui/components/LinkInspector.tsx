// The selected link: each direction on its own (up or cut, one-way latency, loss rate), and both
// directions at once. Latency and loss apply to messages sent from now on; messages already in
// flight keep the fate the network gave them when they left.

import type { LinkState } from '../../playground/index';
import { setLinkDirection, toggleLink } from '../actions';
import { linkBetween } from '../store/clusterStore';
import { useCluster, useSession } from '../store/sessionContext';
import { Icon } from './Icons';

function Direction({ from, to, fromName, toName, state }: { from: number; to: number; fromName: string; toName: string; state: LinkState | undefined }) {
  const session = useSession();
  const up = state?.up ?? true;
  const latency = state?.latencyMs ?? session.pg.cluster.timing.latencyMs;
  const loss = state?.dropRate ?? 0;
  return (
    <fieldset className="direction">
      <legend>
        <span className="mono">{fromName}</span> → <span className="mono">{toName}</span>
      </legend>
      <label className="switch">
        <input
          type="checkbox"
          checked={up}
          onChange={(e) => void setLinkDirection(session, from, to, { up: e.target.checked })}
          aria-label={`Link ${fromName} to ${toName} up`}
        />
        <span>{up ? 'up' : 'cut'}</span>
      </label>
      <label className="slider-field">
        <span>latency</span>
        <input
          type="range"
          min={1}
          max={500}
          step={1}
          value={latency}
          onChange={(e) => void setLinkDirection(session, from, to, { latencyMs: Number(e.target.value) })}
          aria-label={`Latency from ${fromName} to ${toName}, milliseconds`}
        />
        <output className="mono">{latency} ms</output>
      </label>
      <label className="slider-field">
        <span>loss</span>
        <input
          type="range"
          min={0}
          max={100}
          step={1}
          value={Math.round(loss * 100)}
          onChange={(e) => void setLinkDirection(session, from, to, { dropRate: Number(e.target.value) / 100 })}
          aria-label={`Loss rate from ${fromName} to ${toName}, percent`}
        />
        <output className="mono">{Math.round(loss * 100)}%</output>
      </label>
    </fieldset>
  );
}

export function LinkInspector({ a, b }: { a: number; b: number }) {
  const session = useSession();
  const links = useCluster((s) => s.links);
  const nodes = useCluster((s) => s.nodes);
  const name = (id: number) => nodes.find((n) => n.id === id)?.name ?? id.toString(16);
  const ab = linkBetween(links, a, b);
  const ba = linkBetween(links, b, a);
  const bothUp = (ab?.up ?? true) && (ba?.up ?? true);
  const defaults = session.pg.cluster.timing;
  return (
    <div className="link-inspector" data-testid="link-inspector">
      <div className="inspector-title">
        <span className={`role-pill ${bothUp ? 'role-follower' : 'role-down'}`}>{bothUp ? 'up' : (ab?.up ?? true) || (ba?.up ?? true) ? 'one way' : 'cut'}</span>
        <span className="inspector-name">
          {name(a)} ⇄ {name(b)}
        </span>
      </div>
      <div className="action-grid">
        <button type="button" className={`btn ${bothUp ? 'btn-danger' : 'btn-primary'}`} onClick={() => void toggleLink(session, a, b)} aria-label={bothUp ? 'Cut both directions' : 'Restore both directions'}>
          <Icon name={bothUp ? 'scissors' : 'heal'} /> {bothUp ? 'Cut both ways' : 'Restore both ways'}
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => {
            void setLinkDirection(session, a, b, { latencyMs: defaults.latencyMs, dropRate: 0 });
            void setLinkDirection(session, b, a, { latencyMs: defaults.latencyMs, dropRate: 0 });
          }}
          aria-label="Reset latency and loss to the defaults"
        >
          Reset timing
        </button>
      </div>
      <Direction from={a} to={b} fromName={name(a)} toName={name(b)} state={ab} />
      <Direction from={b} to={a} fromName={name(b)} toName={name(a)} state={ba} />
      <p className="hint">
        Default: {defaults.latencyMs} ± {defaults.jitterMs} ms one way. Clicking a link in the view cuts or restores both directions.
      </p>
    </div>
  );
}
