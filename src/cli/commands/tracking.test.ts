import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../../test/support/cli.js';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation } from '../../../test/support/test-app.js';

describe.each(testDialects())('tracking through the CLI on %s', (dialect) => {
  let inst: TestInstallation;
  const ids: Record<string, string> = {};
  const run = async (...args: string[]) => {
    const r = await cli([...args, '--home', inst.home], inst.env);
    return r;
  };
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout.trim();
  };
  const file = (name: string, text: string) => {
    const path = join(inst.home, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    inst = await createTestInstallation(dialect, 'fs');
    await inst.app.close();
    await ok('artifact', 'put', file('data.csv', 'x,y\n1,0\n'), '--name', 'credit-data', '--media-type', 'text/csv');
    await ok('artifact', 'put', file('holdout.csv', 'x,y\n7,1\n'), '--name', 'holdout', '--media-type', 'text/csv');
    ids.experiment = await ok('experiments', 'create', 'credit', '--description', 'paper example');
    await ok('trials', 'create', 'credit', 't1');
    await ok('trials', 'create', 'credit', 't2');
    const pre = await ok('components', 'start', 'Preprocessing', '--type', 'processing', '--trial', 'credit/t1', '--param', 'seed=42', '--no-git');
    ids.pre = pre;
    await ok('components', 'log-input', pre, 'raw', 'credit-data');
    const train = await ok('artifact', 'put', file('train.csv', 'x,y\n1,0\n'), '--name', 'credit-train');
    await ok('components', 'log-output', pre, 'train', train);
    await ok('components', 'complete', pre);
    await ok('trials', 'add-component', 'credit/t2', pre);
    for (const [trial, eta] of [['t1', '0.2'], ['t2', '0.1']] as const) {
      const tc = await ok('components', 'start', `Training-${trial}`, '--type', 'training', '--trial', `credit/${trial}`, '--param', `eta=${eta}`, '--param', 'max_depth=5', '--commit', 'a1b2c3d4e5f6', '--author', 'Dana <dana@bank.example>', '--repo-url', 'https://dana:ghp_secret@git.example/credit.git');
      ids[trial] = tc;
      await ok('components', 'log-input', tc, 'dataset', 'credit-data@1');
      await ok('components', 'log-input', tc, 'train', 'credit-train');
      for (let round = 0; round < 3; round++) await ok('components', 'log-metric', tc, `validation:auc=${0.7 + round / 100}`, `train:logloss=${0.5 - round / 10}`, '--step', String(round));
      const model = await ok('artifact', 'put', file(`model-${trial}.json`, `{"eta":${eta}}`), '--name', 'credit-model');
      await ok('components', 'log-output', tc, 'model', model);
      await ok('components', 'complete', tc);
    }
  }, 120_000);
  afterAll(async () => inst?.dispose());

  it('prints and exports the lineage table', async () => {
    const table = await ok('experiments', 'table', 'credit');
    expect(table.split('\n')[0]).toMatch(/^component\s+type\s+status\s+trials\s+parameters\s+inputs/);
    expect(table).toContain('Training-t1');
    expect(table).toContain('eta=0.2;max_depth=5');
    expect(table).toContain('a1b2c3d4e5f6');
    const csvPath = join(inst.home, 'table.csv');
    await ok('experiments', 'table', 'credit', '--format', 'csv', '--out', csvPath);
    const csv = readFileSync(csvPath, 'utf8').split('\r\n');
    expect(csv[0]).toBe('component,type,status,trials,parameters,inputs,outputs,metrics,commit,author,date');
    expect(csv).toHaveLength(5);
    const jsonPath = join(inst.home, 'table.json');
    await ok('experiments', 'table', 'credit', '--format', 'json', '--out', jsonPath);
    const rows = JSON.parse(readFileSync(jsonPath, 'utf8')) as { component: string; trials: string[]; metrics: Record<string, number> }[];
    expect(rows.find((r) => r.component === 'Preprocessing')?.trials.sort()).toEqual(['t1', 't2']);
    expect(rows.find((r) => r.component === 'Training-t2')?.metrics['validation:auc']).toBeCloseTo(0.72, 10);
  });

  it('answers which training components used the dataset, and nothing for the holdout', async () => {
    const down = JSON.parse(await ok('lineage', 'downstream', 'credit-data', '--type', 'training', '--json')) as { nodes: { id: string }[] };
    expect(down.nodes.map((n) => n.id).sort()).toEqual([ids.t1, ids.t2].sort());
    expect(await ok('lineage', 'downstream', 'holdout', '--type', 'training')).toBe('(none)');
    const up = await ok('lineage', 'upstream', 'credit-model@1', '--depth', '1');
    expect(up).toContain('Training-t1');
    expect(up).toMatch(/training\s+Training-t1\s+a1b2c3d4e5f6/);
  });

  it('records the commit without credentials', async () => {
    const c = JSON.parse(await ok('components', 'describe', ids.t1!, '--json')) as { source: { remoteUrl: string; author: string } };
    expect(c.source.remoteUrl).toBe('https://git.example/credit.git');
    expect(c.source.author).toBe('Dana <dana@bank.example>');
  });

  it('refuses to change a completed component, with one line', async () => {
    const r = await run('components', 'log-param', ids.t1!, 'eta=0.9');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^attest: error COMPONENT_COMPLETED: /);
    expect(r.stderr.split('\n')).toHaveLength(1);
    await ok('components', 'tag', ids.t1!, 'reviewed=yes');
  });

  it('searches and compares trials', async () => {
    const found = JSON.parse(await ok('trials', 'search', '--filter', 'parameters.eta = 0.1', '--json')) as { items: { name: string }[] };
    expect(found.items.map((t) => t.name)).toEqual(['t2']);
    const bad = await run('trials', 'search', '--filter', 'parameters.eta ~ 1');
    expect(bad.stderr).toMatch(/^attest: error INVALID_INPUT: Invalid filter at character/);
    const cmp = await ok('trials', 'compare', 'credit/t1', 'credit/t2');
    expect(cmp).toMatch(/parameter\s+training\/eta\s+0\.2\s+0\.1/);
    expect(cmp).not.toContain('max_depth');
  });
});
