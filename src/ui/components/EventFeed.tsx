// The event feed: members' own log lines in etcd's wording ("became candidate at term 3", "elected
// leader ... at term 3"), plus faults, node starts and stops, and client operations, each stamped
// with virtual time. Filterable by member, kind, level and text; it follows the newest line unless
// the reader scrolled up. Rows are memoised by sequence number, so a new line renders one row.

import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import { formatSeconds } from '../lib/format';
import type { FeedKind, FeedLevel, FeedLine } from '../store/clusterStore';
import { useCluster, useSession, useUi } from '../store/sessionContext';

const LINES_SHOWN = 300;
const LEVELS: FeedLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const KINDS: Array<{ kind: FeedKind; label: string }> = [
  { kind: 'raft', label: 'raft' },
  { kind: 'etcdserver', label: 'server' },
  { kind: 'fault', label: 'faults' },
  { kind: 'node', label: 'nodes' },
  { kind: 'client', label: 'clients' },
];

const FeedRow = memo(function FeedRow({ line, who }: { line: FeedLine; who: string }) {
  return (
    <li className={`feed-line level-${line.level} kind-${line.kind}`}>
      <span className="feed-time">{formatSeconds(line.time)}</span>
      <span className="feed-who">{who}</span>
      <span className="feed-text">{line.text}</span>
    </li>
  );
});

export function EventFeed() {
  const { ui } = useSession();
  const feed = useCluster((s) => s.feed);
  const nodes = useCluster((s) => s.nodes);
  const filter = useUi((s) => s.feedFilter);
  const names = useMemo(() => new Map(nodes.map((n) => [n.id, n.name])), [nodes]);
  const listRef = useRef<HTMLOListElement>(null);
  const stick = useRef(true);

  const shown = useMemo(() => {
    const min = LEVELS.indexOf(filter.minLevel);
    const text = filter.text.trim().toLowerCase();
    const out: FeedLine[] = [];
    for (let i = feed.length - 1; i >= 0 && out.length < LINES_SHOWN; i--) {
      const l = feed[i]!;
      if (!filter.kinds[l.kind]) continue;
      if (LEVELS.indexOf(l.level) < min) continue;
      if (filter.node !== 'all' && l.node !== filter.node) continue;
      if (text !== '' && !l.text.toLowerCase().includes(text)) continue;
      out.push(l);
    }
    return out.reverse();
  }, [feed, filter]);

  useLayoutEffect(() => {
    const el = listRef.current;
    if (el !== null && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  const setFilter = (patch: Partial<typeof filter>) => ui.setState((s) => ({ feedFilter: { ...s.feedFilter, ...patch } }));
  const whoOf = (l: FeedLine) => (l.node === 0 ? (l.kind === 'client' ? 'client' : 'cluster') : (names.get(l.node) ?? l.node.toString(16)));

  return (
    <section className="panel feed" aria-label="Event feed">
      <header className="panel-header">
        <h2>Events</h2>
        <div className="feed-filters">
          <select value={filter.node === 'all' ? 'all' : String(filter.node)} onChange={(e) => setFilter({ node: e.target.value === 'all' ? 'all' : Number(e.target.value) })} aria-label="Filter events by member">
            <option value="all">all members</option>
            {nodes.map((n) => (
              <option key={n.id} value={String(n.id)}>
                {n.name}
              </option>
            ))}
          </select>
          <select value={filter.minLevel} onChange={(e) => setFilter({ minLevel: e.target.value as FeedLevel })} aria-label="Minimum level">
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                ≥ {l}
              </option>
            ))}
          </select>
        </div>
      </header>
      <div className="feed-kinds" role="group" aria-label="Event kinds">
        {KINDS.map(({ kind, label }) => (
          <button
            key={kind}
            type="button"
            className={`chip${filter.kinds[kind] ? ' is-on' : ''}`}
            aria-pressed={filter.kinds[kind]}
            onClick={() => setFilter({ kinds: { ...filter.kinds, [kind]: !filter.kinds[kind] } })}
            aria-label={`Show ${label} events`}
          >
            {label}
          </button>
        ))}
        <input className="feed-search" type="search" placeholder="filter text" value={filter.text} onChange={(e) => setFilter({ text: e.target.value })} aria-label="Filter events by text" />
      </div>
      <ol
        ref={listRef}
        className="feed-list"
        aria-live="off"
        data-testid="event-feed"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {shown.length === 0 && <li className="feed-empty">No events match.</li>}
        {shown.map((l) => (
          <FeedRow key={l.seq} line={l} who={whoOf(l)} />
        ))}
      </ol>
    </section>
  );
}
