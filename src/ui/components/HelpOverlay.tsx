// The help sheet (press ?): every keyboard shortcut and the legend of shapes and marks.

import { useEffect, useRef } from 'react';
import { useSession, useUi } from '../store/sessionContext';
import { Modal, ModalHeader } from './Modal';
import { Legend } from './Legend';

export const SHORTCUTS: Array<[string, string]> = [
  ['Space', 'play / pause'],
  ['→', 'step to the next event'],
  ['Shift + →', 'step one tick'],
  ['m', 'step to the next message'],
  ['[  ]', 'slower / faster'],
  ['1 – 9', 'select member'],
  ['k', 'kill the selected member'],
  ['r', 'restart the selected member'],
  ['s', 'stop it gracefully'],
  ['e', 'force its election timeout'],
  ['h', 'heal the network'],
  ['c', 'client put'],
  ['l  d  `', 'Logs, Data, Console tab'],
  ['t', 'light / dark theme'],
  ['PageDown  .', 'lesson: next step (→ in the lesson panel)'],
  ['PageUp  b', 'lesson: previous step (← in the lesson panel)'],
  ['p', 'presenter mode'],
  ['Esc', 'clear the selection, close this'],
  ['?', 'this help'],
];

export function HelpOverlay() {
  const { ui } = useSession();
  const open = useUi((s) => s.helpOpen);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) closeRef.current?.focus();
  }, [open]);
  const close = () => ui.setState({ helpOpen: false });
  return (
    <Modal open={open} onClose={close} labelledBy="help-title" trapKeys={false}>
      <ModalHeader id="help-title" title="Keyboard and legend" onClose={close} closeLabel="Close help" closeRef={closeRef} />
      <div className="dialog-body">
        <dl className="shortcuts">
          {SHORTCUTS.map(([k, what]) => (
            <div key={k}>
              <dt>
                {k.split('  ').map((part) => (
                  <kbd key={part}>{part}</kbd>
                ))}
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <div>
          <Legend compact={false} />
          <p className="hint">
            Everything drawn is read from the running cluster (<code>window.playground</code>): roles and terms from <code>status()</code>,
            timers and votes from <code>nodeDetail()</code>, messages from <code>inFlight()</code> positioned by their send and arrival times
            in virtual time.
          </p>
        </div>
      </div>
    </Modal>
  );
}
