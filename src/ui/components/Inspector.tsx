// The side panel that shows what is selected: a node (controls and Raft state), a link
// (per-direction settings) or a message (every field); with nothing selected, the cluster at a
// glance. Content cross-fades on selection change.

import { AnimatePresence, motion } from 'motion/react';
import { useSession, useUi } from '../store/sessionContext';
import { Icon } from './Icons';
import { LinkInspector } from './LinkInspector';
import { MessageInspector } from './MessageInspector';
import { NodeInspector } from './NodeInspector';
import { ClusterOverview } from './ClusterOverview';

export function Inspector() {
  const { ui } = useSession();
  const selection = useUi((s) => s.selection);
  const key = selection.kind === 'node' ? `n${selection.id}` : selection.kind === 'link' ? `l${selection.a}-${selection.b}` : selection.kind === 'message' ? `m${selection.message.id}` : 'none';
  const title = selection.kind === 'node' ? 'Member' : selection.kind === 'link' ? 'Link' : selection.kind === 'message' ? 'Message' : 'Cluster';
  return (
    <section className="panel inspector" aria-label="Inspector">
      <header className="panel-header">
        <h2>{title}</h2>
        {selection.kind !== 'none' && (
          <button type="button" className="btn btn-icon btn-ghost" onClick={() => ui.setState({ selection: { kind: 'none' } })} aria-label="Close the inspector (Escape)" title="Close (Esc)">
            <Icon name="close" />
          </button>
        )}
      </header>
      <div className="panel-body inspector-body">
        <AnimatePresence mode="wait" initial={false}>
          <motion.div key={key} initial={{ opacity: 0, y: 4 }} animate={{ opacity: 1, y: 0 }} exit={{ opacity: 0 }} transition={{ duration: 0.16 }}>
            {selection.kind === 'node' && <NodeInspector id={selection.id} />}
            {selection.kind === 'link' && <LinkInspector a={selection.a} b={selection.b} />}
            {selection.kind === 'message' && <MessageInspector message={selection.message} />}
            {selection.kind === 'none' && <ClusterOverview />}
          </motion.div>
        </AnimatePresence>
      </div>
    </section>
  );
}
