// Usage texts. etcdctl replaces cobra's usage with its own template (NAME / USAGE / VERSION /
// API VERSION / COMMANDS / DESCRIPTION / OPTIONS / GLOBAL OPTIONS) and aligns it with Go's
// text/tabwriter (tab width 8, padding 1, padded with tabs), so the help screens carry tabs exactly
// where etcdctl's do. The nested put/get/del commands of `txn` run under a bare cobra root and
// print cobra's default usage instead (pflag's FlagUsages layout). Pure.

import {
  commandPath,
  hasSubCommands,
  inheritedFlags,
  localFlags,
  nameOf,
  rootOf,
  type CommandSpec,
} from './commandTree';
import type { FlagDef } from './flags';

export const ETCD_VERSION = '3.4.23';
export const API_VERSION = '3.4';

/**
 * Go's text/tabwriter with minwidth 0, tabwidth 8, padding 1 and '\t' as the pad character: each
 * tab-terminated cell is padded with tabs to its column's width, a column being the run of
 * adjacent lines that all have a cell there; the text after a line's last tab is not a cell.
 */
export function tabwrite(text: string): string {
  const TAB_WIDTH = 8;
  const lines = text.split('\n').map((line) => line.split('\t'));
  const cellCount = (i: number): number => lines[i]!.length - 1;
  const width = lines.map((line) => line.map(() => 0));
  const maxColumns = Math.max(0, ...lines.map((_, i) => cellCount(i)));
  for (let col = 0; col < maxColumns; col++) {
    let i = 0;
    while (i < lines.length) {
      if (cellCount(i) <= col) {
        i++;
        continue;
      }
      let j = i;
      let w = 0;
      while (j < lines.length && cellCount(j) > col) {
        w = Math.max(w, [...lines[j]![col]!].length + 1);
        j++;
      }
      for (let k = i; k < j; k++) width[k]![col] = w;
      i = j;
    }
  }
  return lines
    .map((line, i) =>
      line
        .map((cell, col) => {
          if (col === line.length - 1) return cell;
          const textWidth = [...cell].length;
          const cellWidth = Math.ceil(width[i]![col]! / TAB_WIDTH) * TAB_WIDTH;
          return cell + '\t'.repeat(Math.ceil((cellWidth - textWidth) / TAB_WIDTH));
        })
        .join(''),
    )
    .join('\n');
}

/** etcdctl's etcdFlagUsages: one line per flag, `name=default<TAB>usage`. */
function etcdFlagUsages(flags: readonly FlagDef[]): string {
  return flags
    .map((f) => {
      let line = f.shorthand ? `  -${f.shorthand}, --${f.name}` : `      --${f.name}`;
      const value = f.kind === 'string' ? JSON.stringify(f.defValue) : f.defValue;
      line += f.kind === 'bool' ? `[=${value}]` : `=${value}`;
      return `${line}\t${f.usage}\n`;
    })
    .join('');
}

/** cobra's UseLine: the parent's path, the use line, and " [flags]" (every command has -h). */
function useLine(cmd: CommandSpec): string {
  const line = cmd.parent ? `${commandPath(cmd.parent)} ${cmd.use}` : cmd.use;
  return line.includes('[flags]') ? line : `${line} [flags]`;
}

/** The name of `cmd` relative to `start` (etcdctl's cmdName template function). */
function relativeName(cmd: CommandSpec, start: CommandSpec): string {
  const parts = [nameOf(cmd)];
  let c = cmd;
  while (c.parent && nameOf(c.parent) !== nameOf(start)) {
    c = c.parent;
    parts.unshift(nameOf(c));
  }
  return parts.join(' ');
}

function allSubCommands(cmd: CommandSpec): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const child of cmd.children ?? []) out.push(child, ...allSubCommands(child));
  return out;
}

/** The help screen etcdctl prints for `cmd` (its usage function), tabs aligned. */
export function etcdUsage(cmd: CommandSpec): string {
  const root = rootOf(cmd);
  let t = 'NAME:\n';
  t += cmd.parent ? `\t${relativeName(cmd, root)} - ${cmd.short}\n` : `\t${nameOf(cmd)} - ${cmd.short}\n`;
  t += `\nUSAGE:\n\t${useLine(cmd)}\n`;
  if (!cmd.parent) t += `\nVERSION:\n\t${ETCD_VERSION}\n`;
  if (hasSubCommands(cmd)) {
    t += `\nAPI VERSION:\n\t${API_VERSION}\n`;
    t += '\n\nCOMMANDS:\n';
    for (const sub of allSubCommands(cmd)) {
      if (sub.run) t += `\t${relativeName(sub, cmd)}\t${sub.short}\n`;
    }
  }
  if (cmd.long) {
    t += '\nDESCRIPTION:\n';
    for (const line of cmd.long.replace(/^[\n\t ]+|[\n\t ]+$/g, '').split('\n')) t += `\t${line}\n`;
  }
  t += `\nOPTIONS:\n${etcdFlagUsages(localFlags(cmd))}`;
  const inherited = inheritedFlags(cmd);
  if (inherited.length > 0) t += `\nGLOBAL OPTIONS:\n${etcdFlagUsages(inherited)}`;
  t += '\n';
  return tabwrite(t);
}

/** pflag's UnquoteUsage: the value name shown after a flag (none for booleans). */
function varName(f: FlagDef): string {
  const quoted = /`([^`]*)`/.exec(f.usage);
  if (quoted) return quoted[1]!;
  switch (f.kind) {
    case 'bool':
      return '';
    case 'stringSlice':
      return 'strings';
    default:
      return f.kind;
  }
}

function isZeroDefault(f: FlagDef): boolean {
  switch (f.kind) {
    case 'bool':
      return f.defValue === 'false';
    case 'string':
      return f.defValue === '';
    case 'int':
    case 'int64':
      return f.defValue === '0';
    case 'duration':
      return f.defValue === '0s';
    case 'stringSlice':
      return f.defValue === '[]';
  }
}

/** pflag's FlagUsages: names padded to one column, usage, " (default …)". */
export function pflagUsages(flags: readonly FlagDef[]): string {
  const lines = flags.map((f) => {
    let line = f.shorthand ? `  -${f.shorthand}, --${f.name}` : `      --${f.name}`;
    const v = varName(f);
    if (v) line += ` ${v}`;
    let usage = f.usage.replace(/`/g, '');
    if (!isZeroDefault(f)) usage += f.kind === 'string' ? ` (default ${JSON.stringify(f.defValue)})` : ` (default ${f.defValue})`;
    return { line, usage };
  });
  const max = Math.max(0, ...lines.map((l) => l.line.length + 1));
  return lines.map(({ line, usage }) => `${line} ${' '.repeat(max - line.length)} ${usage}\n`).join('');
}

/**
 * cobra's default usage text for a command under a bare root with an empty name (how `txn` parses
 * its put/get/del lines): "Usage:" and "Flags:" sections, ending with one newline.
 */
export function cobraDefaultUsage(cmd: CommandSpec): string {
  let t = `Usage:\n   ${cmd.use}${cmd.use.includes('[flags]') ? '' : ' [flags]'}`;
  t += `\n\nFlags:\n${pflagUsages(localFlags(cmd)).replace(/\s+$/, '')}\n`;
  return t;
}
