/**
 * The OpenAPI document as a contract: exported from the real server, checked here for what
 * generated clients need (operationId, summary, success and error schemas, security, the project
 * header, servers), linted with Redocly's recommended ruleset (zero errors), and turned into a
 * client with openapi-typescript that must compile under `--strict` with every success response
 * typed. The external tools are devDependencies; their steps are skipped only when absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const hasRedocly = existsSync(join(BIN, 'redocly'));
const hasGenerator = existsSync(join(BIN, 'openapi-typescript')) && existsSync(join(BIN, 'tsc'));

interface Operation {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Spec = { servers?: unknown[]; paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI document as a contract', () => {
  let f: ServerFixture;
  let dir = '';
  let specFile = '';
  let spec: Spec;
  beforeAll(async () => {
    f = await startServerFixture('sqlite');
    spec = f.server.swagger() as unknown as Spec;
    dir = mkdtempSync(join(tmpdir(), 'attest-openapi-'));
    specFile = join(dir, 'openapi.json');
    writeFileSync(specFile, JSON.stringify(spec, null, 2));
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const operations = () => Object.entries(spec.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

  it('gives every operation an operationId, a summary, security, and schemas for success and errors', () => {
    expect(spec.servers?.length).toBeGreaterThan(0);
    const ids = new Set<string>();
    const problems: string[] = [];
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) problems.push(`${where}: no operationId`);
      else if (ids.has(op.operationId)) problems.push(`${where}: duplicate operationId ${op.operationId}`);
      else ids.add(op.operationId);
      if (!op.summary) problems.push(`${where}: no summary`);
      if (!Array.isArray(op.security)) problems.push(`${where}: no security`);
      const ok = op.responses?.['200']?.content;
      if (!ok || Object.values(ok).every((c) => c.schema === undefined)) problems.push(`${where}: no success schema`);
      if (path !== '/health' && !op.responses?.['4XX']?.content) problems.push(`${where}: no error schema`);
      if (path.startsWith('/api/') && !op.parameters?.some((p) => p.in === 'header' && p.name.toLowerCase() === 'x-attest-project')) problems.push(`${where}: no X-Attest-Project header`);
      if (path.startsWith('/projects/{project}/') && !op.parameters?.some((p) => p.in === 'path' && p.name === 'project')) problems.push(`${where}: no project path parameter`);
    }
    expect(problems).toEqual([]);
    expect(ids.size).toBeGreaterThan(150);
  });

  it.skipIf(!hasRedocly)("passes Redocly's recommended ruleset with zero errors", () => {
    const r = spawnSync(join(BIN, 'redocly'), ['lint', '--extends=recommended', '--format=json', specFile], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    const report = JSON.parse(r.stdout) as { problems: { severity: string; ruleId: string; message: string }[] };
    expect(report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
  }, 200_000);

  it.skipIf(!hasGenerator)('generates a client with openapi-typescript that compiles under --strict and types every success response', () => {
    const types = join(dir, 'api.d.ts');
    const gen = spawnSync(join(BIN, 'openapi-typescript'), [specFile, '-o', types], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(gen.status, gen.stderr).toBe(0);
    const text = readFileSync(types, 'utf8');
    expect(text).not.toMatch(/200: \{\s*headers: \{[^}]*\};\s*content\?: never/);
    writeFileSync(
      join(dir, 'use.ts'),
      [
        "import type { paths } from './api.js';",
        "type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;",
        "export const runId: Ok<'/api/2.0/mlflow/runs/get', 'get'>['run']['info']['run_id'] = 'tc_x';",
        "export const status: Ok<'/api/2.0/mlflow/runs/get', 'get'>['run']['info']['status'] = 'FINISHED';",
        "export const experiments: Ok<'/projects/{project}/api/2.0/mlflow/experiments/search', 'post'>['experiments'] = [];",
        "export const component: Ok<'/api/v1/tracking/components/{id}', 'get'>['componentId'] = 'tc_x';",
        '',
      ].join('\n'),
    );
    const tsc = spawnSync(join(BIN, 'tsc'), ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', types, join(dir, 'use.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(tsc.status, tsc.stdout).toBe(0);
  }, 300_000);
});
