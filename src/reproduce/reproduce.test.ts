/**
 * `attest reproduce` (issue 13): a quickstart-like training (the shipped credit data, a small
 * subset, the paper's parameters with fewer rounds) recorded through the tracking SDK as the
 * quickstart records it; re-running it gives the byte-identical model, embedded and over HTTP for
 * an auditor; a tampered parameter in a copy of the installation is reported at its first
 * difference with exit code 6.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO_ROOT } from '../../test/support/cli.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import type { App } from '../app/index.js';
import { openApp, projectIdByName } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { labelVector, parseCsvFrame, toFeatureMatrix } from '../data/index.js';
import { serializeXgboostModel, train } from '../ml/gbdt/index.js';
import { CREDIT_DATA } from '../quickstart/index.js';
import type { Actor } from '../security/audit/index.js';
import { InProcessTransport, Tracker } from '../tracking/index.js';
import { firstModelDifference } from './index.js';

const LABEL = 'default';
const PARAMS = { objective: 'binary:logistic', max_depth: 4, eta: 0.2, gamma: 4, min_child_weight: 6, subsample: 0.8, num_round: 15, seed: 42, eval_metric: 'auc,logloss' };

/** Writes the first rows of the shipped credit data as train and validation CSV files. */
function subsetFiles(dir: string): { train: string; validation: string } {
  const lines = readFileSync(CREDIT_DATA, 'utf8').split('\n');
  const header = lines[0]!;
  const train = join(dir, 'credit-train.csv');
  const validation = join(dir, 'credit-validation.csv');
  writeFileSync(train, `${[header, ...lines.slice(1, 1201)].join('\n')}\n`);
  writeFileSync(validation, `${[header, ...lines.slice(1201, 1601)].join('\n')}\n`);
  return { train, validation };
}

/** Imports the subset and records a training component the way the quickstart does; returns the model artifact id. */
async function recordTraining(app: App, actor: Actor, projectId: string, dir: string): Promise<string> {
  const files = subsetFiles(dir);
  const trainVersion = await app.datasets.importFile(actor, files.train, { projectId, name: 'credit-train' });
  const validationVersion = await app.datasets.importFile(actor, files.validation, { projectId, name: 'credit-validation' });
  const tracker = new Tracker(new InProcessTransport({ tracking: app.tracking, artifacts: app.artifacts }, { actor, projectId }), { cwd: REPO_ROOT });
  const trial = await tracker.trial(await tracker.experiment('reproduce-test'), 'paper-params');
  const frames = { train: parseCsvFrame(readFileSync(files.train)), validation: parseCsvFrame(readFileSync(files.validation)) };
  const features = frames.train.columns.map((c) => c.name).filter((n) => n !== LABEL && n !== 'ID');
  const { result } = await tracker.component(
    'Training',
    'training',
    async (c) => {
      await c.logParameters({ ...PARAMS, label: LABEL, features: features.join(',') });
      await c.logInput('train', trainVersion.artifactId);
      await c.logInput('validation', validationVersion.artifactId);
      const matrix = (f: typeof frames.train) => ({ x: toFeatureMatrix(f, features), y: Float32Array.from(labelVector(f, LABEL)) });
      const trained = train({ ...matrix(frames.train), featureNames: features }, { ...PARAMS, eval_metric: ['auc', 'logloss'] }, { validation: matrix(frames.validation) });
      const model = await app.artifacts.putBytes(actor, Buffer.from(serializeXgboostModel(trained.model)), { projectId, name: 'credit-default-xgboost', mediaType: 'application/vnd.xgboost.model+json' });
      await c.logOutput('model', model.artifactId);
      return model.artifactId;
    },
    { trials: [trial] },
  );
  return result;
}

describe('firstModelDifference', () => {
  it('names the byte offset and the JSON path of the first difference', () => {
    const a = Buffer.from('{"learner":{"trees":[{"split":[1,2,3]}],"eta":0.2}}');
    const b = Buffer.from('{"learner":{"trees":[{"split":[1,2,4]}],"eta":0.2}}');
    expect(firstModelDifference(a, a)).toBeUndefined();
    expect(firstModelDifference(a, b)).toMatchObject({ byteOffset: a.indexOf('3'), jsonPath: '$.learner.trees[0].split[2]', recordedValue: 3, reproducedValue: 4 });
    expect(firstModelDifference(a, a.subarray(0, 10))).toMatchObject({ byteOffset: 10, recordedBytes: a.length, reproducedBytes: 10 });
  });
});

