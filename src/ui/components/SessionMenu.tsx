// The run as a whole: start a new cluster (size, seed, pre-vote, check-quorum) and share this run
// as a link. A new cluster reloads the page with its parameters (the boot in session.ts builds it
// and forgets the saved one); a share link carries the seed and every recorded action (?run=),
// and opening it replays the run.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { encodeRun } from '../lib/shareLink';
import { notify } from '../store/uiStore';
import { useSession } from '../store/sessionContext';
import { Modal, ModalHeader } from './Modal';

const SIZES = [1, 3, 5, 7, 9];

export function SessionMenu() {
  const [open, setOpen] = useState(false);
  const session = useSession();

  const share = async (): Promise<void> => {
    const rec = session.pg.record();
    if (rec.resumedAt !== undefined) {
      notify(session.ui, 'error', 'This run was resumed after a reload: a link cannot reproduce it from its seed. Start a new cluster to share a run.');
      return;
    }
    try {
      const url = `${location.origin}${location.pathname}?run=${await encodeRun(rec)}`;
      try {
        await navigator.clipboard.writeText(url);
        notify(session.ui, 'info', `Link to this run copied (seed ${rec.seed}, ${rec.actions.length} actions).`);
      } catch {
        // No clipboard permission: show the link to copy by hand.
        window.prompt('Copy the link to this run:', url);
      }
    } catch (err) {
      notify(session.ui, 'error', `share: ${(err as Error).message}`);
    }
  };

  return (
    <>
      <button type="button" className="btn btn-sm" onClick={() => setOpen(true)} aria-label="Start a new cluster…" data-testid="new-cluster">
        New cluster…
      </button>
      <button type="button" className="btn btn-sm" onClick={() => void share()} aria-label="Copy a link that replays this run" data-testid="share-run">
        Share
      </button>
      <NewClusterDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}

function NewClusterDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { pg } = useSession();
  const first = useRef<HTMLSelectElement>(null);
  const [nodes, setNodes] = useState(() => pg.status().filter((n) => !n.removed).length);
  const [seed, setSeed] = useState(() => String(pg.seed));
  const [preVote, setPreVote] = useState(pg.options.preVote === true);
  const [checkQuorum, setCheckQuorum] = useState(pg.options.checkQuorum !== false);
  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);
  const seedValid = /^\d{1,10}$/.test(seed.trim());

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!seedValid) return;
    const q = new URLSearchParams({ new: '', seed: seed.trim(), nodes: String(nodes), prevote: preVote ? '1' : '0', checkquorum: checkQuorum ? '1' : '0' });
    location.assign(`${location.pathname}?${q.toString().replace('new=&', 'new&')}`);
  };

  return (
    <Modal open={open} onClose={onClose} labelledBy="new-cluster-title" className="dialog-narrow" onSubmit={submit}>
      <ModalHeader id="new-cluster-title" title="New cluster" onClose={onClose} />
      <div className="dialog-body form-grid">
        <label>
          Members
          <select ref={first} value={nodes} onChange={(e) => setNodes(Number(e.target.value))} data-testid="new-nodes">
            {SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Seed
          <input value={seed} onChange={(e) => setSeed(e.target.value)} inputMode="numeric" aria-invalid={!seedValid} data-testid="new-seed" />
        </label>
        <label className="check">
          <input type="checkbox" checked={preVote} onChange={(e) => setPreVote(e.target.checked)} /> pre-vote (<code>--pre-vote</code>)
        </label>
        <label className="check">
          <input type="checkbox" checked={checkQuorum} onChange={(e) => setCheckQuorum(e.target.checked)} /> check-quorum
        </label>
        <p className="hint">The current cluster and its saved data are discarded. Same seed and same actions: the same run.</p>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!seedValid} data-testid="new-start">
            Start
          </button>
        </div>
      </div>
    </Modal>
  );
}
