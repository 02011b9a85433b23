// A line-based unified diff (Myers' O(ND) algorithm), to show how a transcript differs from the
// expected one.

type Op = { kind: ' ' | '-' | '+'; line: string };

function myers(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Array<Map<number, number>> = [];
  for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1))) x = v.get(k + 1) ?? 0;
      else x = (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) return backtrack(trace, a, b, d);
    }
  }
  return [];
}

function backtrack(trace: Array<Map<number, number>>, a: string[], b: string[], dEnd: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d >= 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1))) prevK = k + 1;
    else prevK = k - 1;
    const prevX = v.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', line: b[y - 1]! });
      else ops.push({ kind: '-', line: a[x - 1]! });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/** A unified diff of two texts (expected → actual) with `context` lines around changes. */
export function unifiedDiff(expected: string, actual: string, labels = { a: 'expected', b: 'actual' }, context = 3): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const ops = myers(a, b);
  if (ops.every((o) => o.kind === ' ')) return '';
  let out = `--- ${labels.a}\n+++ ${labels.b}\n`;
  let i = 0;
  let aLine = 1;
  let bLine = 1;
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i++;
      aLine++;
      bLine++;
      continue;
    }
    // Start a hunk `context` lines before this change.
    const start = Math.max(0, i - context);
    let end = i;
    let lastChange = i;
    while (end < ops.length && (ops[end]!.kind !== ' ' || end - lastChange <= context * 2)) {
      if (ops[end]!.kind !== ' ') lastChange = end;
      end++;
    }
    end = Math.min(ops.length, lastChange + context + 1);
    const back = i - start;
    const hunk = ops.slice(start, end);
    const aStart = aLine - back;
    const bStart = bLine - back;
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    out += `@@ -${aStart},${aCount} +${bStart},${bCount} @@\n`;
    for (const o of hunk) out += `${o.kind}${o.line}\n`;
    for (let j = i; j < end; j++) {
      if (ops[j]!.kind !== '+') aLine++;
      if (ops[j]!.kind !== '-') bLine++;
    }
    i = end;
  }
  return out;
}
