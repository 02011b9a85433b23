// A shell-like tokenizer for console lines: what bash would hand etcdctl as argv, without
// expansion. Words split on unquoted blanks; 'single quotes' keep everything literally; "double
// quotes" keep everything but honour \" \\ \$ \` and a backslash-newline; outside quotes a
// backslash escapes the next character. No variables, globs, pipes or redirections: `$x`, `*`,
// `|`, `<` are ordinary characters here (the playground has no shell). Pure.

/** A tokenizing failure, worded like bash's, which exits with 2 on syntax errors. */
export class TokenizeError extends Error {
  override name = 'TokenizeError';
}

/** Splits a command line into words. Throws TokenizeError on an unterminated quote. */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) {
        words.push(word);
        word = '';
        inWord = false;
      }
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new TokenizeError("unexpected EOF while looking for matching `''");
      word += line.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length) {
          const e = line[i + 1]!;
          if (e === '"' || e === '\\' || e === '$' || e === '`') {
            word += e;
            i += 2;
            continue;
          }
          if (e === '\n') {
            i += 2;
            continue;
          }
        }
        word += d;
        i++;
      }
      if (!closed) throw new TokenizeError('unexpected EOF while looking for matching `"\'');
      continue;
    }
    if (c === '\\') {
      if (i + 1 < line.length) {
        const e = line[i + 1]!;
        // A backslash-newline is a line continuation: it joins words.
        if (e !== '\n') word += e;
        i += 2;
      } else {
        i++;
      }
      continue;
    }
    word += c;
    i++;
  }
  if (inWord) words.push(word);
  return words;
}
