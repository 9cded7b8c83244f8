import { describe, expect, it } from 'vitest';
import { CsvTokenizer } from './csv-tokenizer.js';

function tokenize(chunks: string[], delimiter = ','): [number, string[]][] {
  const out: [number, string[]][] = [];
  const t = new CsvTokenizer((fields, row) => out.push([row, [...fields]]), delimiter);
  for (const c of chunks) t.write(c);
  t.end();
  return out;
}

describe('CsvTokenizer', () => {
  it('handles the last record with and without a final line break, and a trailing delimiter', () => {
    expect(tokenize(['a,b\n1,2'])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
    ]);
    expect(tokenize(['a,b\n1,\n'])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '']],
    ]);
    expect(tokenize(['a,b\n1,'])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '']],
    ]);
  });

  it('reads empty quoted fields, quotes around delimiters and skips blank lines', () => {
    expect(tokenize(['"",","\n\n\r\n""""\n'])).toEqual([
      [1, ['', ',']],
      [2, ['"']],
    ]);
  });

  it('treats CRLF split across chunks as one line break, and a lone CR as a line break', () => {
    expect(tokenize(['a\r', '\nb\rc\r', '\r\nd'])).toEqual([
      [1, ['a']],
      [2, ['b']],
      [3, ['c']],
      [4, ['d']],
    ]);
  });

  it('supports other one-character delimiters', () => {
    expect(tokenize(['a;b\n"x;y";2\n'], ';')).toEqual([
      [1, ['a', 'b']],
      [2, ['x;y', '2']],
    ]);
    expect(tokenize(['a\tb\n1\t2\n'], '\t')[1]).toEqual([2, ['1', '2']]);
    expect(() => new CsvTokenizer(() => {}, '"')).toThrow(/delimiter/);
  });

  it('counts physical lines separately from rows in its errors', () => {
    const t = new CsvTokenizer(() => {});
    expect(() => t.write('a,b\n"multi\nline",ok\n1,2"x\n')).toThrow('row 3, column 2 (line 4)');
  });
});
