// Reading `etcdctl txn`'s standard input the way etcdctl 3.4 does (txn_command.go): compares, an
// empty line, success requests, an empty line, failure requests, an empty line. Lines are read with
// bufio's ReadString('\n'), so a section that reaches the end of input without its empty line
// fails with "EOF" (exit 3). A compare is parsed with fmt.Sscanf(`%q) %s %q`) after the first "(",
// with its exact error texts; `lease(...)` compares and unknown operators panic as clientv3's
// Compare does (exit 2). Requests go through etcdctl's argify (including its single-quote slicing
// bug) and a bare cobra root holding put, get and del. Works on byte strings. Pure.

import type { Compare, CompareResult, CompareTarget, RequestOp } from '../../mvcc/types';
import { goQuote, goUnquote, utf8Decode } from './bytes';
import { findCommand, linkTree, localFlags, nameOf, type CommandSpec } from './commandTree';
import { EtcdctlExit, ExitCode, GO_PANIC_EXIT, exitWithError, goPanic } from './errors';
import { FlagError, parseFlags, type FlagValues } from './flags';
import { GoError, parseInt64 } from './goFormat';
import { cobraDefaultUsage } from './usage';

/** bufio.Reader.ReadString('\n') over a byte string. */
export class LineReader {
  private pos = 0;
  constructor(private readonly input: string) {}

  /** The next line with its newline; throws the "EOF" exit when no complete line is left. */
  readLine(): string {
    const nl = this.input.indexOf('\n', this.pos);
    if (nl < 0) {
      this.pos = this.input.length;
      exitWithError(ExitCode.invalidInput, 'EOF');
    }
    const line = this.input.slice(this.pos, nl + 1);
    this.pos = nl + 1;
    return line;
  }
}

/** Go's strings.TrimSpace (ASCII and Latin-1 spaces suffice for byte strings). */
function trimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \x85\xa0]+|[\t\n\v\f\r \x85\xa0]+$/g, '');
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f';

/** A quoted operand as fmt's %q verb scans it: "…" with escapes or `…`. */
function scanQuoted(s: string, pos: number): { value: string; end: number } | null {
  const q = s[pos];
  if (q === '`') {
    const end = s.indexOf('`', pos + 1);
    return end < 0 ? null : { value: s.slice(pos + 1, end), end: end + 1 };
  }
  if (q !== '"') return null;
  let i = pos + 1;
  while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
  if (i >= s.length) return null;
  const value = goUnquote(s.slice(pos, i + 1));
  return value === null ? null : { value, end: i + 1 };
}

/** fmt.Sscanf(s, "%q) %s %q", &key, &op, &val): how many operands were stored, and their values. */
export function scanCompare(s: string): { n: number; key: string; op: string; val: string } {
  const r = { n: 0, key: '', op: '', val: '' };
  let pos = 0;
  const skipSpaces = (): void => {
    while (isSpace(s[pos])) pos++;
  };
  skipSpaces();
  const key = scanQuoted(s, pos);
  if (!key) return r;
  r.key = key.value;
  r.n = 1;
  pos = key.end;
  if (s[pos] !== ')') return r;
  pos++;
  // A space in the format needs at least one space in the input (or the end of it).
  if (pos < s.length && !isSpace(s[pos])) return r;
  skipSpaces();
  const start = pos;
  while (pos < s.length && !isSpace(s[pos])) pos++;
  if (pos === start) return r;
  r.op = s.slice(start, pos);
  r.n = 2;
  skipSpaces();
  const val = scanQuoted(s, pos);
  if (!val) return r;
  r.val = val.value;
  r.n = 3;
  return r;
}

const RESULTS: Record<string, CompareResult> = { '=': 'EQUAL', '!=': 'NOT_EQUAL', '>': 'GREATER', '<': 'LESS' };

/** clientv3.Compare: panics on an unknown operator, and on any non-integer lease value. */
function compare(target: CompareTarget, key: string, op: string, value: string | number): Compare {
  const result = RESULTS[op];
  if (!result) {
    goPanic('Unknown result op', [
      'go.etcd.io/etcd/clientv3.Compare(...)',
      '\tclientv3/compare.go:45',
      'go.etcd.io/etcd/etcdctl/ctlv3/command.parseCompare(...)',
      '\tetcdctl/ctlv3/command/txn_command.go:197',
    ]);
  }
  switch (target) {
    case 'VALUE':
      return { target, result, key, value: value as string };
    case 'VERSION':
      return { target, result, key, version: value as number };
    case 'CREATE':
      return { target, result, key, createRevision: value as number };
    case 'MOD':
      return { target, result, key, modRevision: value as number };
    case 'LEASE':
      // etcdctl hands clientv3 the value as a string, which mustInt64 rejects.
      goPanic('bad value', [
        'go.etcd.io/etcd/clientv3.mustInt64(...)',
        '\tclientv3/compare.go:130',
        'go.etcd.io/etcd/clientv3.mustInt64orLeaseID(...)',
        '\tclientv3/compare.go:139',
        'go.etcd.io/etcd/clientv3.Compare(...)',
        '\tclientv3/compare.go:64',
        'go.etcd.io/etcd/etcdctl/ctlv3/command.parseCompare(...)',
        '\tetcdctl/ctlv3/command/txn_command.go:197',
      ]);
  }
}

