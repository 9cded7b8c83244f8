/**
 * @module data/schema/type-inference
 * Parsing of CSV cells into logical types, and the one-pass type inference over a column's
 * values. Each non-empty value narrows a set of candidate types; the column's type is the most
 * specific candidate left: boolean, then integer, then fractional, then datetime, else string.
 * Integers must be exact in float64 (|v| ≤ 2^53 − 1), otherwise they count as fractional.
 */
import type { LogicalType } from './data-schema.js';

const BOOLEAN = 1;
const INTEGER = 2;
const FRACTIONAL = 4;
const DATETIME = 8;
const ALL = BOOLEAN | INTEGER | FRACTIONAL | DATETIME;

// ISO 8601 calendar date, optionally with a time (T or space), fraction and zone offset.
const DATETIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The integer `text` denotes, or NaN if it is not an exact integer literal. */
export function parseInteger(text: string): number {
  return (numericCandidates(text) & INTEGER) === 0 ? Number.NaN : Number(text);
}

/** The finite number `text` denotes (decimal or exponent notation), or NaN. */
export function parseFractional(text: string): number {
  return numericCandidates(text) === 0 ? Number.NaN : Number(text);
}

/** 1 for `true`, 0 for `false` (any letter case), NaN otherwise. */
export function parseBoolean(text: string): number {
  if (text.length === 4 && text.toLowerCase() === 'true') return 1;
  if (text.length === 5 && text.toLowerCase() === 'false') return 0;
  return Number.NaN;
}

/**
 * Epoch milliseconds (UTC) of an ISO 8601 date or date-time, or NaN. A value without a zone is
 * taken as UTC, so the same text gives the same instant on every machine.
 */
export function parseDatetime(text: string): number {
  const m = DATETIME_PATTERN.exec(text);
  if (m === null) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-9);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 31 April over to 1 May; reject such dates instead.
  if (new Date(ms).getUTCDate() !== day) return Number.NaN;
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return ms;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
  return ms - sign * offsetMinutes * 60_000;
}

/** Parses a non-empty cell as `type`; NaN when it does not conform. */
export function parseCell(text: string, type: Exclude<LogicalType, 'string'>): number {
  switch (type) {
    case 'integer':
      return parseInteger(text);
    case 'fractional':
      return parseFractional(text);
    case 'boolean':
      return parseBoolean(text);
    case 'datetime':
      return parseDatetime(text);
  }
}

/**
 * INTEGER | FRACTIONAL for an integer literal, FRACTIONAL for other decimal literals, else 0.
 * Grammar: `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`. A hand-written scan
 * rather than a regular expression because it runs once per cell during import.
 */
function digitsEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

function numericCandidates(text: string): number {
  const n = text.length;
  const first = text.charCodeAt(0);
  const intStart = first === 43 || first === 45 ? 1 : 0;
  let i = digitsEnd(text, intStart);
  const intDigits = i - intStart;
  if (i === n) {
    if (intDigits === 0) return 0;
    // Up to 15 digits always fit exactly in a float64; longer literals are checked.
    return intDigits <= 15 || Number.isSafeInteger(Number(text)) ? INTEGER | FRACTIONAL : FRACTIONAL;
  }
  let fracDigits = 0;
  if (text.charCodeAt(i) === 46) {
    const fracEnd = digitsEnd(text, i + 1);
    fracDigits = fracEnd - i - 1;
    i = fracEnd;
  }
  if (intDigits + fracDigits === 0) return 0;
  const e = text.charCodeAt(i);
  if (i < n && (e === 101 || e === 69)) {
    const sign = text.charCodeAt(i + 1);
    const expStart = sign === 43 || sign === 45 ? i + 2 : i + 1;
    i = digitsEnd(text, expStart);
    if (i === expStart) return 0;
  }
  if (i !== n) return 0;
  return Number.isFinite(Number(text)) ? FRACTIONAL : 0;
}

