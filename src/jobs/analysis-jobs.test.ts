/**
 * The issue-18 analyses as job types, each run through `attest jobs run TYPE … --wait` (the
 * embedded runner, a real job process per attempt): inputs by reference, outputs named and
 * encrypted, results equal to the library functions the CLI commands call.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { readParquet } from '../data/index.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { cli, REPO_ROOT } from '../../test/support/cli.js';
import type { Job } from './index.js';

const PROJECT = 'credit';

describe('analysis job types through `attest jobs run`', () => {
  let t: TestInstallation;
  let projectId: string;

  const run = async (type: string, inputs: Record<string, string>, params: Record<string, string | number> = {}): Promise<Job> => {
    const args = ['jobs', 'run', type, '--home', t.home, '--project', PROJECT, '--wait', '--json'];
    for (const [role, ref] of Object.entries(inputs)) args.push('--input', `${role}=${ref}`);
    for (const [k, v] of Object.entries(params)) args.push('--param', `${k}=${v}`);
    const r = await cli(args, t.env);
    if (r.code !== 0) throw new Error(`jobs run ${type} exited ${r.code}: ${r.stderr}`);
    const job = JSON.parse(r.stdout) as Job;
    expect(job.status).toBe('succeeded');
    return job;
  };
  const outputBytes = async (job: Job, role: string) => (await t.app.artifacts.getBytes(TEST_ACTOR, job.outputs.find((o) => o.role === role)!.artifactId, projectId)).bytes;

  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    projectId = await ensureProject(t.app, TEST_ACTOR, PROJECT, 'credit analyses');
    const lines = readFileSync(join(REPO_ROOT, 'datasets', 'uci_credit_card_default.csv'), 'utf8').split('\n');
    const part = (name: string, from: number, to: number) => {
      const file = join(t.home, `${name}.csv`);
      writeFileSync(file, `${[lines[0], ...lines.slice(from, to)].join('\n')}\n`);
      return t.app.datasets.importFile(TEST_ACTOR, file, { projectId, name });
    };
    await part('train', 1, 801);
    await part('window', 801, 1201);
    await part('background', 1201, 1241);
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
  });

  it('runs resample, parquet-export, shap (interventional and kernel), model-quality, prediction-drift, bias-drift and attribution-drift jobs', async () => {
    const model = await run('training', { train: 'train@1' }, { label: 'default', exclude: 'ID', model_name: 'm', objective: 'binary:logistic', max_depth: 3, num_round: 10, seed: 1 });
    expect(model.outputs[0]?.name).toBe('m');

    const resampled = await run('resample', { data: 'train@1' }, { method: 'under', label: 'default', seed: 5 });
    const balanced = await t.app.datasets.describe(projectId, 'train-undersampled@1');
    expect(resampled.outputs.find((o) => o.role === 'data')?.datasetVersionId).toBe(balanced.datasetVersionId);
    const record = JSON.parse((await outputBytes(resampled, 'record')).toString()) as { after: { byClass: Record<string, number> } };
    const counts = Object.values(record.after.byClass);
    expect(counts).toHaveLength(2);
    expect(counts[0]).toBe(counts[1]);
    expect(resampled.metrics['rows:after']).toBe(counts[0]! * 2);

    const parquet = await run('parquet-export', { data: 'window@1' });
    expect(parquet.outputs[0]).toMatchObject({ role: 'parquet', name: 'window.parquet' });
    const parquetBytes = await outputBytes(parquet, 'parquet');
    expect(parquetBytes.subarray(0, 4).toString()).toBe('PAR1');
    expect((await readParquet(parquetBytes)).rowCount).toBe(400);
    // Stored encrypted under a project data key.
    expect((await t.app.artifacts.describe(parquet.outputs[0]!.artifactId, projectId)).keyId).toBeTruthy();

    const interventional = await run('shap', { model: 'm@1', data: 'window@1', background: 'background@1' }, { max_rows: 30, output: 'shap/window.csv' });
    const csv = (await outputBytes(interventional, 'contributions')).toString();
    expect(csv.split('\n')[0]).toMatch(/BIAS/);
    expect(csv.trim().split('\n')).toHaveLength(31);
    await run('shap', { model: 'm@1', data: 'train@1', background: 'background@1' }, { max_rows: 30, output: 'shap/train.csv' });
    const kernel = await run('shap', { model: 'm@1', data: 'window@1', background: 'background@1' }, { method: 'kernel', max_rows: 3, nsamples: 64, background_clusters: 5, seed: 3 });
    expect(kernel.outputs[0]?.name).toBe('m-shap-kernel.csv');

    const attribution = await run('attribution-drift', { baseline: 'shap/train.csv@1', current: 'shap/window.csv@1' }, { threshold: 0.5 });
    const drift = JSON.parse((await outputBytes(attribution, 'attribution-drift')).toString()) as { labels: { ndcg: number }[] };
    expect(drift.labels[0]!.ndcg).toBeGreaterThan(0.5);
    expect(attribution.metrics.violations).toBe(0);

    await run('batch-transform', { model: 'm@1', data: 'train@1' }, { output: 'train-scored' });
    const batch = await run('batch-transform', { model: 'm@1', data: 'window@1' }, { output: 'window-scored', capture_source: 'batch-window', id_column: 'ID' });
    // The batch is captured as an endpoint's requests are: Model Monitor records, encrypted, joinable by id.
    expect(batch.outputs.map((o) => o.role).sort()).toEqual(['capture', 'predictions']);
    expect(batch.metrics.captured).toBe(400);
    const captured = await t.app.capture.captures(TEST_ACTOR, projectId, 'batch-window');
    expect(captured).toHaveLength(400);
    const scoredWindow = await t.app.datasets.readFrame(TEST_ACTOR, projectId, await t.app.datasets.describe(projectId, 'window-scored@1'));
    const predictions = scoredWindow.columns.find((c) => c.name === 'prediction')!;
    expect(predictions.kind).toBe('numeric');
    expect(captured[0]!.eventMetadata).toMatchObject({ eventId: `${batch.jobId}-0`, inferenceId: '801' });
    expect(Number(Buffer.from(captured[0]!.captureData.endpointOutput!.data, captured[0]!.captureData.endpointOutput!.encoding === 'BASE64' ? 'base64' : 'utf8').toString())).toBe(predictions.kind === 'numeric' ? predictions.values[0] : Number.NaN);
    expect((await t.app.artifacts.describe(batch.outputs.find((o) => o.role === 'capture')!.artifactId, projectId)).keyId).toBeTruthy();
    await expect(run('batch-transform', { model: 'm@1', data: 'window@1' }, { capture_source: 'batch-window', id_column: 'NO_SUCH' })).rejects.toThrow(/id_column NO_SUCH/);
    const quality = await run('model-quality', { data: 'window-scored@1' }, { problem: 'regression', label: 'default', predicted: 'prediction' });
    const statistics = JSON.parse((await outputBytes(quality, 'statistics')).toString()) as { regression_metrics: { rmse: { value: number } } };
    expect(statistics.regression_metrics.rmse.value).toBeGreaterThan(0);
    expect(quality.metrics['quality:rmse']).toBeCloseTo(statistics.regression_metrics.rmse.value, 12);
    const prediction = await run('prediction-drift', { reference: 'train-scored@1', data: 'window-scored@1' });
    expect(prediction.outputs[0]?.name).toBe('monitoring/window-scored/prediction-drift/prediction_drift.json');
    expect([0, 1]).toContain(prediction.metrics.drifted);

    await run('bias', { model: 'm@1', data: 'train@1' }, { label: 'default', facet: 'SEX', sensitive: 2 });
    await run('bias', { model: 'm@1', data: 'window@1' }, { label: 'default', facet: 'SEX', sensitive: 2 });
    const bias = await run('bias-drift', { baseline: 'm-bias-sex@1', current: 'm-bias-sex@2' }, { tolerance: 10, metric_tolerances: '{"DI":5}' });
    expect(bias.metrics.compared).toBeGreaterThan(5);
    expect(bias.outputs.map((o) => o.role).sort()).toEqual(['bias-drift', 'violations']);
    const biasViolations = JSON.parse((await outputBytes(bias, 'violations')).toString()) as { violations: { metric_name: string }[] };
    expect(biasViolations.violations).toHaveLength(bias.metrics.violations!);
    expect(biasViolations.violations.some((v) => v.metric_name === 'DI')).toBe(false);
  }, 900_000);

  it('refuses bad parameters before queueing anything (exit 2, the parameter named)', async () => {
    const home = ['--home', t.home, '--project', PROJECT];
    const bad = await cli(['jobs', 'run', 'resample', ...home, '--input', 'data=train@1', '--param', 'method=sideways', '--param', 'label=default', '--param', 'seed=1'], t.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/INVALID_INPUT: Invalid parameter method/);
    const missing = await cli(['jobs', 'run', 'prediction-drift', ...home, '--input', 'data=window@1'], t.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs the input "reference"/);
    const types = await cli(['jobs', 'types'], t.env);
    for (const type of ['shap', 'resample', 'parquet-export', 'model-quality', 'prediction-drift', 'bias-drift', 'attribution-drift']) expect(types.stdout).toContain(type);
  }, 120_000);
});
