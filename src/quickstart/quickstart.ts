/**
 * @module quickstart/quickstart
 * `attest quickstart`: the whitepaper's credit-default lifecycle, end to end, on the embedded
 * default. It sets up the scenario — a home, project "credit-risk", a data scientist and a model
 * validator with their roles and tokens, the shipped data imported and a market-shifted scoring
 * window — and then runs the lifecycle as the pipeline shipped in pipelines/credit-default.yaml,
 * started by the data scientist: each step a governed job in a child process (authorized,
 * tracked as a trial component, lineage-linked, audited), the execution a trial. It prints one
 * readable line per step, then the lineage, an audited denial, the verified ledger, and commands
 * to look at everything (each works as printed).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../app/index.js';
import { ensureProject, initHome, openApp } from '../app/index.js';
import { CONFIG_FILE_NAME, loadConfig } from '../config/index.js';
import { parseCsvFrame, splitFrame, writeCsv } from '../data/index.js';
import { JobRunner, sleepUnlessEnded } from '../jobs/index.js';
import type { JobCaller } from '../jobs/index.js';
import { AppError } from '../kernel/index.js';
import type { Execution, StepExecution } from '../pipelines/index.js';
import { isFinalExecution, parseDefinitionText, PipelineService } from '../pipelines/index.js';
import { pipelineRegistry } from '../registry/index.js';
import type { Actor } from '../security/audit/index.js';
import { projectResourceName, recordOutcome } from '../security/audit/index.js';
import { featuresOnly, LABEL, marketShift, SHIFTED_COLUMNS } from './credit-scenario.js';
import type { Team } from './team.js';
import { authorize, ensureTeam, expectDenied } from './team.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The UCI credit card default data shipped with Attest (CC BY 4.0; see datasets/README.md). */
export const CREDIT_DATA = join(ROOT, 'datasets', 'uci_credit_card_default.csv');
/** The lifecycle as a pipeline definition, shipped beside the data. */
export const CREDIT_PIPELINE = join(ROOT, 'pipelines', 'credit-default.yaml');
export const PROJECT = 'credit-risk';

export interface QuickstartOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  out: (line: string) => void;
  /** Called as the lifecycle advances: steps completed, and what is running (progress displays). */
  progress?: (stepsDone: number, stepsTotal: number, detail: string) => void;
  /** The operator who runs the quickstart (the installation's administrator). */
  operator: Actor;
  /** Where git lineage is captured from (default: the process's working directory). */
  cwd?: string;
}

type Split = 'raw' | 'holdout' | 'train' | 'validation' | 'test' | 'drifted';

export interface QuickstartResult {
  home: string;
  tokensFile: string;
  projectId: string;
  /** The pipeline's experiment (one per pipeline) and this execution's trial in it. */
  experimentId: string;
  experimentName: string;
  executionId: string;
  trialId: string;
  pipelineVersion: number;
  datasetVersions: Record<Split, string>;
  artifacts: Record<Split | 'model', string>;
  /** The trial component of each job step (a reused one on a cache hit). */
  componentIds: Record<string, string>;
  cacheHits: string[];
  testAuc: number;
  /** The model version the register step created (PendingManualApproval), unless the champion was better. */
  registered: { versionId: string; group: string; version: number; status: string } | null;
  violations: { feature: string; check: string }[];
  auditEntries: number;
  seconds: number;
}

/** Which of the seven printed stages a step belongs to. */
const STAGE: Readonly<Record<string, number>> = { split: 2, train: 3, evaluate: 3, 'quality-gate': 4, 'auc-too-low': 4, explain: 4, 'bias-sex': 4, 'bias-age': 4, baseline: 5, 'drift-check': 5, 'beats-champion': 5, register: 5 };

