// The Console tab: an etcdctl prompt. Each line goes to playground.exec, which answers exactly as
// etcdctl would (stdout, stderr, exit code); long-running commands (watch, lock, elect,
// lease keep-alive) stream their output and stop with Ctrl+C or the Stop button. ↑/↓ walk the
// history; `clear` clears the transcript (a console command, not an etcdctl one).

import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ConsoleEntry } from '../store/uiStore';
import { useSession, useUi } from '../store/sessionContext';

let entrySeq = 1;
const ENTRIES_MAX = 200;

const EXAMPLES = ['put greeting hello', 'get greeting -w json', 'endpoint status -w table', 'member list -w table', 'lease grant 30', 'watch greeting'];

export function ConsolePanel() {
  const { pg, ui } = useSession();
  const entries = useUi((s) => s.consoleEntries);
  const history = useUi((s) => s.consoleHistory);
  const [line, setLine] = useState('');
  const [cursor, setCursor] = useState<number | undefined>(undefined);
  const aborts = useRef(new Map<number, AbortController>());
  const outRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useLayoutEffect(() => {
    const el = outRef.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
  }, [entries]);
  useEffect(() => inputRef.current?.focus({ preventScroll: true }), []);

  const update = (id: number, patch: Partial<ConsoleEntry> | ((e: ConsoleEntry) => Partial<ConsoleEntry>)) =>
    ui.setState((s) => ({ consoleEntries: s.consoleEntries.map((e) => (e.id === id ? { ...e, ...(typeof patch === 'function' ? patch(e) : patch) } : e)) }));

  const run = async (raw: string) => {
    const text = raw.trim();
    if (text === '') return;
    ui.setState((s) => ({ consoleHistory: s.consoleHistory[s.consoleHistory.length - 1] === text ? s.consoleHistory : [...s.consoleHistory, text].slice(-200) }));
    setCursor(undefined);
    if (text === 'clear') {
      ui.setState({ consoleEntries: [] });
      return;
    }
    const commandLine = /^etcdctl(\s|$)/.test(text) ? text : `etcdctl ${text}`;
    const id = entrySeq++;
    const controller = new AbortController();
    aborts.current.set(id, controller);
    ui.setState((s) => ({ consoleEntries: [...s.consoleEntries, { id, line: commandLine, stdout: '', stderr: '', exitCode: undefined, running: true }].slice(-ENTRIES_MAX) }));
    let streamed = false;
    try {
      const res = await pg.exec(commandLine, {
        signal: controller.signal,
        onOutput: (chunk) => {
          streamed = true;
          update(id, (e) => (chunk.stream === 'stdout' ? { stdout: e.stdout + chunk.text } : { stderr: e.stderr + chunk.text }));
        },
      });
      update(id, (e) => ({
        // Output that was streamed is already shown; otherwise show the final result.
        stdout: streamed ? e.stdout : res.stdout,
        stderr: streamed ? e.stderr : res.stderr,
        exitCode: res.exitCode,
        running: false,
      }));
    } catch (err) {
      update(id, (e) => ({ stderr: `${e.stderr}${(err as Error).message}\n`, exitCode: 1, running: false }));
    } finally {
      aborts.current.delete(id);
    }
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const text = line;
      setLine('');
      void run(text);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (history.length === 0) return;
      const next = cursor === undefined ? history.length - 1 : Math.max(0, cursor - 1);
      setCursor(next);
      setLine(history[next]!);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (cursor === undefined) return;
      const next = cursor + 1;
      if (next >= history.length) {
        setCursor(undefined);
        setLine('');
      } else {
        setCursor(next);
        setLine(history[next]!);
      }
    } else if (e.key === 'c' && e.ctrlKey) {
      const running = [...aborts.current.values()];
      if (running.length > 0) {
        e.preventDefault();
        running.forEach((c) => c.abort());
      }
    } else if (e.key === 'l' && e.ctrlKey) {
      e.preventDefault();
      ui.setState({ consoleEntries: [] });
    }
  };

  return (
    <div className="console-panel" onClick={() => inputRef.current?.focus({ preventScroll: true })}>
      <div ref={outRef} className="terminal" role="log" aria-label="etcdctl output" data-testid="console-output">
        {entries.length === 0 && (
          <div className="terminal-intro">
            <p>etcdctl (v3 API) against this cluster. Try:</p>
            <ul>
              {EXAMPLES.map((x) => (
                <li key={x}>
                  <button type="button" className="link-button mono" onClick={() => void run(x)} aria-label={`Run etcdctl ${x}`}>
                    etcdctl {x}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        {entries.map((e) => (
          <div key={e.id} className="terminal-entry" data-exit={e.exitCode}>
            <div className="terminal-cmd">
              <span className="terminal-prompt">$</span> {e.line}
              {e.running && (
                <button type="button" className="btn btn-sm btn-ghost terminal-stop" onClick={() => aborts.current.get(e.id)?.abort()} aria-label={`Stop ${e.line}`}>
                  stop (Ctrl+C)
                </button>
              )}
            </div>
            {e.stdout !== '' && <pre className="terminal-out">{e.stdout}</pre>}
            {e.stderr !== '' && <pre className="terminal-err">{e.stderr}</pre>}
            {e.exitCode !== undefined && e.exitCode !== 0 && <div className="terminal-exit">exit {e.exitCode}</div>}
          </div>
        ))}
      </div>
      <label className="terminal-input">
        <span className="terminal-prompt" aria-hidden="true">
          $ etcdctl
        </span>
        <input
          ref={inputRef}
          value={line}
          onChange={(e) => {
            setLine(e.target.value);
            setCursor(undefined);
          }}
          onKeyDown={onKey}
          spellCheck={false}
          autoComplete="off"
          autoCapitalize="off"
          placeholder="put greeting hello"
          aria-label="etcdctl command (↑/↓ for history, Enter to run)"
          data-testid="console-input"
        />
      </label>
    </div>
  );
}
