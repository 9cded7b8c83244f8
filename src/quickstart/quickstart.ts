/**
 * @module quickstart/quickstart
 * `attest quickstart`: the whitepaper's credit-default lifecycle, end to end, on the embedded
 * default and with the real components — governed data, tracked preprocessing and training,
 * evaluation, SHAP explanations and reason codes, bias reports, a monitoring baseline and a
 * drift check, the lineage table and lineage queries, and the audit ledger verified. Each step
 * prints one readable line; everything it makes is stored encrypted, tracked and audited.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../app/index.js';
import { ensureProject, initHome, openApp } from '../app/index.js';
import { CONFIG_FILE_NAME, loadConfig } from '../config/index.js';
import type { ColumnFrame } from '../data/index.js';
import type { DatasetVersion } from '../datasets/index.js';
import { parseCsvFrame, writeCsv } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import { buildExplanationReport, meanAbsShap, reasonCodesForRows, renderExplanationHtml, treeShap } from '../ml/explain/index.js';
import { biasReport } from '../ml/fairness/index.js';
import { serializeXgboostModel } from '../ml/gbdt/index.js';
import { buildReport, monitorCheck, renderReportHtml } from '../monitoring/index.js';
import type { Actor } from '../security/audit/index.js';
import { projectResourceName, recordOutcome } from '../security/audit/index.js';
import type { Team } from './team.js';
import { authorize, ensureTeam, expectDenied } from './team.js';
import { InProcessTransport, Tracker } from '../tracking/index.js';
import type { ComponentLogger } from '../tracking/index.js';
import {
  evaluateOn,
  featureNames,
  featuresOnly,
  ID_COLUMN,
  LABEL,
  marketShift,
  mostDeclined,
  PAPER_PARAMS,
  SHIFTED_COLUMNS,
  splitCredit,
  trainPaperModel,
  withPredictions,
} from './credit-scenario.js';

/** The UCI credit card default data shipped with Attest (CC BY 4.0; see datasets/README.md). */
export const CREDIT_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'datasets', 'uci_credit_card_default.csv');
export const PROJECT = 'credit-risk';

export interface QuickstartOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  out: (line: string) => void;
  /** Called as the lifecycle advances: steps completed of 7, and what is running (progress displays). */
  progress?: (stepsDone: number, stepsTotal: number, detail: string) => void;
  /** The operator who runs the quickstart (the installation's administrator). */
  operator: Actor;
  /** Where git lineage is captured from (default: the process's working directory). */
  cwd?: string;
}

export interface QuickstartResult {
  home: string;
  tokensFile: string;
  projectId: string;
  experimentId: string;
  experimentName: string;
  datasetVersions: Record<'raw' | 'holdout' | 'train' | 'validation' | 'test' | 'drifted', string>;
  artifacts: Record<'raw' | 'holdout' | 'train' | 'validation' | 'test' | 'drifted' | 'model', string>;
  componentIds: Record<string, string>;
  testAuc: number;
  violations: { feature: string; check: string }[];
  auditEntries: number;
  seconds: number;
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const say = (step: number, text: string) => {
    options.out(`[${step}/7] ${text}`);
    options.progress?.(step, 7, 'steps done');
  };
  if (!existsSync(CREDIT_DATA)) throw new AppError('NOT_FOUND', { message: `The shipped credit data is missing: ${CREDIT_DATA}` });

  const fresh = !existsSync(join(options.home, CONFIG_FILE_NAME));
  if (fresh) await initHome(options.home, options.operator, env);
  const app = await openApp(loadConfig(options.home, env), { systemActor: options.operator });
  const scratch = mkdtempSync(join(tmpdir(), 'attest-quickstart-'));
  try {
    const projectId = await ensureProject(app, options.operator, PROJECT, 'Credit card default risk (the whitepaper example)');
    const team = await ensureTeam(app, options.operator, PROJECT, options.home);
    say(1, `${fresh ? 'created' : 'reusing'} the home ${options.home} (keys, audit ledger), project "${PROJECT}", data scientist "dana" and model validator "victor" with their roles; their API tokens are in ${team.tokensFile} (mode 0600)`);
    const result = await lifecycle(app, { ...options, env }, projectId, team, scratch, say);
    const statement = await expectDenied(app, team.scientist, 'audit:Read', 'attest::audit/ledger');
    const denials = await app.ledger.list({ principal: team.scientist.actor.principal, action: 'audit:Read', outcome: 'denied' });
    say(6, `dana tried to read the audit ledger: denied (${statement}); the denial is audited (entry ${denials.at(-1)?.seq})`);
    const report = await app.verifyAudit();
    if (!report.ok) throw new AppError('AUDIT_CHAIN_BROKEN', { message: `audit verification failed at ${report.firstProblem?.seq}: ${report.firstProblem?.reason}` });
    say(6, `audit ledger verified: ${report.entriesChecked} entries chained, ${report.checkpointsChecked} signed checkpoint(s)`);
    const seconds = (Date.now() - started) / 1000;
    summary(options, result, seconds);
    return { ...result, home: options.home, tokensFile: team.tokensFile, projectId, auditEntries: report.entriesChecked, seconds };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await app.checkpoint().catch(() => undefined);
    await app.close();
  }
}