function candidatesOf(text: string): number {
  const c = text.charCodeAt(0);
  // Cheap dispatch on the first character keeps the common string case free of regex work.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    const mask = numericCandidates(text);
    if (mask !== 0) return mask;
    return text.length >= 10 && text.charCodeAt(4) === 45 && !Number.isNaN(parseDatetime(text)) ? DATETIME : 0;
  }
  if (c === 116 || c === 84 || c === 102 || c === 70) return Number.isNaN(parseBoolean(text)) ? 0 : BOOLEAN;
  return 0;
}

/**
 * A column whose non-missing values are numbers but for at most this fraction is taken to be a
 * numeric column with a stray value (a typo, a "n/a" marker) rather than a text column.
 */
export const STRAY_TEXT_MAX_FRACTION = 0.01;

/** A non-number in a column that is otherwise numeric: its text and 0-based record index. */
export interface StrayText {
  readonly text: string;
  readonly index: number;
  /** Non-missing values that are numbers. */
  readonly numeric: number;
  readonly present: number;
}

/**
 * Infers one column's logical type from its values in a single pass, and remembers the first
 * value that is not a number, so a mostly numeric column can be reported instead of silently
 * becoming text ({@link TypeInference.strayText}).
 * @example
 * const t = new TypeInference(); for (const v of ['1', '2.5', '']) t.observe(v); t.type // 'fractional'
 */
export class TypeInference {
  #mask = ALL;
  #present = 0;
  #missing = 0;
  #numeric = 0;
  #firstText: string | undefined;
  #firstTextIndex = -1;

  #candidates(text: string): number {
    const candidates = candidatesOf(text);
    if (candidates & FRACTIONAL) this.#numeric++;
    else if (this.#firstTextIndex < 0) {
      this.#firstText = text;
      this.#firstTextIndex = this.#present + this.#missing;
    }
    this.#present++;
    return candidates;
  }

  /** Observes one raw cell; the empty string is a missing value. */
  observe(text: string): void {
    if (text === '') {
      this.#missing++;
      return;
    }
    this.#mask &= this.#candidates(text);
  }

  /**
   * Observes one raw cell and returns its numeric reading (a number, 0/1 for a boolean, epoch
   * milliseconds for a datetime), or NaN when it is missing or has none. Once the column can
   * only be a string column, values are no longer parsed (only told apart as number or not).
   */
  observeValue(text: string): number {
    if (text === '') {
      this.#missing++;
      return Number.NaN;
    }
    const wasString = this.#mask === 0;
    const candidates = this.#candidates(text);
    if (wasString) return Number.NaN;
    this.#mask &= candidates;
    if (candidates & FRACTIONAL) return Number(text);
    if (candidates & BOOLEAN) return parseBoolean(text);
    if (candidates & DATETIME) return parseDatetime(text);
    return Number.NaN;
  }

  /**
   * The first non-number of a column inferred as text although at least 99% of its non-missing
   * values are numbers (at most {@link STRAY_TEXT_MAX_FRACTION} are not); undefined otherwise.
   */
  get strayText(): StrayText | undefined {
    if (this.type !== 'string' || this.#firstText === undefined) return undefined;
    if (this.#present - this.#numeric > STRAY_TEXT_MAX_FRACTION * this.#present) return undefined;
    return { text: this.#firstText, index: this.#firstTextIndex, numeric: this.#numeric, present: this.#present };
  }

  /** True once a value has ruled out every type but string. */
  get isString(): boolean {
    return this.#mask === 0;
  }

  /** Number of non-missing values seen. */
  get present(): number {
    return this.#present;
  }

  get missing(): number {
    return this.#missing;
  }

  /** The inferred type; a column with no values at all is a string column. */
  get type(): LogicalType {
    const mask = this.#mask;
    if (this.#present === 0) return 'string';
    if (mask & BOOLEAN) return 'boolean';
    if (mask & INTEGER) return 'integer';
    if (mask & FRACTIONAL) return 'fractional';
    if (mask & DATETIME) return 'datetime';
    return 'string';
  }
}