describe('attest reproduce on an embedded home', () => {
  let dir: string;
  let home: string;
  const env = () => ({ ...process.env, ATTEST_HOME: undefined });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attest-reproduce-'));
    home = join(dir, 'home');
    expect((await cli(['init', '--home', home], env())).code).toBe(0);
    const app = await openApp(loadConfig(home, env()), {});
    try {
      await recordTraining(app, { principal: 'os:dana' }, await projectIdByName(app, 'default'), dir);
    } finally {
      await app.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('re-runs the recorded training byte-identically, checks commit and lock file, stores nothing', async () => {
    const r = await cli(['reproduce', 'credit-default-xgboost', '--home', home, '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ identical: true, firstDifference: null, keptArtifactId: null, componentName: 'Training' });
    expect(report.reproducedSha256).toBe(report.model.sha256);
    expect(report.inputs.map((i: { role: string }) => i.role).sort()).toEqual(['train', 'validation']);
    const byField = Object.fromEntries(report.environment.map((e: { field: string }) => [e.field, e]));
    expect(byField.commit.recorded).toMatch(/^[0-9a-f]{40}$/);
    expect(byField.commit.same).toBe(true);
    expect(byField.lockFileHash.recorded).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(byField.lockFileHash.same).toBe(true);
    const human = await cli(['reproduce', 'credit-default-xgboost', '--home', home], env());
    expect(human.stdout).toMatch(/byte-identical/);
    const artifacts = JSON.parse((await cli(['artifact', 'list', '--home', home, '--json'], env())).stdout) as { name: string | null }[];
    expect(artifacts.some((a) => a.name?.endsWith('-reproduced'))).toBe(false);
    const audit = JSON.parse((await cli(['audit', 'list', '--home', home, '--action', 'model:Reproduce', '--json'], env())).stdout) as { outcome: string; details: { identical: boolean } }[];
    expect(audit.map((e) => [e.outcome, e.details.identical])).toEqual([['allowed', true], ['allowed', true]]);
  });

  it('reports the first difference with exit code 6 when a recorded parameter was tampered with (in a copy)', async () => {
    const copy = join(dir, 'tampered');
    cpSync(home, copy, { recursive: true });
    const db = new Database(join(copy, 'attest.db'));
    expect(db.prepare("update component_parameters set value_num = 0.3, value_text = '0.3' where name = 'eta'").run().changes).toBe(1);
    db.close();
    const r = await cli(['reproduce', 'credit-default-xgboost', '--home', copy, '--json'], env());
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^attest: error NOT_REPRODUCIBLE: credit-default-xgboost: the re-run differs from the stored model at byte \d+/);
    const report = JSON.parse(r.stdout);
    expect(report.identical).toBe(false);
    expect(report.parameters.eta).toBe(0.3);
    expect(report.firstDifference.byteOffset).toBeGreaterThan(0);
    expect(report.firstDifference.jsonPath).toMatch(/^\$\.learner\./);
    const kept = await cli(['reproduce', 'credit-default-xgboost', '--home', copy, '--keep'], env());
    expect(kept.code).toBe(6);
    expect(kept.stdout).toMatch(/NOT identical: first difference at byte \d+/);
    expect(kept.stdout).toMatch(/re-trained model kept as art_/);
  });
});

describe('POST /v1/projects/{project}/reproductions', () => {
  let f: ServerFixture;
  let dir: string;
  beforeAll(async () => {
    f = await startServerFixture('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'attest-reproduce-http-'));
    await recordTraining(f.t.app, { principal: 'user:dana' }, await projectIdByName(f.t.app, 'default'), dir);
  });
  afterAll(async () => {
    await f.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets an auditor reproduce (a read) but not keep the re-trained model (a write); a viewer may not', async () => {
    const auditor = await f.principal('audrey', [{ role: 'auditor' }]);
    const viewer = await f.principal('vic', [{ role: 'viewer', project: 'default' }]);
    const post = (token: string, body: object) => f.server.inject({ method: 'POST', url: '/v1/projects/default/reproductions', headers: { authorization: `Bearer ${token}` }, payload: body });
    const ok = await post(auditor, { model: 'credit-default-xgboost' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ identical: true, keptArtifactId: null });
    expect((await post(auditor, { model: 'credit-default-xgboost', keep: true })).statusCode).toBe(403);
    expect((await post(viewer, { model: 'credit-default-xgboost' })).statusCode).toBe(403);
    expect((await post(auditor, {})).statusCode).toBe(400);
    const entries = await f.t.app.ledger.list({ action: 'model:Reproduce' });
    expect(entries.map((e) => [e.principal, e.outcome])).toEqual([
      ['user:audrey', 'allowed'],
      ['user:vic', 'denied'],
    ]);
    const keepDenied = await f.t.app.ledger.list({ action: 'artifact:Put', principal: 'user:audrey' });
    expect(keepDenied.map((e) => e.outcome)).toEqual(['denied']);
  });
});