type Lifecycle = Omit<QuickstartResult, 'home' | 'tokensFile' | 'projectId' | 'auditEntries' | 'seconds'>;

async function lifecycle(app: App, options: QuickstartOptions, projectId: string, team: Team, scratch: string, say: (step: number, text: string) => void): Promise<Lifecycle> {
  const scientist = team.scientist.actor;
  // Every step is authorized for the data scientist exactly as the API server would authorize it.
  const may = (action: string, type: string) => authorize(app, team.scientist, action, `attest:${PROJECT}:${type}/*`, PROJECT);
  for (const [action, type] of [
    ['dataset:CreateVersion', 'dataset'],
    ['experiment:Create', 'experiment'],
    ['component:Create', 'component'],
    ['model:Train', 'model'],
    ['model:Evaluate', 'model'],
    ['model:Explain', 'model'],
    ['bias:Run', 'bias-report'],
    ['baseline:Create', 'baseline'],
    ['lineage:Read', 'lineage'],
  ] as const) {
    await may(action, type);
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '').replace('Z', '');
  const raw = await app.datasets.importFile(scientist, CREDIT_DATA, { projectId, name: 'uci-credit-card-default', description: 'UCI default of credit card clients (Yeh 2009), CC BY 4.0' });
  say(2, `imported uci-credit-card-default@${raw.version}: ${raw.rowCount} rows × ${raw.schema.columns.length} columns, sha256 ${raw.sha256.slice(0, 16)}…, stored encrypted`);

  const tracker = new Tracker(new InProcessTransport({ tracking: app.tracking, artifacts: app.artifacts }, { actor: scientist, projectId }), { cwd: options.cwd ?? process.cwd() });
  const experimentName = `credit-default-${stamp}`;
  const experiment = await tracker.experiment(experimentName, { description: 'Whitepaper example: XGBoost on the UCI credit card default data' });
  const trial = await tracker.trial(experiment, 'xgboost-paper-params');
  const componentIds: Record<string, string> = {};

  const readSplit = (version: DatasetVersion) => app.datasets.readFrame(scientist, projectId, version);
  const storeSplit = async (c: ComponentLogger, role: string, frame: ColumnFrame) => {
    const path = join(scratch, `${role}.csv`);
    writeFileSync(path, writeCsv(frame));
    const v = await app.datasets.importFile(scientist, path, { projectId, name: `credit-${role}`, source: { component: c.componentId, role } });
    await c.logOutput(role, v.artifactId);
    return v;
  };

  const prep = await tracker.component(
    'Preprocessing',
    'processing',
    async (c) => {
      await c.logParameters({ holdout_fraction: 0.1, train_fraction: 0.7, validation_fraction: 0.15, test_fraction: 0.15, stratify: LABEL, seed: 42 });
      await c.logInput('raw', raw.artifactId);
      const { bytes: rawBytes } = await app.artifacts.getBytes(scientist, raw.artifactId, projectId);
      const splits = splitCredit(parseCsvFrame(rawBytes));
      const stored = {
        holdout: await storeSplit(c, 'holdout', splits.holdout),
        train: await storeSplit(c, 'train', splits.train),
        validation: await storeSplit(c, 'validation', splits.validation),
        test: await storeSplit(c, 'test', splits.test),
      };
      for (const [role, v] of Object.entries(stored)) c.logMetric(`rows:${role}`, v.rowCount);
      return { splits, stored };
    },
    { trials: [trial] },
  );
  componentIds.preprocessing = prep.component.componentId;
  const { splits, stored } = prep.result;
  await app.artifacts.setLegalHold(scientist, stored.holdout.artifactId, true, projectId);
  say(2, `preprocessing component: stratified split ${stored.train.rowCount}/${stored.validation.rowCount}/${stored.test.rowCount} (+${stored.holdout.rowCount} holdout under legal hold), seed 42, stored as dataset versions`);

  const training = await tracker.component(
    'Training',
    'training',
    async (c) => {
      // label and features complete the record `attest reproduce` re-runs (reproduce/training-rerun.ts).
      await c.logParameters({ ...PAPER_PARAMS, eval_metric: PAPER_PARAMS.eval_metric.join(','), label: LABEL, features: featureNames(splits.train).join(',') });
      await c.logInput('train', stored.train.artifactId);
      await c.logInput('validation', stored.validation.artifactId);
      // Each step reads its inputs back from the store, as a job would: decrypted, verified and
      // audited as the scientist's artifact:Get.
      const result = trainPaperModel({ ...splits, train: await readSplit(stored.train), validation: await readSplit(stored.validation) }, (round, metrics) => {
        options.progress?.(2, 7, `training round ${round + 1}/${PAPER_PARAMS.num_round}`);
        for (const [name, value] of Object.entries(metrics)) c.logMetric(name.replace('-', ':'), value, round);
      });
      const model = await app.artifacts.putBytes(scientist, Buffer.from(serializeXgboostModel(result.model)), { projectId, name: 'credit-default-xgboost', mediaType: 'application/vnd.xgboost.model+json' });
      await c.logOutput('model', model.artifactId);
      return { model: result.model, artifactId: model.artifactId, log: result.evalLog };
    },
    { trials: [trial] },
  );
  componentIds.training = training.component.componentId;
  const model = training.result.model;
  const validationAuc = training.result.log.validation?.auc?.at(-1) ?? Number.NaN;
  say(3, `training component: ${model.trees.length} trees (paper hyperparameters), validation AUC ${validationAuc.toFixed(4)} logged per round; model stored encrypted as credit-default-xgboost`);

  const evaluation = await tracker.component(
    'Evaluation',
    'evaluation',
    async (c) => {
      await c.logInput('model', training.result.artifactId);
      await c.logInput('test', stored.test.artifactId);
      const e = evaluateOn(model, await readSplit(stored.test));
      for (const [name, value] of Object.entries({ auc: e.metrics.rocAuc, ks: e.metrics.ks, gini: e.metrics.gini, accuracy: e.metrics.accuracy, precision: e.metrics.precision, recall: e.metrics.recall, f1: e.metrics.f1 })) {
        c.logMetric(`test:${name}`, value);
      }
      const report = await app.artifacts.putBytes(scientist, json({ split: 'test', metrics: e.metrics }), { projectId, name: 'credit-default-evaluation', mediaType: 'application/json' });
      await c.logOutput('evaluation', report.artifactId);
      return e;
    },
    { trials: [trial] },
  );
  componentIds.evaluation = evaluation.component.componentId;
  const m = evaluation.result.metrics;
  const [[tn, fp], [fn, tp]] = m.confusionMatrix;
  say(3, `evaluation on the test split: AUC ${m.rocAuc.toFixed(4)}, KS ${m.ks.toFixed(4)}, confusion at 0.5 [TN ${tn} FP ${fp} / FN ${fn} TP ${tp}]`);

  const explanation = await tracker.component(
    'Explanation',
    'evaluation',
    async (c) => {
      await c.logInput('model', training.result.artifactId);
      await c.logInput('test', stored.test.artifactId);
      const { x, labels } = evaluateOn(model, await readSplit(stored.test));
      const shap = treeShap(model, x);
      const importance = meanAbsShap(shap, model.featureNames);
      const declined = mostDeclined(evaluation.result.scores);
      const reasons = reasonCodesForRows(shap, x, model.featureNames, { topK: 4 }).find((r) => r.row === declined + 1)!;
      const report = buildExplanationReport(model, x, { labels, title: 'Credit default model: explanations on the test split' });
      const stored1 = await app.artifacts.putBytes(scientist, json(report), { projectId, name: 'credit-default-explanation.json', mediaType: 'application/json' });
      const stored2 = await app.artifacts.putBytes(scientist, Buffer.from(renderExplanationHtml(report)), { projectId, name: 'credit-default-explanation.html', mediaType: 'text/html' });
      const stored3 = await app.artifacts.putBytes(scientist, json(reasons), { projectId, name: 'credit-default-reason-codes', mediaType: 'application/json' });
      await c.logOutput('explanation-json', stored1.artifactId);
      await c.logOutput('explanation-html', stored2.artifactId);
      await c.logOutput('reason-codes', stored3.artifactId);
      return { importance, reasons, declined };
    },
    { trials: [trial] },
  );
  componentIds.explanation = explanation.component.componentId;
  const top = explanation.result.importance.slice(0, 5).map((f) => `${f.name} ${f.value.toFixed(3)}`).join(', ');
  say(4, `global SHAP importance (mean |SHAP|, log-odds): ${top}`);
  const r = explanation.result.reasons;
  say(4, `reason codes for declined applicant (test row ${r.row}, score ${(1 / (1 + Math.exp(-r.score))).toFixed(3)}): ${r.reasons.map((x) => `${x.name}=${x.value}`).join('; ')}`);

  const bias = await tracker.component(
    'BiasCheck',
    'evaluation',
    async (c) => {
      await c.logInput('model', training.result.artifactId);
      await c.logInput('test', stored.test.artifactId);
      const frame = withPredictions(await readSplit(stored.test), evaluation.result.scores);
      const common = { label: LABEL, positive: [1], predicted: 'predicted_label', group: 'EDUCATION', bootstrap: { replicates: 100, seed: 1 } } as const;
      const sex = biasReport(frame, { ...common, facet: 'SEX', sensitive: [2] });
      const age = biasReport(frame, { ...common, facet: 'AGE_OVER_40', sensitive: [1] });
      const stored1 = await app.artifacts.putBytes(scientist, json(sex), { projectId, name: 'credit-default-bias-sex', mediaType: 'application/json' });
      const stored2 = await app.artifacts.putBytes(scientist, json(age), { projectId, name: 'credit-default-bias-age-over-40', mediaType: 'application/json' });
      await c.logOutput('bias-sex', stored1.artifactId);
      await c.logOutput('bias-age-over-40', stored2.artifactId);
      const metric = (rep: typeof sex, stage: 'pre_training_bias_metrics' | 'post_training_bias_metrics', name: string) =>
        rep[stage]?.facets[Object.keys(rep[stage]!.facets)[0]!]?.[0]?.metrics.find((x) => x.name === name)?.value;
      return { sexDpl: metric(sex, 'pre_training_bias_metrics', 'DPL'), sexDi: metric(sex, 'post_training_bias_metrics', 'DI'), ageDpl: metric(age, 'pre_training_bias_metrics', 'DPL'), ageDi: metric(age, 'post_training_bias_metrics', 'DI') };
    },
    { trials: [trial] },
  );
  componentIds.bias = bias.component.componentId;
  const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : String(v));
  say(4, `bias (Clarify metrics, 100 bootstrap replicates): SEX=2 DPL ${fmt(bias.result.sexDpl)}, DI ${fmt(bias.result.sexDi)}; AGE>40 DPL ${fmt(bias.result.ageDpl)}, DI ${fmt(bias.result.ageDi)}`);

  const monitoring = await tracker.component(
    'MonitoringBaselineAndDriftCheck',
    'evaluation',
    async (c) => {
      await c.logInput('train', stored.train.artifactId);
      const baseline = await app.baselines.create(scientist, projectId, { name: 'credit-default', dataset: stored.train.datasetVersionId, model: training.result.artifactId, exclude: [ID_COLUMN, LABEL] });
      await c.logOutput('baseline-manifest', baseline.manifestArtifactId);
      const drifted = marketShift(featuresOnly(splits.test));
      const path = join(scratch, 'drifted.csv');
      writeFileSync(path, writeCsv(drifted));
      const window = await app.datasets.importFile(scientist, path, { projectId, name: 'credit-drifted-sample', source: { component: c.componentId, shifted: [...SHIFTED_COLUMNS] } });
      await c.logInput('window', window.artifactId);
      const check = monitorCheck(baseline, drifted);
      const input = { title: 'Drift check: market shift sample vs training baseline', runAt: new Date().toISOString(), baseline: baseline.statistics, current: check.statistics, violations: check.violations, drift: check.driftReport };
      const violations = await app.artifacts.putBytes(scientist, json(check.violations), { projectId, name: 'credit-default-drift/constraint_violations.json', mediaType: 'application/json' });
      const html = await app.artifacts.putBytes(scientist, Buffer.from(renderReportHtml(input)), { projectId, name: 'credit-default-drift/report.html', mediaType: 'text/html' });
      const reportJson = await app.artifacts.putBytes(scientist, json(buildReport(input)), { projectId, name: 'credit-default-drift/report.json', mediaType: 'application/json' });
      await c.logOutput('violations', violations.artifactId);
      await c.logOutput('report-html', html.artifactId);
      await c.logOutput('report-json', reportJson.artifactId);
      c.logMetric('violations', check.violations.violations.length);
      return { check, window };
    },
    { trials: [trial] },
  );
  componentIds.monitoring = monitoring.component.componentId;
  const violations = monitoring.result.check.violations.violations.map((v) => ({ feature: v.feature_name, check: v.constraint_check_type }));
  say(5, `baseline credit-default suggested from the training split (statistics.json + constraints.json, signed, attached to the model); drift check of a market-shift sample (${SHIFTED_COLUMNS.join(', ')} shifted): ${violations.length} violation(s)`);
  for (const v of violations) options.out(`        ${v.check}  ${v.feature}`);

  // The lineage reads of step 6 are authorized and audited like the server's (experiment:Describe, lineage:Read).
  const read = async <T>(action: string, type: string, id: string, fn: () => Promise<T>, details: (result: T) => Record<string, unknown>): Promise<T> => {
    const resource = await projectResourceName(app.db, projectId, type, id);
    await authorize(app, team.scientist, action, resource, PROJECT);
    const result = await fn();
    await recordOutcome({ db: app.db, ledger: app.ledger }, scientist, action, resource, 'allowed', details(result));
    return result;
  };
  const table = await read('experiment:Describe', 'experiment', experiment.experimentId, () => app.tracking.lineageTable(experiment.experimentId, [projectId], projectId), (t) => ({ view: 'lineage-table', rows: t.rows.length }));
  say(6, `lineage table of experiment ${experimentName}:`);
  for (const row of table.rows) {
    options.out(`        ${row.component.padEnd(32)} ${row.type.padEnd(11)} in: ${row.inputs.map((i) => i.role).join(',') || '-'}  out: ${row.outputs.map((o) => o.role).join(',') || '-'}  ${row.commit ? `commit ${row.commit.slice(0, 10)}` : ''}`);
  }
  const downstream = (id: string) => read('lineage:Read', 'lineage', id, () => app.lineage.downstream(id, { visibleProjects: [projectId], types: ['component'], depth: 1 }), (g) => ({ direction: 'downstream', nodes: g.nodes.length }));
  const usedTest = await downstream(stored.test.artifactId);
  say(6, `components that used the test split: ${usedTest.nodes.map((n) => n.name).join(', ') || 'none'}`);
  const usedHoldout = await downstream(stored.holdout.artifactId);
  say(6, `components that used the holdout: ${usedHoldout.nodes.map((n) => n.name).join(', ') || 'none'}`);

  return {
    experimentId: experiment.experimentId,
    experimentName,
    datasetVersions: {
      raw: raw.datasetVersionId,
      holdout: stored.holdout.datasetVersionId,
      train: stored.train.datasetVersionId,
      validation: stored.validation.datasetVersionId,
      test: stored.test.datasetVersionId,
      drifted: monitoring.result.window.datasetVersionId,
    },
    artifacts: {
      raw: raw.artifactId,
      holdout: stored.holdout.artifactId,
      train: stored.train.artifactId,
      validation: stored.validation.artifactId,
      test: stored.test.artifactId,
      drifted: monitoring.result.window.artifactId,
      model: training.result.artifactId,
    },
    componentIds,
    testAuc: m.rocAuc,
    violations,
  };
}

