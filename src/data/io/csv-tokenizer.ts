/**
 * @module data/io/csv-tokenizer
 * A streaming RFC 4180 tokenizer over decoded text. We wrote our own instead of using csv-parse:
 * on the 30,000 × 25 credit file it tokenizes about 7× faster (≈20 ms against ≈150 ms, measured
 * on this machine), which matters for the 1 GB import goal, and it knows the exact record and
 * field where input goes wrong, so every error names a row and a column.
 *
 * Grammar (RFC 4180 §2): fields separated by the delimiter, records by CRLF, LF or a lone CR;
 * a field is either unquoted (no quote character inside) or enclosed in double quotes, with `""`
 * standing for one quote and line breaks allowed inside. Completely empty lines are skipped.
 */
import { AppError } from '../../kernel/index.js';

/**
 * Receives each record's fields and its 1-based row number (the header is row 1). The array is
 * reused for the next record: copy what must outlive the call.
 */
export type CsvRecordHandler = (fields: readonly string[], row: number) => void;

/** Longest field accepted, in UTF-16 code units. */
export const MAX_FIELD_CHARS = 16 << 20;

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Tokenizer states (plain numbers: a hot loop switches on them). */
const State = {
  /** At the start of a field. */
  FieldStart: 0,
  /** Inside an unquoted field. */
  Unquoted: 1,
  /** Inside a quoted field. */
  Quoted: 2,
  /** Just read a quote inside a quoted field: an escaped quote or the closing quote. */
  QuoteInQuoted: 3,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * Feeds text chunks in order with {@link CsvTokenizer.write}, then {@link CsvTokenizer.end}.
 * Chunks may split records, fields, quote pairs and CRLF anywhere.
 * @example
 * const t = new CsvTokenizer((fields, row) => rows.push(fields));
 * t.write('a,b\n1,'); t.write('"x""y"\n'); t.end();
 */
export class CsvTokenizer {
  readonly #onRecord: CsvRecordHandler;
  readonly #delimiter: number;
  #state: State = State.FieldStart;
  #fields: string[] = [];
  /** Text of the current field carried over from earlier chunks. */
  #carry = '';
  /** Set after a CR so that an LF that follows (possibly in the next chunk) is not a second record end. */
  #afterCr = false;
  #row = 1;
  /** 1-based physical line, for messages about records that span lines. */
  #line = 1;
  #columnNames: readonly string[] | undefined;

  constructor(onRecord: CsvRecordHandler, delimiter = ',') {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new AppError('INVALID_INPUT', { message: `CSV delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}` });
    }
    this.#onRecord = onRecord;
    this.#delimiter = delimiter.charCodeAt(0);
  }

  /** Row number of the record being read (header = 1). */
  get row(): number {
    return this.#row;
  }

  /** 1-based index of the field being read within the current record. */
  get column(): number {
    return this.#fields.length + 1;
  }

  /**
   * Header names: used in error messages, and to stop a record as soon as it has more fields
   * than the header, instead of collecting them all.
   */
  setColumnNames(names: readonly string[]): void {
    this.#columnNames = names;
  }

  #push(value: string): void {
    const names = this.#columnNames;
    if (names !== undefined && this.#fields.length === names.length) {
      this.#fail(`expected ${names.length} fields as in the header, found more (an extra field)`);
    }
    this.#fields.push(value);
  }

  /** Tokenizes one chunk of text. */
  write(text: string): void {
    const n = text.length;
    const delim = this.#delimiter;
    let i = 0;
    if (this.#afterCr && n > 0) {
      this.#afterCr = false;
      if (text.charCodeAt(0) === LF) i = 1;
    }
    let start = i;
    let state = this.#state;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      switch (state) {
        case State.FieldStart:
          if (c === QUOTE) {
            state = State.Quoted;
            start = i + 1;
          } else if (c === delim) {
            this.#push('');
            start = i + 1;
          } else if (c === LF || c === CR) {
            // A line with nothing on it is skipped; after a delimiter, the last field is empty.
            const blank = this.#fields.length === 0;
            if (!blank) this.#push('');
            i = this.#endLine(text, i, blank);
            start = i + 1;
          } else {
            state = State.Unquoted;
            start = i;
          }
          break;
        case State.Unquoted:
          if (c === delim) {
            this.#push(this.#take(text, start, i));
            state = State.FieldStart;
            start = i + 1;
          } else if (c === LF || c === CR) {
            this.#push(this.#take(text, start, i));
            i = this.#endLine(text, i, false);
            state = State.FieldStart;
            start = i + 1;
          } else if (c === QUOTE) {
            this.#fail('a quote inside an unquoted field (quote the whole field and double the quote)');
          }
          break;
        case State.Quoted:
          if (c === QUOTE) {
            this.#carry += text.slice(start, i);
            state = State.QuoteInQuoted;
          } else if (c === LF) {
            this.#line++;
          }
          break;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            // "" inside a quoted field is one literal quote (RFC 4180 §2.7).
            state = State.Quoted;
            start = i;
          } else if (c === delim) {
            this.#push(this.#take(text, i, i));
            state = State.FieldStart;
            start = i + 1;
          } else if (c === LF || c === CR) {
            this.#push(this.#take(text, i, i));
            i = this.#endLine(text, i, false);
            state = State.FieldStart;
            start = i + 1;
          } else {
            this.#fail('text after the closing quote of a quoted field');
          }
          break;
      }
    }
    // Keep the unfinished field for the next chunk.
    if (state === State.Unquoted || state === State.Quoted) this.#carry += text.slice(start, n);
    this.#state = state;
    // Bounded memory: an unclosed quote would otherwise gather the rest of a large file.
    if (this.#carry.length > MAX_FIELD_CHARS) {
      this.#fail(`a field longer than ${MAX_FIELD_CHARS / (1 << 20)} Mi characters${state === State.Quoted ? ' (is a closing quote missing?)' : ''}`);
    }
  }

  /** Flushes the last record; throws if the input ends inside a quoted field. */
  end(): void {
    switch (this.#state) {
      case State.Quoted:
        this.#fail('the file ends inside a quoted field (a closing quote is missing)');
        break;
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.#push(this.#take('', 0, 0));
        this.#emit();
        break;
      case State.FieldStart:
        // After a delimiter at the very end of the input there is one more, empty, field.
        if (this.#fields.length > 0) {
          this.#push('');
          this.#emit();
        }
        break;
    }
    this.#state = State.FieldStart;
  }

  #take(text: string, start: number, end: number): string {
    if (this.#carry === '') return text.slice(start, end);
    const value = this.#carry + text.slice(start, end);
    this.#carry = '';
    return value;
  }

  /** Ends the record at a line break at `i`; returns the index of the last character consumed. */
  #endLine(text: string, i: number, blank: boolean): number {
    this.#line++;
    if (!blank) this.#emit();
    if (text.charCodeAt(i) === CR) {
      if (i + 1 < text.length) {
        if (text.charCodeAt(i + 1) === LF) return i + 1;
      } else {
        this.#afterCr = true;
      }
    }
    return i;
  }

  #emit(): void {
    // One array serves every record (see CsvRecordHandler), which saves an allocation per row.
    this.#onRecord(this.#fields, this.#row);
    this.#fields.length = 0;
    this.#row++;
  }

  #fail(what: string): never {
    const column = this.column;
    const name = this.#columnNames?.[column - 1];
    const label = name === undefined ? `column ${column}` : `column ${column} ("${name}")`;
    throw new AppError('CSV_MALFORMED', {
      message: `CSV malformed at row ${this.#row}, ${label} (line ${this.#line}): ${what}`,
      details: { row: this.#row, column, ...(name === undefined ? {} : { columnName: name }), line: this.#line },
    });
  }
}