/** etcdctl's parseCompare on one (trimmed) line of bytes. */
export function parseCompare(line: string): Compare {
  const text = utf8Decode(line);
  const paren = line.indexOf('(');
  if (paren < 0) exitWithError(ExitCode.invalidInput, `malformed comparison: ${text}`);
  const target = line.slice(0, paren);
  const { n, key, op, val } = scanCompare(line.slice(paren + 1));
  if (n !== 3) {
    exitWithError(
      ExitCode.invalidInput,
      `malformed comparison: ${text}; got ${utf8Decode(target)}(${goQuote(key)}) ${utf8Decode(op)} ${goQuote(val)}`,
    );
  }
  const int = (): number | null => {
    try {
      return Number(parseInt64(val, 10));
    } catch (error) {
      if (error instanceof GoError) return null;
      throw error;
    }
  };
  let cmp: Compare | null = null;
  switch (target) {
    case 'ver':
    case 'version': {
      const v = int();
      if (v !== null) cmp = compare('VERSION', key, op, v);
      break;
    }
    case 'c':
    case 'create': {
      const v = int();
      if (v !== null) cmp = compare('CREATE', key, op, v);
      break;
    }
    case 'm':
    case 'mod': {
      const v = int();
      if (v !== null) cmp = compare('MOD', key, op, v);
      break;
    }
    case 'val':
    case 'value':
      cmp = compare('VALUE', key, op, val);
      break;
    case 'lease':
      cmp = compare('LEASE', '', op, val);
      break;
    default:
      exitWithError(ExitCode.invalidInput, `malformed comparison: ${text} (unknown target ${utf8Decode(target)})`);
  }
  if (!cmp) exitWithError(ExitCode.invalidInput, `invalid txn compare request: ${text}`);
  return cmp;
}

const ARG_RE = /"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\t\n\f\r ][^\t\n\f\r ]*/g;

/**
 * etcdctl's argify: quoted or bare words. A single-quoted word is sliced [1 : len(words)-1] — a
 * bug in etcd 3.4 that uses the number of words instead of the word's length (and panics when that
 * slice is out of range); a double-quoted word is unquoted with Sscanf("%q").
 */
export function argify(line: string): string[] {
  const words = line.match(ARG_RE) ?? [];
  return words.map((w) => {
    if (w.startsWith("'")) {
      const high = words.length - 1;
      if (high > w.length || high < 1) {
        const detail = high > w.length ? `[:${high}] with length ${w.length}` : `[1:${high}]`;
        goPanic(`runtime error: slice bounds out of range ${detail}`, ['go.etcd.io/etcd/etcdctl/ctlv3/command.argify(...)']);
      }
      return w.slice(1, high);
    }
    if (w.startsWith('"')) {
      const v = goUnquote(w);
      if (v === null) exitWithError(ExitCode.invalidInput, 'invalid syntax');
      return v;
    }
    return w;
  });
}

/** Builds one request op from put/get/del arguments (the command's own flag values applied). */
export type OpBuilder = (flags: FlagValues, args: string[]) => RequestOp;

/** The put/get/del commands of the bare cobra root etcdctl's txn parses requests with. */
export interface TxnOpCommands {
  put: CommandSpec;
  get: CommandSpec;
  del: CommandSpec;
  build: Record<'put' | 'get' | 'del', OpBuilder>;
}

/** Where a txn's help or usage output goes. */
export interface TxnOutput {
  out(text: string): void;
  err(text: string): void;
}

/** etcdctl's parseRequestUnion on one (trimmed) line of bytes. */
export function parseRequestOp(line: string, cmds: TxnOpCommands, o: TxnOutput): RequestOp {
  const text = utf8Decode(line);
  const args = argify(line);
  if (args.length < 2) exitWithError(ExitCode.invalidInput, `invalid txn compare request: ${text}`);
  const root = linkTree({ use: '', short: '', children: [{ ...cmds.put }, { ...cmds.get }, { ...cmds.del }] });
  const found = findCommand(root, args);
  const name = found.cmd === root ? '' : nameOf(found.cmd);
  if (found.error || (name !== 'put' && name !== 'get' && name !== 'del')) {
    exitWithError(ExitCode.invalidInput, `invalid txn request: ${text}`);
  }
  let flags: FlagValues;
  try {
    // Flag values as text, positional arguments (keys, values) as the bytes they are.
    flags = parseFlags(localFlags(found.cmd), found.args.map(utf8Decode));
    flags.args = parseFlags(localFlags(found.cmd), found.args).args;
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    // The bare root silences errors but not usage: cobra prints the default usage on stderr.
    o.err(cobraDefaultUsage(found.cmd) + '\n');
    exitWithError(ExitCode.invalidInput, `invalid txn request: ${text}`);
  }
  if (flags.bool('help')) {
    // cobra prints the help and returns without running the command; etcdctl then waits forever
    // for the op it never receives, and Go's runtime reports the deadlock.
    const about = (found.cmd.long ?? found.cmd.short).replace(/\s+$/, '');
    o.out(`${about}\n\n${cobraDefaultUsage(found.cmd)}`);
    throw new EtcdctlExit(GO_PANIC_EXIT, undefined, 'fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n');
  }
  return cmds.build[name](flags, flags.args);
}

/** A parsed txn: compares and the two branches. */
export interface ParsedTxn {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

/**
 * Reads a whole txn from stdin bytes. `prompt` is called before each section (interactive mode
 * prints "compares:" etc.).
 */
export function readTxn(input: string, cmds: TxnOpCommands, o: TxnOutput, prompt: (s: string) => void): ParsedTxn {
  const reader = new LineReader(input);
  const readSection = <T>(parse: (line: string) => T): T[] => {
    const items: T[] = [];
    for (;;) {
      const line = trimSpace(reader.readLine());
      if (line.length === 0) return items;
      items.push(parse(line));
    }
  };
  prompt('compares:');
  const compare = readSection(parseCompare);
  prompt('success requests (get, put, del):');
  const success = readSection((l) => parseRequestOp(l, cmds, o));
  prompt('failure requests (get, put, del):');
  const failure = readSection((l) => parseRequestOp(l, cmds, o));
  return { compare, success, failure };
}
