import { describe, expect, it } from 'vitest';
import { AppError, canonicalJson, createRandom, exitCodeOf, httpStatusOf, newId, toAppError } from './index.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys, drops undefined members and has no white space', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, d: { z: 1.5, y: -0 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"d":{"y":0,"z":1.5}}',
    );
  });
  it('rejects non-finite numbers', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });
  it('serialises numbers in shortest round-trip form', () => {
    expect(canonicalJson([1e21, 0.1, 123456789012345680000])).toBe('[1e+21,0.1,123456789012345680000]');
  });
});

describe('errors', () => {
  it('maps kinds to HTTP status and exit codes once', () => {
    const e = new AppError('KEY_DISABLED');
    expect(httpStatusOf(e)).toBe(412);
    expect(exitCodeOf(e)).toBe(5);
    expect(e.toJSON().error.code).toBe('KEY_DISABLED');
    expect(toAppError(new Error('boom')).code).toBe('INTERNAL');
  });
});

describe('ids and random', () => {
  it('makes prefixed unguessable ids', () => {
    const id = newId('art');
    expect(id).toMatch(/^art_[a-z2-7]{32}$/);
    expect(newId('art')).not.toBe(id);
  });
  it('is deterministic per seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(createRandom(43).nextUint32()).not.toBe(xs[0]);
    const r = createRandom(1);
    for (let i = 0; i < 1000; i++) {
      const v = r.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});

describe('docs/errors.md', () => {
  it('lists every code in the catalogue (regenerate with npx tsx scripts/generate-error-docs.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const { ERROR_CATALOGUE } = await import('./errors.js');
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(doc).toContain(`| \`${code}\` |`);
  });
});
