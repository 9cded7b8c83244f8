/**
 * @module tracking/search-filter
 * The search filter language (SageMaker Search / MLflow style): clauses joined by AND,
 * `FIELD OP VALUE`, with OP one of = != < <= > >= LIKE ILIKE (both case-insensitive), or
 * `FIELD IN ('a', 'b')` / `NOT IN (…)` for attributes and parameters. Fields: `id` (MLflow's
 * `run_id`), `name`, `type`, `status`,
 * `createdBy`, `createdAt`, `startTime`, `endTime`, `parameters.NAME` (alias `params.NAME`),
 * `metrics.NAME` (the metric's last value: highest step, then latest timestamp), `metrics.NAME.max` /
 * `.min`, `tags.KEY`, `parents.trialName`, `parents.trialId`, `parents.experimentName`,
 * `parents.experimentId`. Names with spaces or dots go in backticks: metrics.`validation:auc`.
 * Values are numbers or quoted strings ('…' or "…"); a bare word is a string.
 */
import { AppError } from '../kernel/index.js';

export const FILTER_OPS = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export type FilterField =
  | { kind: 'attribute'; name: 'id' | 'name' | 'type' | 'status' | 'createdBy' | 'createdAt' | 'startTime' | 'endTime' }
  | { kind: 'parameter'; name: string }
  | { kind: 'metric'; name: string; aggregate: 'last' | 'min' | 'max' }
  | { kind: 'tag'; name: string }
  | { kind: 'parent'; name: 'trialName' | 'trialId' | 'experimentName' | 'experimentId' };

export interface FilterClause {
  field: FilterField;
  op: FilterOp;
  /** A list only for IN and NOT IN. */
  value: string | number | readonly (string | number)[];
}

const ATTRIBUTES: Readonly<Record<string, Extract<FilterField, { kind: 'attribute' }>['name']>> = {
  id: 'id',
  run_id: 'id',
  run_uuid: 'id',
  name: 'name',
  trialname: 'name',
  run_name: 'name',
  type: 'type',
  status: 'status',
  createdby: 'createdBy',
  creator: 'createdBy',
  user_id: 'createdBy',
  createdat: 'createdAt',
  creationtime: 'createdAt',
  creation_time: 'createdAt',
  starttime: 'startTime',
  start_time: 'startTime',
  endtime: 'endTime',
  end_time: 'endTime',
};
const PARENTS: Readonly<Record<string, Extract<FilterField, { kind: 'parent' }>['name']>> = {
  trialname: 'trialName',
  trialid: 'trialId',
  experimentname: 'experimentName',
  experimentid: 'experimentId',
};

function fail(message: string, position: number): never {
  throw new AppError('INVALID_INPUT', { message: `Invalid filter at character ${position + 1}: ${message}`, details: { position } });
}

interface Token {
  kind: 'word' | 'string' | 'number' | 'op' | 'dot' | 'quoted-name' | 'open' | 'close' | 'comma';
  text: string;
  position: number;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"' || ch === '`') {
      let text = '';
      i++;
      while (i < input.length && input[i] !== ch) {
        if (input[i] === '\\' && i + 1 < input.length) i++;
        text += input[i];
        i++;
      }
      if (i >= input.length) fail(`unterminated ${ch === '`' ? 'name' : 'string'} starting here`, start);
      i++;
      tokens.push({ kind: ch === '`' ? 'quoted-name' : 'string', text, position: start });
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '<>') {
      tokens.push({ kind: 'op', text: two === '<>' ? '!=' : two, position: start });
      i += 2;
      continue;
    }
    if (ch === '=' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', text: ch, position: start });
      i++;
      continue;
    }
    if (ch === '.') {
      tokens.push({ kind: 'dot', text: '.', position: start });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch === '(' ? 'open' : ch === ')' ? 'close' : 'comma', text: ch, position: start });
      i++;
      continue;
    }
    const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?(?![A-Za-z0-9_:-])/.exec(input.slice(i));
    const previous = tokens[tokens.length - 1]?.kind;
    if (number && (previous === 'op' || previous === 'open' || previous === 'comma')) {
      tokens.push({ kind: 'number', text: number[0], position: start });
      i += number[0].length;
      continue;
    }
    // A bare value (right after an operator) runs to the next space: dates, versions, `eta-0.1`.
    const afterOp = tokens.length > 0 && tokens[tokens.length - 1]!.kind === 'op';
    const word = (afterOp ? /^[^\s'"`(),]+/ : /^[A-Za-z0-9_:/+-][A-Za-z0-9_:/+\-@]*/).exec(input.slice(i));
    if (!word) fail(`unexpected character "${ch}"`, start);
    const upper = word[0].toUpperCase();
    const last = tokens[tokens.length - 1];
    if (!afterOp && upper === 'IN' && last?.kind === 'word' && last.text.toUpperCase() === 'NOT') {
      tokens[tokens.length - 1] = { kind: 'op', text: 'NOT IN', position: last.position };
    } else {
      const isOp = !afterOp && (upper === 'LIKE' || upper === 'ILIKE' || upper === 'IN');
      tokens.push({ kind: isOp ? 'op' : 'word', text: isOp ? upper : word[0], position: start });
    }
    i += word[0].length;
  }
  return tokens;
}