export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const say = (step: number, text: string) => options.out(`[${step}/7] ${text}`);
  if (!existsSync(CREDIT_DATA)) throw new AppError('NOT_FOUND', { message: `The shipped credit data is missing: ${CREDIT_DATA}` });
  if (!existsSync(CREDIT_PIPELINE)) throw new AppError('NOT_FOUND', { message: `The shipped pipeline definition is missing: ${CREDIT_PIPELINE}` });

  const fresh = !existsSync(join(options.home, CONFIG_FILE_NAME));
  if (fresh) await initHome(options.home, options.operator, env);
  const app = await openApp(loadConfig(options.home, env), { systemActor: options.operator });
  // The loop below nudges the runner after each advance, so it need not poll often itself.
  const runner = new JobRunner({ app, env, cwd: options.cwd ?? process.cwd(), concurrency: 2, pollMs: 1000 });
  try {
    const projectId = await ensureProject(app, options.operator, PROJECT, 'Credit card default risk (the whitepaper example)');
    const team = await ensureTeam(app, options.operator, PROJECT, options.home);
    say(1, `${fresh ? 'created' : 'reusing'} the home ${options.home} (keys, audit ledger), project "${PROJECT}", data scientist "dana" and model validator "victor" with their roles; their API tokens are in ${team.tokensFile} (mode 0600)`);
    runner.start();
    const result = await lifecycle(app, { ...options, env }, projectId, team, say, () => runner.poll());
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
    await runner.stop();
    await app.checkpoint().catch(() => undefined);
    await app.close();
  }
}

type Lifecycle = Omit<QuickstartResult, 'home' | 'tokensFile' | 'projectId' | 'auditEntries' | 'seconds'>;

