import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../kernel/index.js';
import { parseFilter } from './search-filter.js';

describe('the search filter language', () => {
  it('parses the issue examples', () => {
    expect(parseFilter('parents.trialName = X')).toEqual([{ field: { kind: 'parent', name: 'trialName' }, op: '=', value: 'X' }]);
    expect(parseFilter('parameters.eta = 0.2')).toEqual([{ field: { kind: 'parameter', name: 'eta' }, op: '=', value: 0.2 }]);
    expect(parseFilter('metrics.validation:auc > 0.78')).toEqual([{ field: { kind: 'metric', name: 'validation:auc', aggregate: 'last' }, op: '>', value: 0.78 }]);
    expect(parseFilter("metrics.`train.loss`.max <= 1e-3 AND params.objective = 'binary:logistic' and createdBy = user:alice")).toEqual([
      { field: { kind: 'metric', name: 'train.loss', aggregate: 'max' }, op: '<=', value: 0.001 },
      { field: { kind: 'parameter', name: 'objective' }, op: '=', value: 'binary:logistic' },
      { field: { kind: 'attribute', name: 'createdBy' }, op: '=', value: 'user:alice' },
    ]);
    expect(parseFilter('createdAt >= 2026-01-01 and startTime < "2026-02-01T00:00:00Z"').map((c) => c.value)).toEqual(['2026-01-01', '2026-02-01T00:00:00Z']);
    expect(parseFilter('  ')).toEqual([]);
    expect(parseFilter('tags.team != "credit risk"')[0]).toEqual({ field: { kind: 'tag', name: 'team' }, op: '!=', value: 'credit risk' });
    expect(parseFilter('name LIKE train%')[0]?.op).toBe('LIKE');
  });

  it.each([
    ['eta = 1', /unknown field "eta"/],
    ['parameters.eta', /expected an operator/],
    ['parameters.eta =', /expected a value/],
    ['metrics.auc > high', /metrics compare with numbers/],
    ['name = a or name = b', /expected AND/],
    ["name = 'open", /unterminated string/],
    ['createdAt > yesterday', /is not a date/],
    ['tags.x > 1', /only =, !=, LIKE and ILIKE/],
  ])('rejects %s with a clear message', (input, message) => {
    try {
      parseFilter(input);
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('INVALID_INPUT');
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/^Invalid filter at character \d+: /);
    }
  });

  it('either parses or fails with INVALID_INPUT, for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (input) => {
        try {
          parseFilter(input);
        } catch (error) {
          expect(isAppError(error) && error.code).toBe('INVALID_INPUT');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips generated clauses', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.constantFrom('=', '!=', '<', '<=', '>', '>='), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })), { minLength: 1, maxLength: 4 }), (clauses) => {
        const text = clauses.map(([n, op, v]) => `parameters.${n} ${op} ${v}`).join(' and ');
        const parsed = parseFilter(text);
        expect(parsed.map((c) => [c.field.kind === 'parameter' ? c.field.name : '', c.op, c.value])).toEqual(clauses.map(([n, op, v]) => [n, op, Object.is(v, -0) ? 0 : v]));
      }),
    );
  });
});