/** Parses a filter expression; an empty string means "everything". */
export function parseFilter(input: string): FilterClause[] {
  const tokens = tokenize(input);
  const clauses: FilterClause[] = [];
  let i = 0;
  const peek = () => tokens[i];
  while (i < tokens.length) {
    if (clauses.length > 0) {
      const and = peek();
      if (and?.kind !== 'word' || and.text.toUpperCase() !== 'AND') fail(`expected AND between clauses${and ? `, found "${and.text}"` : ''} (only AND is supported)`, and?.position ?? input.length);
      i++;
    }
    const first = peek();
    if (!first || (first.kind !== 'word' && first.kind !== 'quoted-name')) fail('expected a field name', first?.position ?? input.length);
    const parts: string[] = [first.text];
    i++;
    while (peek()?.kind === 'dot') {
      i++;
      const next = peek();
      if (!next || (next.kind !== 'word' && next.kind !== 'quoted-name' && next.kind !== 'number')) fail('expected a name after "."', next?.position ?? input.length);
      parts.push(next.text.replace(/^\./, ''));
      i++;
    }
    const field = resolveField(parts, first.position);
    const opToken = peek();
    let op: FilterOp;
    if (opToken?.kind === 'op') op = opToken.text as FilterOp;
    else fail(`expected an operator (${FILTER_OPS.join(' ')}) after ${parts.join('.')}`, opToken?.position ?? input.length);
    i++;
    const valueToken = peek();
    if (op === 'IN' || op === 'NOT IN') {
      if (valueToken?.kind !== 'open') fail(`expected a list in parentheses after ${op}: ('a', 'b')`, valueToken?.position ?? input.length);
      i++;
      const values: (string | number)[] = [];
      for (;;) {
        const item = peek();
        if (!item || (item.kind !== 'string' && item.kind !== 'number' && item.kind !== 'word')) fail(`expected a value in the ${op} list`, item?.position ?? input.length);
        values.push(item.kind === 'number' ? Number(item.text) : item.text);
        i++;
        const sep = peek();
        i++;
        if (sep?.kind === 'close') break;
        if (sep?.kind !== 'comma') fail(`expected "," or ")" in the ${op} list`, sep?.position ?? input.length);
      }
      if (field.kind !== 'attribute' && field.kind !== 'parameter') fail(`${op} applies to attributes and parameters`, valueToken.position);
      clauses.push({ field, op, value: values });
      continue;
    }
    if (!valueToken || valueToken.kind === 'op' || valueToken.kind === 'dot' || valueToken.kind === 'open' || valueToken.kind === 'close' || valueToken.kind === 'comma') fail(`expected a value after ${op}`, valueToken?.position ?? input.length);
    i++;
    const value = valueToken.kind === 'number' ? Number(valueToken.text) : valueToken.text;
    checkClause(field, op, value, valueToken.position);
    clauses.push({ field, op, value });
  }
  return clauses;
}

function resolveField(parts: string[], position: number): FilterField {
  const [head, ...rest] = parts;
  const key = head!.toLowerCase();
  const restName = rest.join('.');
  if ((key === 'parameters' || key === 'params') && rest.length > 0) return { kind: 'parameter', name: restName };
  if (key === 'metrics' && rest.length > 0) {
    const last = rest[rest.length - 1]!.toLowerCase();
    if (rest.length > 1 && (last === 'max' || last === 'min' || last === 'last')) return { kind: 'metric', name: rest.slice(0, -1).join('.'), aggregate: last };
    return { kind: 'metric', name: restName, aggregate: 'last' };
  }
  if (key === 'tags' && rest.length > 0) return { kind: 'tag', name: restName };
  if (key === 'parents' && rest.length === 1) {
    const p = PARENTS[rest[0]!.toLowerCase()];
    if (p) return { kind: 'parent', name: p };
  }
  if (key === 'attributes' && rest.length === 1) {
    const a = ATTRIBUTES[rest[0]!.toLowerCase()];
    if (a) return { kind: 'attribute', name: a };
  }
  if (rest.length === 0) {
    const a = ATTRIBUTES[key];
    if (a) return { kind: 'attribute', name: a };
    const p = PARENTS[key];
    if (p) return { kind: 'parent', name: p };
  }
  fail(`unknown field "${parts.join('.')}"; use id, name, type, status, createdBy, createdAt, startTime, endTime, parameters.X, metrics.X, tags.X or parents.trialName|trialId|experimentName|experimentId`, position);
}

function checkClause(field: FilterField, op: FilterOp, value: string | number, position: number): void {
  if (field.kind === 'metric' && typeof value !== 'number') fail(`metrics compare with numbers, got "${value}"`, position);
  if (field.kind === 'metric' && (op === 'LIKE' || op === 'ILIKE')) fail(`${op} does not apply to metrics`, position);
  if (field.kind === 'tag' && op !== '=' && op !== '!=' && op !== 'LIKE' && op !== 'ILIKE') fail('tags support only =, !=, LIKE and ILIKE', position);
  if (field.kind === 'parent' && op !== '=' && op !== '!=') fail('parents support only = and !=', position);
  if (field.kind === 'attribute' && ['createdAt', 'startTime', 'endTime'].includes(field.name)) {
    if (op === 'LIKE' || op === 'ILIKE') fail(`${op} does not apply to times`, position);
    // new Date(n) is invalid beyond ±8.64e15 ms: such a time would fail later, deep in the query.
    if (Number.isNaN(new Date(typeof value === 'number' ? value : Date.parse(value)).getTime())) fail(`"${value}" is not a date (use ISO-8601, or milliseconds since the epoch)`, position);
  }
}
