/**
 * @module data/transforms/expression
 * A small, safe arithmetic language for derived columns, parsed by recursive descent and
 * evaluated column-wise over Float64Arrays (never `eval`):
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '×' | '/' | '÷') unary)*
 *   unary   := '-' unary | primary
 *   primary := number | column | func '(' expr (',' expr)* ')' | '(' expr ')'
 *   column  := identifier ([A-Za-z_][A-Za-z0-9_.]*) | `any text` in backticks
 *   func    := log | exp | abs | min | max   (log is the natural logarithm; min/max take ≥ 2 arguments)
 *
 * A missing input gives a missing result, and so does any result that is not finite (division by
 * zero, log of a non-positive number), because downstream models treat NaN as missing.
 */
import { AppError } from '../../kernel/index.js';

export type Expression =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'column'; readonly name: string }
  | { readonly type: 'negate'; readonly argument: Expression }
  | { readonly type: 'binary'; readonly op: '+' | '-' | '*' | '/'; readonly left: Expression; readonly right: Expression }
  | { readonly type: 'call'; readonly fn: ExpressionFunction; readonly args: readonly Expression[] };

export type ExpressionFunction = 'log' | 'exp' | 'abs' | 'min' | 'max';

const FUNCTIONS: ReadonlySet<string> = new Set(['log', 'exp', 'abs', 'min', 'max']);
const MAX_LENGTH = 2000;
const MAX_DEPTH = 64;

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'name'; value: string; quoted: boolean; at: number }
  | { kind: 'op'; value: '+' | '-' | '*' | '/' | '(' | ')' | ','; at: number }
  | { kind: 'end'; at: number };

