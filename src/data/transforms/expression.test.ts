import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import { evaluateExpression, expressionColumns, parseExpression } from './expression.js';

const columns: Record<string, Float64Array> = {
  a: Float64Array.from([1, 2, Number.NaN, 4]),
  b: Float64Array.from([2, 0, 1, -1]),
  'odd name': Float64Array.from([10, 20, 30, 40]),
};
const lookup = (name: string): Float64Array => {
  const c = columns[name];
  if (c === undefined) throw new Error(`no column ${name}`);
  return c;
};
const run = (source: string): number[] => Array.from(evaluateExpression(parseExpression(source), 4, lookup));

describe('derived-column expressions', () => {
  it('follows precedence, unary minus and parentheses', () => {
    expect(run('1 + 2 * 3 - -4')).toEqual([11, 11, 11, 11]);
    expect(run('(1 + 2) × 3 ÷ 2')).toEqual([4.5, 4.5, 4.5, 4.5]);
    expect(run('2 - 3 - 4')).toEqual([-5, -5, -5, -5]);
    expect(run('8 / 4 / 2')).toEqual([1, 1, 1, 1]);
  });

  it('reads columns, including backtick-quoted names, and propagates missing values', () => {
    expect(run('a * b + `odd name`')).toEqual([12, 20, Number.NaN, 36]);
    expect(expressionColumns(parseExpression('a * b + `odd name` + a'))).toEqual(['a', 'b', 'odd name']);
  });

  it('has log, exp, abs, min and max; non-finite results are missing', () => {
    expect(run('log(exp(2))')).toEqual([2, 2, 2, 2]);
    expect(run('abs(b)')).toEqual([2, 0, 1, 1]);
    expect(run('max(a, b, 3)')).toEqual([3, 3, Number.NaN, 4]);
    expect(run('min(a, b)')).toEqual([1, 0, Number.NaN, -1]);
    expect(run('a / b')).toEqual([0.5, Number.NaN, Number.NaN, -4]);
    expect(run('log(b)')).toEqual([Math.log(2), Number.NaN, 0, Number.NaN]);
  });

  it('rejects anything else with the position of the problem', () => {
    const cases: [string, number][] = [
      ['a +', 4],
      ['(a', 3],
      ['a b', 3],
      ['sqrt(a)', 1],
      ['log(a, b)', 1],
      ['min(a)', 1],
      ['process.exit()', 1],
      ['a; b', 2],
      ['`unclosed', 1],
      ['"a"', 1],
    ];
    for (const [source, position] of cases) {
      let error: unknown;
      try {
        parseExpression(source);
      } catch (e) {
        error = e;
      }
      expect(error, source).toBeInstanceOf(AppError);
      expect((error as AppError).details.position, source).toBe(position);
    }
    expect(() => parseExpression(`${'('.repeat(200)}1${')'.repeat(200)}`)).toThrow(/nested too deeply/);
  });

  it('agrees with JavaScript arithmetic on random sums and products', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 8 }), fc.array(fc.constantFrom('+', '-', '*'), { minLength: 8, maxLength: 8 }), (nums, ops) => {
        let source = String(nums[0]);
        for (let i = 1; i < nums.length; i++) source += ` ${ops[i]} (${nums[i]})`;
        // Reference: fold the products first, then add and subtract left to right.
        const terms: number[] = [nums[0]!];
        const signs: number[] = [1];
        for (let i = 1; i < nums.length; i++) {
          if (ops[i] === '*') terms[terms.length - 1] = terms.at(-1)! * nums[i]!;
          else {
            terms.push(nums[i]!);
            signs.push(ops[i] === '+' ? 1 : -1);
          }
        }
        const expected = terms.reduce((acc, t, k) => (k === 0 ? t : acc + signs[k]! * t), 0);
        expect(evaluateExpression(parseExpression(source), 1, lookup)[0]).toBe(expected);
      }),
    );
  });
});
