import { describe, expect, it } from 'vitest';
import { goQuote, isPrint } from './goQuote';

// Expected outputs are what Go's strconv.Quote prints for these bytes.
describe('goQuote', () => {
  it('quotes like Go', () => {
    expect(goQuote('')).toBe('""');
    expect(goQuote('{"key":"a"}')).toBe('"{\\"key\\":\\"a\\"}"');
    expect(goQuote('a\\b')).toBe('"a\\\\b"');
    expect(goQuote('\x00\x07\x08\x0c\n\r\t\x0b\x1b\x7f')).toBe('"\\x00\\a\\b\\f\\n\\r\\t\\v\\x1b\\x7f"');
    // UTF-8: printable runes stay, invalid bytes are \x, unprintable runes \u / \U.
    expect(goQuote('\xe2\x82\xac')).toBe('"€"');
    expect(goQuote('\xf0\x9f\x98\x80')).toBe('"😀"');
    expect(goQuote('\xff\xc3')).toBe('"\\xff\\xc3"');
    expect(goQuote('\xed\xa0\x80')).toBe('"\\xed\\xa0\\x80"'); // a surrogate is not valid UTF-8
    expect(goQuote('\xc2\xa0')).toBe('"\\u00a0"'); // no-break space: not printable in Go
    expect(goQuote('\xe2\x80\xa8')).toBe('"\\u2028"');
    expect(goQuote('\xd7\x89')).toBe('"\\u05c9"'); // unassigned
    expect(goQuote('\xf3\x98\x95\xae')).toBe('"\\U000d856e"'); // unassigned, plane 13
    expect(goQuote('\xee\x80\x80')).toBe('"\\ue000"'); // private use
  });

  it('knows what Go prints as is', () => {
    expect(isPrint(0x41)).toBe(true);
    expect(isPrint(0x20)).toBe(true);
    expect(isPrint(0xa0)).toBe(false);
    expect(isPrint(0x200b)).toBe(false);
    expect(isPrint(0x4e2d)).toBe(true);
  });
});
