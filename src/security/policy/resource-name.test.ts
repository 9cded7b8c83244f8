import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_CATALOGUE, ACTION_SERVICES, ActionName, formatResourceName, isCatalogueAction, parseResourceName, projectOf, tryParseResourceName } from './index.js';

describe('resource names', () => {
  it.each([
    ['attest:credit-risk:dataset/ds_abc', { project: 'credit-risk', type: 'dataset', id: 'ds_abc' }],
    ['attest::user/usr_x', { project: '', type: 'user', id: 'usr_x' }],
    ['attest::token/usr_x/k3f9a2bc', { project: '', type: 'token', id: 'usr_x/k3f9a2bc' }],
    ['attest:p1:dataset/*', { project: 'p1', type: 'dataset', id: '*' }],
    ['attest::token/usr_x/*', { project: '', type: 'token', id: 'usr_x/*' }],
  ])('parses %s', (name, parts) => {
    expect(parseResourceName(name)).toEqual(parts);
    expect(formatResourceName(parts)).toBe(name);
  });

  it.each(['arn:aws:s3:::b', 'attest:Credit:dataset/x', 'attest:-p:dataset/x', 'attest:p:Dataset/x', 'attest:p:dataset/', 'attest:p:dataset/a//b', 'attest:p:dataset/a b', 'attest:p:q:dataset/x', 'attest:p:dataset/a*b'])(
    'rejects %s',
    (name) => {
      expect(tryParseResourceName(name)).toBeUndefined();
      expect(() => parseResourceName(name)).toThrow(/Not a resource name/);
    },
  );

  it('round-trips generated names', () => {
    const project = fc.stringMatching(/^(?:[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?)?$/);
    const type = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    const id = fc.stringMatching(/^[A-Za-z0-9._@+=,-]{1,12}(?:\/[A-Za-z0-9._-]{1,6}){0,2}$/);
    fc.assert(
      fc.property(project, type, id, (p, t, i) => {
        const name = formatResourceName({ project: p, type: t, id: i });
        expect(parseResourceName(name)).toEqual({ project: p, type: t, id: i });
        expect(projectOf(name)).toBe(p);
      }),
    );
  });
});

describe('action catalogue', () => {
  it('covers the services and verbs the product exposes', () => {
    for (const a of ['artifact:SetLegalHold', 'key:ScheduleDeletion', 'key:Rewrap', 'audit:Export', 'policy:Simulate', 'model:Approve', 'model:Explain', 'bias:Run', 'lineage:Read', 'config:Write']) {
      expect(isCatalogueAction(a), a).toBe(true);
    }
    expect(isCatalogueAction('model:approve')).toBe(false);
    expect(ActionName.safeParse('key:Encrypt').success).toBe(true);
    expect(ActionName.safeParse('key:Steal').success).toBe(false);
  });
  it('gives every action a resource template that parses once filled in', () => {
    for (const [name, info] of ACTION_CATALOGUE) {
      const r = info.resource.replaceAll('{project}', 'p').replaceAll('{owner}', 'usr_a').replaceAll('{id}', 'x');
      const parsed = tryParseResourceName(r);
      expect(parsed, name).toBeDefined();
      expect(parsed!.project === '', name).toBe(info.scope === 'installation' || name === 'project:List');
    }
  });
  it('is documented in full in docs/policy-language.md', () => {
    const doc = readFileSync(new URL('../../../docs/policy-language.md', import.meta.url), 'utf8');
    for (const service of ACTION_SERVICES) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${service}\` |`));
      expect(row, service).toBeDefined();
      const verbs = row!.split('|')[2]!.split(',').map((v) => v.replace(/\\\*/g, '').replace(/†/g, '').trim());
      const expected = [...ACTION_CATALOGUE.values()].filter((i) => i.service === service);
      expect(verbs, service).toEqual(expected.map((i) => i.verb));
      for (const [i, info] of expected.entries()) expect(row!.split('|')[2]!.split(',')[i]!.includes('\\*'), `${service}:${info.verb}`).toBe(!['List', 'Read'].includes(info.access));
      // † marks the checker actions (separation of duties).
      for (const [i, info] of expected.entries()) expect(row!.split('|')[2]!.split(',')[i]!.includes('†'), `${service}:${info.verb} †`).toBe(info.checker);
    }
  });
});
