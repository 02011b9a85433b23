// A reader for cockroachdb/datadriven files, the format of etcd's Raft scenario transcripts:
// a directive line `cmd arg key=val key=(v1, v2)`, optional input lines, `----`, the expected
// output up to a blank line (or, after `----\n----`, up to the next `----\n----`). Lines starting
// with `#` are comments; a trailing `\` continues a directive line.

export interface CmdArg {
  key: string;
  vals: string[];
}

export interface TestCase {
  /** `file:line` of the directive. */
  pos: string;
  cmd: string;
  args: CmdArg[];
  input: string;
  expected: string;
  /** The raw directive line, for diffs. */
  line: string;
}

export class DataDrivenError extends Error {
  override name = 'DataDrivenError';
}

/** Parses one directive line into a command and its arguments (datadriven's ParseLine). */
export function parseLine(rawLine: string): { cmd: string; args: CmdArg[] } {
  let line = rawLine.trim();
  if (line === '') return { cmd: '', args: [] };
  const orig = line;
  const fail = (): never => {
    throw new DataDrivenError(`cannot parse directive at column ${orig.length - line.length + 1}: ${orig}`);
  };
  const until = (chars: string): string => {
    let idx = -1;
    for (let i = 0; i < line.length; i++) {
      if (chars.includes(line[i]!)) {
        idx = i;
        break;
      }
    }
    if (idx === -1) idx = line.length;
    const res = line.slice(0, idx);
    line = line.slice(idx);
    return res;
  };

  const cmd = until(' ');
  if (cmd === '') fail();
  line = line.trim();
  const args: CmdArg[] = [];
  while (line !== '') {
    const arg: CmdArg = { key: until(' ='), vals: [] };
    if (arg.key === '') fail();
    if (line !== '' && line[0] === '=') {
      line = line.slice(1);
      if (line === '' || line[0] === ' ') {
        arg.vals = [''];
      } else if (line[0] !== '(') {
        arg.vals = [until(' ')];
      } else {
        line = line.slice(1);
        // Values separated by commas up to the matching ')', allowing nested parentheses.
        for (let done = false; !done; ) {
          let pos = 0;
          let depth = 0;
          while (pos < line.length && (depth > 0 || (line[pos] !== ')' && line[pos] !== ','))) {
            if (line[pos] === '(') depth++;
            else if (line[pos] === ')') depth--;
            pos++;
          }
          if (pos === line.length) fail();
          done = line[pos] === ')';
          arg.vals.push(line.slice(0, pos));
          line = line.slice(pos + 1).trim();
        }
      }
    }
    args.push(arg);
    line = line.trim();
  }
  return { cmd, args };
}

/** Splits a datadriven file into test cases. */
export function parseFile(name: string, text: string): TestCase[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const cases: TestCase[] = [];
  let i = 0;
  while (i < lines.length) {
    let line = lines[i]!;
    const lineNo = i + 1;
    i++;
    let trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    while (trimmed.endsWith('\\') && i < lines.length) {
      trimmed = trimmed.slice(0, -1) + ' ' + lines[i]!.trim();
      i++;
    }
    line = trimmed;
    const { cmd, args } = parseLine(line);
    if (cmd === '') continue;

    const input: string[] = [];
    let separator = false;
    while (i < lines.length) {
      const l = lines[i]!;
      i++;
      if (l === '----') {
        separator = true;
        break;
      }
      input.push(l);
    }
    let expected = '';
    if (separator) {
      let first = i < lines.length ? lines[i++]! : '';
      if (first === '----') {
        // Output that may contain blank lines ends at two successive `----` lines.
        while (i < lines.length) {
          const l = lines[i++]!;
          if (l === '----' && i < lines.length && lines[i] === '----') {
            i++;
            break;
          }
          expected += l + '\n';
        }
      } else {
        while (first.trim() !== '') {
          expected += first + '\n';
          if (i >= lines.length) break;
          first = lines[i++]!;
        }
      }
    }
    cases.push({ pos: `${name}:${lineNo}`, cmd, args, input: input.join('\n').trim(), expected, line });
  }
  return cases;
}

/** The args without values (positional IDs like `process-ready 1 2`). */
export function positional(args: readonly CmdArg[]): string[] {
  return args.filter((a) => a.vals.length === 0).map((a) => a.key);
}

/** All values of `key=...` arguments, flattened. */
export function valuesOf(args: readonly CmdArg[], key: string): string[] {
  return args.filter((a) => a.key === key).flatMap((a) => a.vals);
}

export function parseBool(s: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(s)) return false;
  throw new DataDrivenError(`strconv.ParseBool: parsing "${s}": invalid syntax`);
}

export function parseUint(s: string): number {
  if (!/^\d+$/.test(s.trim())) throw new DataDrivenError(`strconv.ParseUint: parsing "${s}": invalid syntax`);
  return Number(s.trim());
}
