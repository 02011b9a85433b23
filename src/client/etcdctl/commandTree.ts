// The command tree as cobra models it (etcdctl 3.4 uses spf13/cobra 0.0.3): commands with a `use`
// line, a short and long description, local and persistent flags, children and a run function;
// and cobra's way of finding the command a command line names (prefix matching on, flags skipped,
// "unknown command" with Levenshtein suggestions). Pure; the tree itself is in commands/index.ts.

import type { FlagDef } from './flags';
import type { Invocation } from './invocation';

/** Runs a command with its positional arguments (cobra's Run). */
export type RunFn = (inv: Invocation, args: string[]) => Promise<void>;

/** One command. `parent` is set by `linkTree`. */
export interface CommandSpec {
  use: string;
  short: string;
  long?: string;
  /** Flags of this command only. */
  flags?: FlagDef[];
  /** Flags of this command that its subcommands inherit. */
  persistentFlags?: FlagDef[];
  children?: CommandSpec[];
  run?: RunFn;
  parent?: CommandSpec;
}

/** The command's name: the first word of its use line. */
export function nameOf(cmd: CommandSpec): string {
  return cmd.use.split(' ')[0]!;
}

/** Sets every child's `parent` and sorts children by name (cobra's command sorting). */
export function linkTree(root: CommandSpec): CommandSpec {
  const visit = (cmd: CommandSpec): void => {
    cmd.children?.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
    for (const child of cmd.children ?? []) {
      child.parent = cmd;
      visit(child);
    }
  };
  visit(root);
  return root;
}

export function rootOf(cmd: CommandSpec): CommandSpec {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** "etcdctl lease grant". */
export function commandPath(cmd: CommandSpec): string {
  return cmd.parent ? `${commandPath(cmd.parent)} ${nameOf(cmd)}` : nameOf(cmd);
}

export function hasSubCommands(cmd: CommandSpec): boolean {
  return (cmd.children?.length ?? 0) > 0;
}

/** cobra's automatic -h/--help flag. */
export function helpFlagOf(cmd: CommandSpec): FlagDef {
  return { name: 'help', shorthand: 'h', kind: 'bool', defValue: 'false', usage: `help for ${nameOf(cmd)}` };
}

function byName(a: FlagDef, b: FlagDef): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The command's own flags (persistent ones included) and its help flag, sorted by name. */
export function localFlags(cmd: CommandSpec): FlagDef[] {
  return [...(cmd.flags ?? []), ...(cmd.persistentFlags ?? []), helpFlagOf(cmd)].sort(byName);
}

/** Persistent flags of the ancestors, nearest first on a name clash, sorted by name. */
export function inheritedFlags(cmd: CommandSpec): FlagDef[] {
  const seen = new Map<string, FlagDef>();
  for (let p = cmd.parent; p; p = p.parent) {
    for (const f of p.persistentFlags ?? []) if (!seen.has(f.name)) seen.set(f.name, f);
  }
  const local = new Set(localFlags(cmd).map((f) => f.name));
  return [...seen.values()].filter((f) => !local.has(f.name)).sort(byName);
}

/** Every flag the command accepts. */
export function allFlags(cmd: CommandSpec): FlagDef[] {
  return [...localFlags(cmd), ...inheritedFlags(cmd)];
}

/** cobra's stripFlags: the words of `args` that are not flags or flag values. */
function stripFlags(args: readonly string[], cmd: CommandSpec): string[] {
  const flags = allFlags(cmd);
  const isBoolLong = (name: string): boolean => flags.some((f) => f.name === name && f.kind === 'bool');
  const isBoolShort = (s: string): boolean => flags.some((f) => f.shorthand === s && f.kind === 'bool');
  const commands: string[] = [];
  let rest = [...args];
  while (rest.length > 0) {
    const s = rest[0]!;
    rest = rest.slice(1);
    if (s === '--') break;
    const longWithValue = s.startsWith('--') && !s.includes('=') && !isBoolLong(s.slice(2));
    const shortWithValue = !s.startsWith('--') && s.startsWith('-') && !s.includes('=') && s.length === 2 && !isBoolShort(s.slice(1));
    if (longWithValue || shortWithValue) {
      // cobra drops the value; with a single word left it stops looking altogether.
      if (rest.length <= 1) break;
      rest = rest.slice(1);
      continue;
    }
    if (s !== '' && !s.startsWith('-')) commands.push(s);
  }
  return commands;
}

/** cobra's findNext: an exact name, else the one command the word is a prefix of. */
function findNext(cmd: CommandSpec, word: string): CommandSpec | undefined {
  const matches: CommandSpec[] = [];
  for (const child of cmd.children ?? []) {
    if (nameOf(child) === word) return child;
    if (nameOf(child).startsWith(word)) matches.push(child);
  }
  return matches.length === 1 ? matches[0] : undefined;
}

function removeFirst(args: readonly string[], word: string): string[] {
  const i = args.indexOf(word);
  return i < 0 ? [...args] : [...args.slice(0, i), ...args.slice(i + 1)];
}

function levenshtein(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0]![j] = j;
  for (let j = 1; j <= t.length; j++) {
    for (let i = 1; i <= s.length; i++) {
      if (s[i - 1] === t[j - 1]) d[i]![j] = d[i - 1]![j - 1]!;
      else d[i]![j] = Math.min(d[i - 1]![j]!, d[i]![j - 1]!, d[i - 1]![j - 1]!) + 1;
    }
  }
  return d[s.length]![t.length]!;
}

/** The "Did you mean this?" tail cobra adds to an unknown-command error. */
function suggestions(cmd: CommandSpec, typed: string): string {
  const found: string[] = [];
  for (const child of cmd.children ?? []) {
    const name = nameOf(child);
    if (name === 'help') continue; // cobra's help command is not "available"
    if (levenshtein(typed, name) <= 2 || name.toLowerCase().startsWith(typed.toLowerCase())) found.push(name);
  }
  if (found.length === 0) return '';
  return '\n\nDid you mean this?\n' + found.map((s) => `\t${s}\n`).join('');
}

/** Where a command line leads: the command and its arguments (flags included), or an error. */
export type FindResult = { cmd: CommandSpec; args: string[]; error?: string };

/** cobra's Find: walks the tree along the non-flag words of `args`. */
export function findCommand(root: CommandSpec, args: readonly string[]): FindResult {
  let cmd = root;
  let rest = [...args];
  for (;;) {
    const words = stripFlags(rest, cmd);
    if (words.length === 0) break;
    const next = findNext(cmd, words[0]!);
    if (!next) break;
    rest = removeFirst(rest, words[0]!);
    cmd = next;
  }
  if (hasSubCommands(cmd) && !cmd.parent) {
    const words = stripFlags(rest, cmd);
    if (words.length > 0) {
      const word = words[0]!;
      return { cmd, args: rest, error: `unknown command ${JSON.stringify(word)} for ${JSON.stringify(commandPath(cmd))}${suggestions(cmd, word)}` };
    }
  }
  return { cmd, args: rest };
}
