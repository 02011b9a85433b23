// `npm run conformance -- [--ignore-logs] [FILE|DIR ...]`: replays etcd-io/raft transcripts against
// the TypeScript Raft core. Prints `PASS name` or `FAIL name` plus a unified diff per file, then a
// summary; exits 0 only when every file passes. With no paths it runs
// ../shared/conformance/etcd-raft/ (or the vendored copy in test/conformance/etcd-raft/).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { collectFiles, displayName, runFile } from './runner';

// The team's reference copy; a clean clone without ../shared falls back to the vendored copy.
const SHARED_DIR = resolve(import.meta.dirname, '../../../shared/conformance/etcd-raft');
const DEFAULT_DIR = existsSync(SHARED_DIR) ? SHARED_DIR : resolve(import.meta.dirname, 'etcd-raft');

function main(argv: string[]): number {
  const ignoreLogs = argv.includes('--ignore-logs');
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--ignore-logs');
  if (unknown.length > 0) {
    process.stderr.write(`unknown option ${unknown[0]}\nusage: npm run conformance -- [--ignore-logs] [FILE|DIR ...]\n`);
    return 2;
  }
  const targets = argv.filter((a) => !a.startsWith('--'));
  const roots = targets.length > 0 ? targets : [DEFAULT_DIR];
  for (const r of roots) {
    if (!existsSync(r)) {
      process.stderr.write(`no such file or directory: ${r}\n`);
      return 2;
    }
  }
  const files = collectFiles(roots);
  if (files.length === 0) {
    process.stderr.write('no transcript files found\n');
    return 2;
  }
  let failed = 0;
  const base = targets.length === 1 ? resolve(targets[0]!) : targets.length === 0 ? DEFAULT_DIR : process.cwd();
  for (const f of files) {
    const r = runFile(f, { ignoreLogs });
    const name = displayName(resolve(f), base) || r.name;
    if (r.pass) {
      process.stdout.write(`PASS ${name}\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL ${name}\n${r.diff}\n`);
    }
  }
  process.stdout.write(`${files.length - failed} passed, ${failed} failed${ignoreLogs ? ' (log lines ignored)' : ''}\n`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