/** The scoring window a monitor would capture after a market change: a seeded sample of the data, shifted, without label and id. */
async function importDriftWindow(app: App, actor: Actor, projectId: string): Promise<string> {
  const raw = parseCsvFrame(readFileSync(CREDIT_DATA));
  const sample = splitFrame(raw, { label: LABEL, fractions: { train: 0.85, validation: 0, test: 0.15 }, seed: 2024 }).test;
  const scratch = mkdtempSync(join(tmpdir(), 'attest-quickstart-'));
  try {
    const path = join(scratch, 'drifted.csv');
    writeFileSync(path, writeCsv(marketShift(featuresOnly(sample))));
    const v = await app.datasets.importFile(actor, path, { projectId, name: 'credit-drifted-sample', description: 'Scoring window after a market shift', source: { shifted: [...SHIFTED_COLUMNS], sampledFrom: 'uci-credit-card-default', seed: 2024 } });
    return v.datasetVersionId;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function lifecycle(app: App, options: QuickstartOptions, projectId: string, team: Team, say: (step: number, text: string) => void, nudge: () => Promise<unknown>): Promise<Lifecycle> {
  const scientist = team.scientist.actor;
  const caller: JobCaller = { actor: scientist, principal: team.scientist.principal, facts: { secureTransport: true } };
  const raw = await app.datasets.importFile(scientist, CREDIT_DATA, { projectId, name: 'uci-credit-card-default', description: 'UCI default of credit card clients (Yeh 2009), CC BY 4.0' });
  say(2, `imported uci-credit-card-default@${raw.version}: ${raw.rowCount} rows × ${raw.schema.columns.length} columns, sha256 ${raw.sha256.slice(0, 16)}…, stored encrypted`);
  const drifted = await importDriftWindow(app, scientist, projectId);

  const pipelines = new PipelineService(app, { registry: pipelineRegistry(app) });
  const published = await pipelines.create(caller, PROJECT, parseDefinitionText(readFileSync(CREDIT_PIPELINE, 'utf8'), CREDIT_PIPELINE));
  const started = await pipelines.start(caller, PROJECT, published.name, {});
  const executionId = started.executionId;
  say(2, `pipeline ${published.name} v${published.version} (${published.changed ? 'published' : 'unchanged'}, sha256 ${published.definitionHash.slice(0, 12)}…, ${(published.definition.steps as unknown[]).length} steps) started by dana as execution ${executionId}, a trial of experiment ${published.name}`);

  const reported = new Set<string>();
  const total = started.steps.length;
  let execution: Execution = started;
  for (;;) {
    const status = await pipelines.engine.advance(executionId);
    await nudge();
    execution = (await pipelines.store.execution(executionId))!;
    for (const s of execution.steps) {
      if (reported.has(s.step) || s.status === 'pending' || s.status === 'running') continue;
      reported.add(s.step);
      await describeStep(app, projectId, scientist, s, say);
    }
    const running = execution.steps.filter((s) => s.status === 'running').map((s) => s.step);
    options.progress?.(reported.size, total, running.length ? `running ${running.join(', ')}` : 'steps done');
    if (isFinalExecution(status)) break;
    // Advanced again as soon as one of the steps' job processes ends.
    await sleepUnlessEnded(200);
  }
  if (execution.status !== 'succeeded') throw new AppError('PIPELINE_FAILED', { message: `The quickstart pipeline execution ${executionId} ${execution.status}: ${execution.failure ?? ''}`, details: { executionId } });

  const step = (name: string) => execution.steps.find((s) => s.step === name)!;
  const output = (name: string, role: string) => {
    const o = step(name).result?.outputs.find((x) => x.role === role);
    if (!o) throw new AppError('INTERNAL', { message: `step ${name} recorded no output ${role}` });
    return o;
  };
  const holdout = output('split', 'holdout');
  // The holdout must never be used; a legal hold keeps it, unchanged, as evidence.
  await app.artifacts.setLegalHold(options.operator, holdout.artifactId, true, projectId);
  say(2, `the holdout credit-holdout@${holdout.version} is under legal hold (set by the administrator)`);

  const experiment = await app.tracking.getExperiment(published.name, [projectId], projectId);
  const trial = (await app.tracking.listTrials(experiment.experimentId, [projectId])).find((t) => t.name === executionId)!;
  const componentIds: Record<string, string> = {};
  for (const s of execution.steps) if (s.result?.componentId) componentIds[s.step] = s.result.componentId;
  // The lineage reads of step 6 are authorized and audited like the server's (experiment:Describe, lineage:Read).
  const read = async <T>(action: string, type: string, id: string, fn: () => Promise<T>, details: (result: T) => Record<string, unknown>): Promise<T> => {
    const resource = await projectResourceName(app.db, projectId, type, id);
    await authorize(app, team.scientist, action, resource, PROJECT);
    const result = await fn();
    await recordOutcome({ db: app.db, ledger: app.ledger }, scientist, action, resource, 'allowed', details(result));
    return result;
  };
  const table = await read('experiment:Describe', 'experiment', experiment.experimentId, () => app.tracking.lineageTable(experiment.experimentId, [projectId], projectId), (t) => ({ view: 'lineage-table', rows: t.rows.length }));
  say(6, `lineage table of execution ${executionId} (experiment ${published.name}):`);
  const ours = new Set(Object.values(componentIds));
  for (const row of table.rows.filter((r) => ours.has(r.componentId))) {
    options.out(`        ${row.component.padEnd(34)} ${row.type.padEnd(11)} in: ${row.inputs.map((i) => i.role).join(',') || '-'}  out: ${row.outputs.map((o) => o.role).join(',') || '-'}  ${row.commit ? `commit ${row.commit.slice(0, 10)}` : ''}`);
  }
  const test = output('split', 'test');
  const downstream = (id: string) => read('lineage:Read', 'lineage', id, () => app.lineage.downstream(id, { visibleProjects: [projectId], types: ['component'], depth: 1 }), (g) => ({ direction: 'downstream', nodes: g.nodes.length }));
  const usedTest = await downstream(test.artifactId);
  say(6, `components that used the test split: ${usedTest.nodes.map((n) => n.name).join(', ') || 'none'}`);
  const usedHoldout = await downstream(holdout.artifactId);
  say(6, `components that used the holdout: ${usedHoldout.nodes.map((n) => n.name).join(', ') || 'none'}`);

  const violationsJson = JSON.parse((await app.artifacts.getBytes(scientist, output('drift-check', 'violations').artifactId, projectId)).bytes.toString('utf8')) as { violations: { feature_name: string; constraint_check_type: string }[] };
  const driftedVersion = await app.datasets.describe(projectId, drifted);
  return {
    experimentId: experiment.experimentId,
    experimentName: experiment.name,
    executionId,
    trialId: trial.trialId,
    pipelineVersion: published.version,
    datasetVersions: { raw: raw.datasetVersionId, holdout: holdout.datasetVersionId!, train: output('split', 'train').datasetVersionId!, validation: output('split', 'validation').datasetVersionId!, test: test.datasetVersionId!, drifted },
    artifacts: { raw: raw.artifactId, holdout: holdout.artifactId, train: output('split', 'train').artifactId, validation: output('split', 'validation').artifactId, test: test.artifactId, drifted: driftedVersion.artifactId, model: output('train', 'model').artifactId },
    componentIds,
    cacheHits: execution.steps.filter((s) => s.cacheHitFrom).map((s) => s.step),
    testAuc: step('evaluate').result?.metrics['test:auc'] ?? Number.NaN,
    registered: step('register').result?.registered ?? null,
    violations: violationsJson.violations.map((v) => ({ feature: v.feature_name, check: v.constraint_check_type })),
  };
}

const n = (v: number | undefined, digits = 4) => (v === undefined ? '?' : v.toFixed(digits));

/** One line (or a few) per finished step, from what the step recorded. */
async function describeStep(app: App, projectId: string, actor: Actor, s: StepExecution, say: (step: number, text: string) => void): Promise<void> {
  const stage = STAGE[s.step] ?? 5;
  const m = s.result?.metrics ?? {};
  const how = s.cacheHitFrom ? `cache hit, reused ${s.cacheHitFrom}` : s.jobId ? `job ${s.jobId}${s.attempts > 1 ? `, attempt ${s.attempts}` : ''}` : s.type;
  const head = `step ${s.step} (${how})`;
  if (s.status !== 'succeeded') {
    say(stage, `${head}: ${s.status}${s.message ? ` — ${s.message}` : ''}`);
    return;
  }
  const outputs = async () => {
    const parts: string[] = [];
    for (const o of s.result?.outputs ?? []) {
      const rows = o.datasetVersionId ? ` ${(await app.datasets.describe(projectId, o.datasetVersionId)).rowCount} rows` : '';
      parts.push(`${o.name}@${o.version}${rows}`);
    }
    return parts.join(', ');
  };
  switch (s.step) {
    case 'split':
      say(stage, `${head}: stratified 10 % holdout set aside (seed 42), the rest split 70/15/15 (seed 43): ${await outputs()}`);
      break;
    case 'train':
      say(stage, `${head}: ${m.trees ?? '?'} trees (paper hyperparameters), validation AUC ${n(m['validation:auc'])} logged per round; model stored encrypted as ${await outputs()}`);
      break;
    case 'evaluate':
      say(stage, `${head}: test split AUC ${n(m['test:auc'])}, KS ${n(m['test:ks'])}, Gini ${n(m['test:gini'])}, accuracy ${n(m['test:accuracy'])} at 0.5`);
      break;
    case 'quality-gate':
    case 'beats-champion':
      say(stage, `${head}: ${s.message}${s.result?.condition?.champion ? ` (champion: ${s.result.condition.champion})` : ''}`);
      break;
    case 'register':
      say(stage, `${head}: ${s.message}`);
      break;
    case 'explain': {
      const top = Object.entries(m).filter(([k]) => k.startsWith('shap:')).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k.slice(5)} ${v.toFixed(3)}`).join(', ');
      say(stage, `${head}: global SHAP importance (mean |SHAP|, log-odds): ${top}`);
      const codes = s.result?.outputs.find((o) => o.role === 'reason-codes');
      if (codes) {
        const rows = JSON.parse((await app.artifacts.getBytes(actor, codes.artifactId, projectId)).bytes.toString('utf8')) as { row: number; score: number; reasons: { name: string; value: unknown }[] }[];
        const worst = rows.reduce((a, b) => (b.score > a.score ? b : a), rows[0]!);
        say(stage, `reason codes for the declined applicant most likely to default (test row ${worst.row}, score ${(1 / (1 + Math.exp(-worst.score))).toFixed(3)}): ${worst.reasons.map((x) => `${x.name}=${x.value}`).join('; ')}`);
      }
      break;
    }
    case 'bias-sex':
    case 'bias-age':
      say(stage, `${head}: Clarify metrics for ${s.step === 'bias-sex' ? 'SEX=2' : 'AGE>40'} (100 bootstrap replicates): DPL ${n(m['bias:DPL'], 3)}, DI ${n(m['bias:DI'], 3)}; report ${await outputs()}`);
      break;
    case 'baseline':
      say(stage, `${head}: baseline credit-default suggested from the training split (statistics + constraints for ${m.features ?? '?'} features, signed, linked to the model)`);
      break;
    case 'drift-check':
      say(stage, `${head}: drift check of a market-shift window (${SHIFTED_COLUMNS.join(', ')} shifted) against the baseline: ${m.violations ?? '?'} violation(s); report ${(s.result?.outputs ?? []).find((o) => o.role === 'report-html')?.name ?? ''}`);
      break;
    default:
      say(stage, `${head}: ${s.status}`);
  }
}

/**
 * The closing "look at it with" lines. Every line that starts with `attest ` runs as printed
 * (test/e2e/quickstart.test.ts runs each one), except `attest server`, which keeps running.
 */
function summary(options: QuickstartOptions, r: Lifecycle, seconds: number): void {
  const h = `--home ${options.home}`;
  const p = `--project ${PROJECT}`;
  options.out(`[7/7] done in ${seconds.toFixed(1)} s${r.cacheHits.length ? ` (${r.cacheHits.length} step(s) reused from the cache: ${r.cacheHits.join(', ')})` : ''}. Everything is in ${options.home} (encrypted; the keyring is keyring.json). Look at it with:`);
  for (const line of [
    `attest pipelines describe-execution ${r.executionId} ${p} ${h}`,
    `attest pipelines executions credit-default ${p} ${h}`,
    `attest pipelines describe credit-default ${p} ${h}`,
    `attest experiments table ${r.experimentName} ${p} ${h}`,
    `attest jobs list ${p} ${h}`,
    `attest lineage downstream ${r.artifacts.test} ${p} ${h}        # what used the test split`,
    `attest lineage upstream ${r.artifacts.model} ${p} ${h}          # where the model came from`,
    `attest data list ${p} ${h}`,
    `attest artifact get credit-default-xgboost ${p} --out model.json ${h}`,
    `attest baseline show credit-default ${p} ${h}`,
    `attest artifact get credit-default-drift/report.html ${p} --out drift.html ${h}`,
    ...(r.registered
      ? [
          `attest models describe ${r.registered.group}@${r.registered.version} ${p} ${h}        # the registered version, ${r.registered.status}`,
          `as victor, the independent validator (his token is in quickstart-tokens.json; dana, its maker, is refused): ATTEST_TOKEN=<victor's token> attest models approve ${r.registered.group}@${r.registered.version} --comment "independent validation complete" ${p} ${h}`,
        ]
      : []),
    `attest audit list --outcome denied ${h}`,
    `attest audit verify ${h}`,
    `attest server ${h}   then, as dana: ATTEST_TOKEN=<her token from quickstart-tokens.json> attest whoami --server http://127.0.0.1:8443`,
    `the administrator's generated password is in ${options.home}/initial-admin.txt (mode 0600): attest login --server http://127.0.0.1:8443 --user admin --password-stdin`,
    `the lifecycle is pipelines/credit-default.yaml; run it again with a stricter gate (as dana, with her token): attest pipelines start credit-default --param min_auc=0.8 --wait ${p} ${h}`,
    `rerun: attest quickstart ${h}   (a new execution of the same pipeline; unchanged steps are reused from the cache)`,
  ]) {
    options.out(`        ${line}`);
  }
}
