// The tabbed area under the cluster view: Logs (aligned logs and the leader's progress), Data
// (one member's keyspace and leases) and Console (etcdctl).

import type { KeyboardEvent } from 'react';
import type { PanelTab } from '../store/uiStore';
import { useSession, useUi } from '../store/sessionContext';
import { ConsolePanel } from './ConsolePanel';
import { DataPanel } from './DataPanel';
import { LogsPanel } from './LogsPanel';

const TABS: Array<{ id: PanelTab; label: string; key: string }> = [
  { id: 'logs', label: 'Logs', key: 'l' },
  { id: 'data', label: 'Data', key: 'd' },
  { id: 'console', label: 'Console', key: '`' },
];

export function BottomPanels() {
  const { ui } = useSession();
  const tab = useUi((s) => s.tab);
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    e.stopPropagation();
    const i = TABS.findIndex((t) => t.id === tab);
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
    ui.setState({ tab: next.id });
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  return (
    <section className="panel bottom-panels" aria-label="Logs, data and console">
      <div className="tabs" role="tablist" aria-label="Panels" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`tabpanel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={`tab${tab === t.id ? ' is-on' : ''}`}
            onClick={() => ui.setState({ tab: t.id })}
            title={`${t.label} (${t.key})`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="tabpanel" role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'logs' && <LogsPanel />}
        {tab === 'data' && <DataPanel />}
        {tab === 'console' && <ConsolePanel />}
      </div>
    </section>
  );
}
