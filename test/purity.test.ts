// Architecture guard. The pure layers (lib, raft, mvcc, lease) must not read a clock, start a
// timer, draw from Math.random or touch IndexedDB or postMessage: time arrives as ticks, randomness
// from a seeded Prng, I/O as Ready-like outputs. And imports run one way only (DESIGN.md, "Layout").
// Method: scan every non-test source file, strip comments and string literals, then look for banned
// identifiers and for relative imports that climb to a higher layer.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');

/** Rank of each layer; a module may import only layers listed as allowed for it. */
const ALLOWED: Record<string, readonly string[]> = {
  lib: ['lib'],
  raft: ['lib', 'raft'],
  mvcc: ['lib', 'mvcc'],
  lease: ['lib', 'lease'],
  storage: ['lib', 'raft', 'mvcc', 'lease', 'storage'],
  server: ['lib', 'raft', 'mvcc', 'lease', 'storage', 'server'],
  client: ['lib', 'raft', 'mvcc', 'lease', 'storage', 'server', 'client'],
  cluster: ['lib', 'raft', 'mvcc', 'lease', 'storage', 'server', 'client', 'cluster'],
  playground: ['lib', 'raft', 'mvcc', 'lease', 'storage', 'server', 'client', 'cluster', 'playground'],
  // Lessons are data used by the UI and the tests: they reach the cluster only through the
  // Playground API (types of lower layers come re-exported by playground).
  scenarios: ['lib', 'playground', 'scenarios'],
  // The UI sees the cluster only through the Playground API (DESIGN.md: "ui on playground").
  ui: ['lib', 'playground', 'scenarios', 'ui'],
};

const PURE_LAYERS = ['lib', 'raft', 'mvcc', 'lease'];

const BANNED = [
  'Date', 'performance', 'setTimeout', 'setInterval', 'setImmediate', 'requestAnimationFrame',
  'queueMicrotask', 'indexedDB', 'IDBFactory', 'postMessage', 'crypto', 'fetch', 'XMLHttpRequest',
  'localStorage', 'sessionStorage', 'process', 'window', 'self', 'Worker',
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** Removes comments and the contents of string and template literals (keeps import specifiers). */
export function stripCode(code: string): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    const n = code[i + 1];
    if (c === '/' && n === '/') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (c === '/' && n === '*') {
      i += 2;
      while (i < code.length && !(code[i] === '*' && code[i + 1] === '/')) i++;
      i += 2;
    } else if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < code.length && code[i] !== c) {
        if (code[i] === '\\') i++;
        i++;
      }
      i++;
      out += c + c;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function importSpecifiers(code: string): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3])!);
  return specs;
}

function layerOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!;
}

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('finds the source tree', () => {
    expect(files.some((f) => layerOf(f) === 'raft')).toBe(true);
  });

  it('keeps lib, raft, mvcc and lease free of clocks, timers, Math.random and browser I/O', () => {
    const violations: string[] = [];
    for (const file of files.filter((f) => PURE_LAYERS.includes(layerOf(f)))) {
      const code = stripCode(readFileSync(file, 'utf8'));
      for (const name of BANNED) {
        // A banned global used as an identifier (not as a property like `x.process`).
        const re = new RegExp(`(?<![.\\w$])${name}(?![\\w$])`);
        if (re.test(code)) violations.push(`${relative(SRC, file)} uses ${name}`);
      }
      if (/Math\s*\.\s*random/.test(code)) violations.push(`${relative(SRC, file)} uses Math.random`);
    }
    expect(violations).toEqual([]);
  });

  it('imports only from the same or lower layers, and no npm packages in pure layers', () => {
    const violations: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      const allowed = ALLOWED[layer];
      if (!allowed) {
        violations.push(`${relative(SRC, file)} is in an unknown layer "${layer}"`);
        continue;
      }
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) {
          if (PURE_LAYERS.includes(layer)) violations.push(`${relative(SRC, file)} imports package ${spec}`);
          continue;
        }
        const target = resolve(dirname(file), spec);
        const rel = relative(SRC, target);
        if (rel.startsWith('..')) {
          violations.push(`${relative(SRC, file)} imports outside src: ${spec}`);
          continue;
        }
        const targetLayer = rel.split(sep)[0]!;
        if (!allowed.includes(targetLayer)) {
          violations.push(`${relative(SRC, file)} (${layer}) imports ${targetLayer}: ${spec}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('detects a violation (the guard itself can fail)', () => {
    const code = stripCode('const t = Date.now(); // Date in a comment\nconst s = "Date";');
    expect(/(?<![.\w$])Date(?![\w$])/.test(code)).toBe(true);
    const clean = stripCode('// Date.now()\nconst s = "setTimeout";');
    expect(/(?<![.\w$])(Date|setTimeout)(?![\w$])/.test(clean)).toBe(false);
  });
});
