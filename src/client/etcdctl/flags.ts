// Command-line flags with spf13/pflag's rules and error texts (the library etcdctl 3.4 parses with):
// `--name=value`, `--name value`, `--bool`, `--bool=false`, `-w json`, `-wjson`, `-w=json`,
// grouped boolean shorthands (`-il`), `--` ends the flags, a lone `-` is an argument, flags and
// arguments interleave. A negative number is a shorthand flag (`-5` → unknown shorthand flag '5').
// Values parse as Go does (ParseInt base 0, ParseBool, ParseDuration, CSV string slices). Pure.

import { GoError, parseBool, parseDuration, parseInt64 } from './goFormat';

export type FlagKind = 'bool' | 'string' | 'int' | 'int64' | 'duration' | 'stringSlice';

/** One flag as cobra/pflag declares it. */
export interface FlagDef {
  name: string;
  shorthand?: string;
  kind: FlagKind;
  /** The default as pflag prints it (DefValue): "false", "0", "5s", "[127.0.0.1:2379]", "l". */
  defValue: string;
  usage: string;
}

export type FlagValue = boolean | string | number | string[];

/** pflag's failures; `message` is the text cobra prints after "Error: ". */
export class FlagError extends Error {
  override name = 'FlagError';
}

/** Parsed flags: values by name (defaults filled in) and which were set on the command line. */
export class FlagValues {
  private readonly values = new Map<string, FlagValue>();
  private readonly changed = new Set<string>();
  /** Positional arguments, in order (those after `--` included). */
  args: string[] = [];
  /** How many positional arguments came before `--`; -1 when there was no `--`. */
  argsLenAtDash = -1;

  constructor(readonly defs: readonly FlagDef[]) {
    for (const def of defs) this.values.set(def.name, defaultOf(def));
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** True when the flag was given on the command line. */
  isChanged(name: string): boolean {
    return this.changed.has(name);
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  string(name: string): string {
    return this.get(name) as string;
  }

  number(name: string): number {
    return this.get(name) as number;
  }

  strings(name: string): string[] {
    return this.get(name) as string[];
  }

  /** Sets a flag from its text, as pflag's Set does (a first string-slice value replaces the default). */
  set(def: FlagDef, text: string): void {
    let value: FlagValue;
    try {
      value = parseValue(def.kind, text);
    } catch (error) {
      if (!(error instanceof GoError)) throw error;
      const flagName = def.shorthand ? `-${def.shorthand}, --${def.name}` : `--${def.name}`;
      throw new FlagError(`invalid argument ${JSON.stringify(text)} for ${JSON.stringify(flagName)} flag: ${error.message}`);
    }
    if (def.kind === 'stringSlice' && this.changed.has(def.name)) {
      value = [...(this.values.get(def.name) as string[]), ...(value as string[])];
    }
    this.values.set(def.name, value);
    this.changed.add(def.name);
  }

  private get(name: string): FlagValue {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`flag accessed but not defined: ${name}`);
    return v;
  }
}

function defaultOf(def: FlagDef): FlagValue {
  switch (def.kind) {
    case 'bool':
      return def.defValue === 'true';
    case 'string':
      return def.defValue;
    case 'int':
    case 'int64':
      return Number(def.defValue);
    case 'duration':
      return parseDuration(def.defValue);
    case 'stringSlice':
      return def.defValue.replace(/^\[|\]$/g, '').split(',').filter((s) => s.length > 0);
  }
}

function parseValue(kind: FlagKind, text: string): FlagValue {
  switch (kind) {
    case 'bool':
      return parseBool(text);
    case 'string':
      return text;
    case 'int':
    case 'int64':
      return Number(parseInt64(text, 0));
    case 'duration':
      return parseDuration(text);
    case 'stringSlice':
      return text === '' ? [] : parseCsvRecord(text);
  }
}

/** One CSV record as encoding/csv reads it (pflag's string slices): commas split, quotes group. */
function parseCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new GoError(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i];
        i++;
      }
    } else {
      while (i < text.length && text[i] !== ',') field += text[i++];
    }
    fields.push(field);
    if (i >= text.length) return fields;
    if (text[i] !== ',') throw new GoError(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
    i++;
  }
}

/**
 * Parses `args` against `defs` (interspersed flags and arguments). Throws FlagError with pflag's
 * message. A `help` flag set by `-h`/`--help` is an ordinary bool flag here; the caller checks it.
 */
export function parseFlags(defs: readonly FlagDef[], args: readonly string[]): FlagValues {
  const values = new FlagValues(defs);
  const byName = new Map(defs.map((d) => [d.name, d]));
  const byShort = new Map(defs.filter((d) => d.shorthand).map((d) => [d.shorthand!, d]));
  const positional: string[] = [];
  let i = 0;
  while (i < args.length) {
    const s = args[i]!;
    i++;
    if (s.length < 2 || s[0] !== '-') {
      positional.push(s);
      continue;
    }
    if (s === '--') {
      values.argsLenAtDash = positional.length;
      positional.push(...args.slice(i));
      break;
    }
    if (s.startsWith('--')) {
      const body = s.slice(2);
      if (body.length === 0 || body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${s}`);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const def = byName.get(name);
      if (!def) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) {
        values.set(def, body.slice(eq + 1));
      } else if (def.kind === 'bool') {
        values.set(def, 'true');
      } else if (i < args.length) {
        values.set(def, args[i]!);
        i++;
      } else {
        throw new FlagError(`flag needs an argument: ${s}`);
      }
      continue;
    }
    // Shorthands: one or more letters after a single dash.
    let shorthands = s.slice(1);
    while (shorthands.length > 0) {
      const c = shorthands[0]!;
      const def = byShort.get(c);
      if (!def) throw new FlagError(`unknown shorthand flag: '${c}' in -${shorthands}`);
      if (shorthands.length > 2 && shorthands[1] === '=') {
        values.set(def, shorthands.slice(2));
        shorthands = '';
      } else if (def.kind === 'bool') {
        values.set(def, 'true');
        shorthands = shorthands.slice(1);
      } else if (shorthands.length > 1) {
        values.set(def, shorthands.slice(1));
        shorthands = '';
      } else if (i < args.length) {
        values.set(def, args[i]!);
        i++;
        shorthands = '';
      } else {
        throw new FlagError(`flag needs an argument: '${c}' in -${shorthands}`);
      }
    }
  }
  values.args = positional;
  return values;
}