function syntaxError(source: string, at: number, what: string): AppError {
  return new AppError('INVALID_INPUT', {
    message: `Invalid expression at position ${at + 1}: ${what} in ${JSON.stringify(source)}`,
    details: { expression: source, position: at + 1 },
  });
}

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_.]*/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const rest = source.slice(i);
    const num = NUMBER.exec(rest);
    if (num !== null) {
      tokens.push({ kind: 'number', value: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident !== null) {
      tokens.push({ kind: 'name', value: ident[0], quoted: false, at: i });
      i += ident[0].length;
      continue;
    }
    if (ch === '`') {
      const close = source.indexOf('`', i + 1);
      if (close < 0) throw syntaxError(source, i, 'unclosed backtick');
      if (close === i + 1) throw syntaxError(source, i, 'empty column name');
      tokens.push({ kind: 'name', value: source.slice(i + 1, close), quoted: true, at: i });
      i = close + 1;
      continue;
    }
    const op = ch === '×' ? '*' : ch === '÷' ? '/' : ch === '−' ? '-' : ch;
    if (op === '+' || op === '-' || op === '*' || op === '/' || op === '(' || op === ')' || op === ',') {
      tokens.push({ kind: 'op', value: op, at: i });
      i++;
      continue;
    }
    throw syntaxError(source, i, `unexpected character ${JSON.stringify(ch)}`);
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}

class Parser {
  readonly source: string;
  readonly tokens: readonly Token[];
  #pos = 0;
  #depth = 0;

  constructor(source: string, tokens: readonly Token[]) {
    this.source = source;
    this.tokens = tokens;
  }

  parse(): Expression {
    const expr = this.#expr();
    const t = this.#peek();
    if (t.kind !== 'end') throw syntaxError(this.source, t.at, 'unexpected token after the end of the expression');
    return expr;
  }

  #peek(): Token {
    return this.tokens[this.#pos]!;
  }

  #isOp(value: string): boolean {
    const t = this.#peek();
    return t.kind === 'op' && t.value === value;
  }

  #expect(value: string): void {
    const t = this.#peek();
    if (t.kind !== 'op' || t.value !== value) throw syntaxError(this.source, t.at, `expected "${value}"`);
    this.#pos++;
  }

  #expr(): Expression {
    if (++this.#depth > MAX_DEPTH) throw syntaxError(this.source, this.#peek().at, 'expression nested too deeply');
    let left = this.#term();
    while (this.#isOp('+') || this.#isOp('-')) {
      const op = (this.tokens[this.#pos++] as { value: '+' | '-' }).value;
      left = { type: 'binary', op, left, right: this.#term() };
    }
    this.#depth--;
    return left;
  }

  #term(): Expression {
    let left = this.#unary();
    while (this.#isOp('*') || this.#isOp('/')) {
      const op = (this.tokens[this.#pos++] as { value: '*' | '/' }).value;
      left = { type: 'binary', op, left, right: this.#unary() };
    }
    return left;
  }

  #unary(): Expression {
    if (this.#isOp('-')) {
      this.#pos++;
      if (++this.#depth > MAX_DEPTH) throw syntaxError(this.source, this.#peek().at, 'expression nested too deeply');
      const argument = this.#unary();
      this.#depth--;
      return { type: 'negate', argument };
    }
    return this.#primary();
  }

  #primary(): Expression {
    const t = this.#peek();
    if (t.kind === 'number') {
      this.#pos++;
      return { type: 'number', value: t.value };
    }
    if (t.kind === 'name') {
      this.#pos++;
      if (!t.quoted && this.#isOp('(')) {
        if (!FUNCTIONS.has(t.value)) throw syntaxError(this.source, t.at, `unknown function "${t.value}" (known: log, exp, abs, min, max)`);
        this.#pos++;
        const args = [this.#expr()];
        while (this.#isOp(',')) {
          this.#pos++;
          args.push(this.#expr());
        }
        this.#expect(')');
        const fn = t.value as ExpressionFunction;
        const arity = fn === 'min' || fn === 'max' ? args.length >= 2 : args.length === 1;
        if (!arity) throw syntaxError(this.source, t.at, `${fn} takes ${fn === 'min' || fn === 'max' ? 'two or more arguments' : 'one argument'}`);
        return { type: 'call', fn, args };
      }
      return { type: 'column', name: t.value };
    }
    if (this.#isOp('(')) {
      this.#pos++;
      const inner = this.#expr();
      this.#expect(')');
      return inner;
    }
    throw syntaxError(this.source, t.at, t.kind === 'end' ? 'unexpected end of expression' : 'expected a number, column, function or "("');
  }
}

/**
 * Parses an expression into its syntax tree.
 * @throws AppError INVALID_INPUT with the 1-based position of the problem.
 * @example parseExpression('log(LIMIT_BAL + 1) / max(AGE, 18)')
 */
export function parseExpression(source: string): Expression {
  if (source.length > MAX_LENGTH) throw syntaxError(source.slice(0, 40), 0, `longer than ${MAX_LENGTH} characters`);
  return new Parser(source, tokenize(source)).parse();
}

/** Column names an expression reads, in first-use order. */
export function expressionColumns(expr: Expression): string[] {
  const names: string[] = [];
  const visit = (e: Expression): void => {
    switch (e.type) {
      case 'column':
        if (!names.includes(e.name)) names.push(e.name);
        break;
      case 'negate':
        visit(e.argument);
        break;
      case 'binary':
        visit(e.left);
        visit(e.right);
        break;
      case 'call':
        for (const a of e.args) visit(a);
        break;
      case 'number':
        break;
    }
  };
  visit(expr);
  return names;
}

/**
 * Evaluates `expr` for `rowCount` rows; `column(name)` supplies each referenced column.
 * Non-finite results become NaN (missing).
 */
export function evaluateExpression(expr: Expression, rowCount: number, column: (name: string) => Float64Array): Float64Array {
  const result = evaluate(expr, rowCount, column);
  for (let i = 0; i < rowCount; i++) if (!Number.isFinite(result[i]!)) result[i] = Number.NaN;
  return result;
}

function evaluate(expr: Expression, n: number, column: (name: string) => Float64Array): Float64Array {
  switch (expr.type) {
    case 'number':
      return new Float64Array(n).fill(expr.value);
    case 'column':
      return column(expr.name).slice();
    case 'negate': {
      const a = evaluate(expr.argument, n, column);
      for (let i = 0; i < n; i++) a[i] = -a[i]!;
      return a;
    }
    case 'binary': {
      const a = evaluate(expr.left, n, column);
      const b = evaluate(expr.right, n, column);
      switch (expr.op) {
        case '+':
          for (let i = 0; i < n; i++) a[i] = a[i]! + b[i]!;
          break;
        case '-':
          for (let i = 0; i < n; i++) a[i] = a[i]! - b[i]!;
          break;
        case '*':
          for (let i = 0; i < n; i++) a[i] = a[i]! * b[i]!;
          break;
        case '/':
          for (let i = 0; i < n; i++) a[i] = a[i]! / b[i]!;
          break;
      }
      return a;
    }
    case 'call': {
      const args = expr.args.map((a) => evaluate(a, n, column));
      const a = args[0]!;
      switch (expr.fn) {
        case 'log':
          for (let i = 0; i < n; i++) a[i] = Math.log(a[i]!);
          break;
        case 'exp':
          for (let i = 0; i < n; i++) a[i] = Math.exp(a[i]!);
          break;
        case 'abs':
          for (let i = 0; i < n; i++) a[i] = Math.abs(a[i]!);
          break;
        case 'min':
          for (const b of args.slice(1)) for (let i = 0; i < n; i++) a[i] = Math.min(a[i]!, b[i]!);
          break;
        case 'max':
          for (const b of args.slice(1)) for (let i = 0; i < n; i++) a[i] = Math.max(a[i]!, b[i]!);
          break;
      }
      return a;
    }
  }
}
