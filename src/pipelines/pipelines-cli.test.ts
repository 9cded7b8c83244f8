/**
 * `attest pipelines` on an embedded home: a definition file refused with the step and field
 * named (exit 2, one line), published, listed and described; `start --wait` runs its jobs in
 * child processes of the command and prints the execution; executions and describe-execution
 * read it back; a succeeded execution cannot be retried or cancelled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { cli, REPO_ROOT } from '../../test/support/cli.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import type { Execution } from './index.js';

describe('attest pipelines (embedded)', () => {
  let t: TestInstallation;
  let env: NodeJS.ProcessEnv;
  const args = (...rest: string[]) => [...rest, '--home', t.home, '--project', 'credit'];

  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    env = { ...t.env, ATTEST_HOME: undefined } as NodeJS.ProcessEnv;
    const projectId = await ensureProject(t.app, TEST_ACTOR, 'credit', 'credit');
    const lines = readFileSync(join(REPO_ROOT, 'datasets', 'uci_credit_card_default.csv'), 'utf8').split('\n').slice(0, 401);
    const data = join(t.home, 'subset.csv');
    writeFileSync(data, `${lines.join('\n')}\n`);
    await t.app.datasets.importFile(TEST_ACTOR, data, { projectId, name: 'credit' });
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it('refuses a bad file with the step and field named, publishes, lists, describes, runs and reads executions', async () => {
    const bad = join(t.home, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'split-only', steps: [{ name: 'split', type: 'processing', inputs: { data: 'credit@1' }, params: { train: 2 } }] }));
    const refused = await cli(['pipelines', 'create', '-f', bad, ...args()], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^attest: error INVALID_INPUT: Invalid pipeline definition: step "split" field params\.train: /);

    const good = join(t.home, 'good.json');
    writeFileSync(good, JSON.stringify({ name: 'split-only', parameters: { seed: { type: 'number', default: 1 } }, steps: [{ name: 'split', type: 'processing', inputs: { data: 'credit@1' }, params: { label: 'default', seed: '{{parameters.seed}}', prefix: 'cli' } }] }));
    const created = await cli(['pipelines', 'create', '-f', good, ...args()], env);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/version:\s+1 of 1/);
    expect((await cli(['pipelines', 'list', ...args()], env)).stdout).toMatch(/split-only\s+1/);
    expect((await cli(['pipelines', 'describe', 'split-only', ...args()], env)).stdout).toMatch(/seed:number=1/);

    const run = await cli(['pipelines', 'start', 'split-only', '--param', 'seed=7', '--wait', '--json', ...args()], env);
    expect(run.code, run.stderr).toBe(0);
    const execution = JSON.parse(run.stdout) as Execution;
    expect(execution).toMatchObject({ status: 'succeeded', parameters: { seed: 7 } });
    expect(execution.steps[0]!.result?.outputs.map((o) => o.name).sort()).toEqual(['cli-test', 'cli-train', 'cli-validation']);

    const executions = await cli(['pipelines', 'executions', 'split-only', ...args()], env);
    expect(executions.stdout).toMatch(new RegExp(`${execution.executionId}\\s+1\\s+succeeded`));
    const described = await cli(['pipelines', 'describe-execution', execution.executionId, ...args()], env);
    expect(described.stdout).toMatch(/split\s+processing\s+succeeded\s+1\s+job_/);
    const retry = await cli(['pipelines', 'retry', execution.executionId, ...args()], env);
    expect(retry.code).toBe(5);
    expect(retry.stderr).toMatch(/PIPELINE_EXECUTION_FINISHED/);
    const unknown = await cli(['pipelines', 'start', 'nope', ...args()], env);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/^attest: error PIPELINE_NOT_FOUND/);
  }, 300_000);
});