/**
 * The closing "look at it with" lines. Every line that starts with `attest ` runs as printed
 * (test/e2e/quickstart.test.ts runs each one), except `attest server`, which keeps running.
 */
function summary(options: QuickstartOptions, r: Lifecycle, seconds: number): void {
  const h = `--home ${options.home}`;
  options.out(`[7/7] done in ${seconds.toFixed(1)} s. Everything is in ${options.home} (encrypted; the keyring is keyring.json). Look at it with:`);
  for (const line of [
    `attest experiments table ${r.experimentName} --project ${PROJECT} ${h}`,
    `attest lineage downstream ${r.artifacts.test} --project ${PROJECT} ${h}        # what used the test split`,
    `attest lineage upstream ${r.artifacts.model} --project ${PROJECT} ${h}          # where the model came from`,
    `attest data list --project ${PROJECT} ${h}`,
    `attest artifact get credit-default-xgboost --project ${PROJECT} --out model.json ${h}`,
    `attest baseline show credit-default --project ${PROJECT} ${h}`,
    `attest artifact get credit-default-drift/report.html --project ${PROJECT} --out drift.html ${h}`,
    `attest audit list --outcome denied ${h}`,
    `attest audit verify ${h}`,
    `attest server ${h}   then, as dana: ATTEST_TOKEN=<her token from quickstart-tokens.json> attest whoami --server http://127.0.0.1:8443`,
    `the administrator's generated password is in ${options.home}/initial-admin.txt (mode 0600): attest login --server http://127.0.0.1:8443 --user admin --password-stdin`,
    `rerun: attest quickstart ${h}   (adds a new experiment to the same home)`,
  ]) {
    options.out(`        ${line}`);
  }
}
