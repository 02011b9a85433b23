// Replays etcd-io/raft datadriven transcripts (interaction, confchange and quorum files) against
// the TypeScript core and compares the output with etcd's, exactly or ignoring log lines.
//
// The kind of file is told from its commands, not its name, so further etcd transcripts run as
// they are.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseFile, type TestCase } from './datadriven';
import { unifiedDiff } from './diff';
import { InteractionEnv } from './interaction';
import { ConfChangeEnv, handleQuorum } from './pureHarnesses';

export interface RunOptions {
  /** Drop DEBUG/INFO/WARN/ERROR lines on both sides before comparing. */
  ignoreLogs?: boolean;
}

export interface FileResult {
  name: string;
  path: string;
  pass: boolean;
  /** The whole file as expected and as produced, when it failed. */
  diff: string;
  commands: number;
}

type Kind = 'interaction' | 'confchange' | 'quorum';

function kindOf(cases: TestCase[]): Kind {
  for (const tc of cases) {
    if (tc.cmd === 'committed' || tc.cmd === 'vote') return 'quorum';
    if (tc.cmd === 'simple' || tc.cmd === 'enter-joint' || tc.cmd === 'leave-joint') return 'confchange';
  }
  return 'interaction';
}

const LOG_LINE = /^\s*(DEBUG|INFO|WARN|ERROR|FATAL) /;

function normalize(output: string, ignoreLogs: boolean): string {
  let out = output;
  if (out !== '' && !out.endsWith('\n')) out += '\n';
  if (!ignoreLogs) return out;
  const kept = out.split('\n').filter((l) => !LOG_LINE.test(l));
  let joined = kept.join('\n');
  if (joined.trim() === '') joined = 'ok\n';
  return joined;
}

/** Renders a case with its output the way it appears in a datadriven file. */
function render(tc: TestCase, output: string): string {
  const header = tc.input === '' ? `${tc.line}\n----\n` : `${tc.line}\n${tc.input}\n----\n`;
  return header + output + '\n';
}

export function runFile(path: string, opts: RunOptions = {}): FileResult {
  const text = readFileSync(path, 'utf8');
  const name = basename(path);
  const cases = parseFile(path, text);
  const kind = kindOf(cases);
  const interaction = new InteractionEnv();
  const confchange = new ConfChangeEnv();
  let expectedAll = '';
  let actualAll = '';
  let pass = true;
  for (const tc of cases) {
    let actual: string;
    try {
      if (kind === 'quorum') actual = handleQuorum(tc);
      else if (kind === 'confchange') actual = confchange.handle(tc);
      else actual = interaction.handle(tc);
    } catch (e) {
      const err = e as Error;
      actual = `panic: ${err.name}: ${err.message}\n${(err.stack ?? '').split('\n').slice(1, 6).join('\n')}\n`;
      pass = false;
    }
    const exp = normalize(tc.expected, opts.ignoreLogs ?? false);
    const act = normalize(actual, opts.ignoreLogs ?? false);
    if (exp !== act) pass = false;
    expectedAll += render(tc, exp);
    actualAll += render(tc, act);
    if (actual.startsWith('panic: ')) break;
  }
  const diff = pass ? '' : unifiedDiff(expectedAll, actualAll, { a: `${name} (etcd)`, b: `${name} (ours)` });
  return { name, path, pass, diff, commands: cases.length };
}

/** Expands files and directories (recursively) into the transcript files to run, sorted. */
export function collectFiles(targets: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        walk(join(p, name));
      }
    } else if (/\.txt$/.test(p) || !/\.[a-z]+$/i.test(basename(p))) {
      if (basename(p) === 'LICENSE' || /README/i.test(basename(p))) return;
      out.push(p);
    }
  };
  for (const t of targets) walk(t);
  return out;
}

export function displayName(path: string, root: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel;
}
