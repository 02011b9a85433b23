// Conformance: every etcd-io/raft transcript (interaction, confchange and quorum files) replays
// byte-exact against the TypeScript core, log lines included. The transcripts come from
// ../shared/conformance/etcd-raft (the team's reference copy); a vendored copy in
// test/conformance/etcd-raft keeps a clean clone self-sufficient and must stay identical.
// The runner itself is checked to fail on a transcript that differs.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectFiles, runFile } from './runner';

const SHARED = resolve(__dirname, '../../../shared/conformance/etcd-raft');
const VENDORED = resolve(__dirname, 'etcd-raft');
const ROOT = existsSync(SHARED) ? SHARED : VENDORED;
const files = collectFiles([ROOT]);

describe('etcd-io/raft transcripts', () => {
  it('finds the transcripts (interaction, confchange and quorum)', () => {
    const rel = files.map((f) => relative(ROOT, f));
    expect(rel.filter((f) => f.startsWith('testdata')).length).toBeGreaterThanOrEqual(20);
    expect(rel.filter((f) => f.startsWith('confchange')).length).toBeGreaterThanOrEqual(9);
    expect(rel.filter((f) => f.startsWith('quorum')).length).toBeGreaterThanOrEqual(4);
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s replays byte-exact', (_name, path) => {
    const r = runFile(path);
    expect(r.diff).toBe('');
    expect(r.pass).toBe(true);
  });

  it.runIf(existsSync(SHARED))('the vendored copy matches the shared reference', () => {
    for (const f of collectFiles([SHARED])) {
      const v = join(VENDORED, relative(SHARED, f));
      expect(existsSync(v), `${v} is missing`).toBe(true);
      expect(readFileSync(v, 'utf8')).toBe(readFileSync(f, 'utf8'));
    }
  });
});

describe('the runner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
  const source = readFileSync(join(ROOT, 'testdata', 'campaign.txt'), 'utf8');

  it('fails, with a diff, when an expected message differs', () => {
    const path = join(dir, 'tampered.txt');
    writeFileSync(path, source.replace('1->2 MsgVote Term:1 Log:1/2', '1->2 MsgVote Term:7 Log:1/2'));
    const r = runFile(path);
    expect(r.pass).toBe(false);
    expect(r.diff).toContain('-  1->2 MsgVote Term:7 Log:1/2');
    expect(r.diff).toContain('+  1->2 MsgVote Term:1 Log:1/2');
  });

  it('fails on a log line wording change, but not with ignoreLogs', () => {
    const path = join(dir, 'wording.txt');
    writeFileSync(path, source.replace('INFO 1 became candidate at term 1', 'INFO 1 is now candidate at term 1'));
    expect(runFile(path).pass).toBe(false);
    expect(runFile(path, { ignoreLogs: true }).pass).toBe(true);
  });

  it('reports an unknown command as etcd does', () => {
    const path = join(dir, 'unknown.txt');
    writeFileSync(path, 'frobnicate 1\n----\nunknown command\n');
    expect(runFile(path).pass).toBe(true);
  });
});
