// ASCII tables as etcdctl draws them with olekukonko/tablewriter: upper-cased headers centred,
// cells right-aligned (etcdctl sets ALIGN_RIGHT), one space of padding, `+---+` borders, and cells
// wider than 30 columns wrapped at spaces by the library's minimum-raggedness word wrap. Pure.

const MAX_COL_WIDTH = 30;
const WRAP_PENALTY = 1e5;

/** tablewriter's Title: "_" and "." become spaces, then upper case. */
function title(name: string): string {
  const t = name.replace(/[_.]/g, ' ').trim();
  return (t.length === 0 && name.length > 0 ? ' ' : t).toUpperCase();
}

function displayWidth(s: string): number {
  return [...s].length;
}

/** tablewriter's WrapWords: breaks words into lines minimising the squared slack (penalised overflow). */
function wrapWords(words: string[], limit: number): string[][] {
  const n = words.length;
  const lineLength = (i: number, j: number): number => {
    let len = 0;
    for (let k = i; k <= j; k++) len += displayWidth(words[k]!) + (k > i ? 1 : 0);
    return len;
  };
  const cost = new Array<number>(n).fill(Number.MAX_SAFE_INTEGER);
  const breakAt = new Array<number>(n).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    if (lineLength(i, n - 1) <= limit) {
      cost[i] = 0;
      breakAt[i] = n;
      continue;
    }
    for (let j = i + 1; j < n; j++) {
      const len = lineLength(i, j - 1);
      const slack = limit - len;
      let c = slack * slack + cost[j]!;
      if (len > limit) c += WRAP_PENALTY;
      if (c < cost[i]!) {
        cost[i] = c;
        breakAt[i] = j;
      }
    }
  }
  const lines: string[][] = [];
  for (let i = 0; i < n; i = breakAt[i]!) lines.push(words.slice(i, breakAt[i]));
  return lines;
}

/** tablewriter's WrapString: lines no wider than `limit` unless a single word is wider. */
function wrapString(s: string, limit: number): string[] {
  const words = s.replace(/\n/g, ' ').split(' ');
  let lim = limit;
  for (const w of words) lim = Math.max(lim, displayWidth(w));
  return wrapWords(words, lim).map((line) => line.join(' '));
}

/** A cell's lines and the width it asks for (tablewriter's parseDimension with auto-wrap). */
function cellLines(text: string): { lines: string[]; width: number } {
  const raw = text.split('\n');
  let width = Math.min(Math.max(0, ...raw.map(displayWidth)), MAX_COL_WIDTH);
  const lines: string[] = [];
  raw.forEach((para, i) => {
    const wrapped = wrapString(para, width);
    if (i > 0) lines.push(' ');
    lines.push(...wrapped);
  });
  width = Math.max(width, ...lines.map(displayWidth));
  return { lines, width };
}

function padCenter(s: string, width: number): string {
  const gap = width - displayWidth(s);
  if (gap <= 0) return s;
  const left = Math.floor(gap / 2);
  return ' '.repeat(left) + s + ' '.repeat(gap - left);
}

function padLeft(s: string, width: number): string {
  const gap = width - displayWidth(s);
  return gap > 0 ? ' '.repeat(gap) + s : s;
}

/** Renders a table: header row centred, data rows right-aligned. Ends with a newline. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const headerCells = header.map((h) => cellLines(title(h)));
  const rowCells = rows.map((row) => row.map((c) => cellLines(c)));
  const widths = header.map((_, col) => Math.max(headerCells[col]!.width, ...rowCells.map((r) => r[col]?.width ?? 0)));
  const border = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+\n';
  const renderRow = (cells: { lines: string[] }[], align: (s: string, w: number) => string): string => {
    const height = Math.max(1, ...cells.map((c) => c.lines.length));
    let out = '';
    for (let line = 0; line < height; line++) {
      out += '|' + widths.map((w, col) => ' ' + align(cells[col]?.lines[line] ?? '', w) + ' ').join('|') + '|\n';
    }
    return out;
  };
  let out = border + renderRow(headerCells, padCenter) + border;
  for (const cells of rowCells) out += renderRow(cells, padLeft);
  return out + border;
}
