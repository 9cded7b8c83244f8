/**
 * @module cli/commands/monitor-offline
 * File-based monitoring checks beside `monitor check`: model quality, prediction drift, bias drift
 * and feature-attribution drift. Each writes its results (Model Monitor's file names and shapes
 * where it has them) into --output, prints a summary (or --json), and with --fail-on-violation
 * exits non-zero when the check finds something.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { GlobalAttributions, QualityProblem } from '../../monitoring/index.js';
import type { CliContext } from '../context.js';
import { collect, intOption, isParquetFile, parsePairs, readDataFile, requireFile, writeFilesInto } from '../files.js';
import { printJson } from '../output.js';

function readJson(path: string, what: string): unknown {
  requireFile(path, what);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AppError('INVALID_INPUT', { message: `${path} is not valid JSON: ${(error as Error).message}` });
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function failOn(fail: boolean | undefined, count: number, what: string): void {
  if (fail && count > 0) throw new AppError('MONITORING_VIOLATIONS', { message: `${count} ${what}` });
}

function numberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new AppError('INVALID_INPUT', { message: `${flag} must be a number, not ${value}` });
  return n;
}

/** A contributions CSV/Parquet file, or a Clarify analysis.json (first character "{"). */
async function readAttributions(path: string, what: string): Promise<GlobalAttributions> {
  requireFile(path, what);
  const { attributionsFromClarify, attributionsFromContributions } = await import('../../monitoring/index.js');
  if (!isParquetFile(path) && readFileSync(path, 'utf8').trimStart().startsWith('{')) return attributionsFromClarify(readJson(path, what));
  return attributionsFromContributions(await readDataFile(path, what));
}

function monitorCommand(program: Command): Command {
  const monitor = program.commands.find((c) => c.name() === 'monitor');
  if (monitor === undefined) throw new AppError('INTERNAL', { message: 'The monitor command group must be registered before its offline checks' });
  return monitor;
}

export function registerOfflineMonitorCommands(program: Command, ctx: CliContext): void {
  const monitor = monitorCommand(program);

  monitor
    .command('model-quality')
    .description('model quality of a file of predictions with ground truth, binary, multiclass or regression: statistics.json (Model Monitor\'s metric set) and constraint_violations.json (`monitor quality` does this for captured traffic)')
    .requiredOption('--problem <type>', 'binary, multiclass or regression')
    .requiredOption('--data <file>', 'rows with the ground truth and the prediction (CSV or Parquet)')
    .requiredOption('--label <column>', 'ground-truth column')
    .requiredOption('--predicted <column>', 'predicted label (binary, multiclass) or value (regression)')
    .option('--probability <column>', 'binary: probability of the positive class (adds AUC and the curves)')
    .option('--positive <value>', 'binary: the label value that counts as positive, when not coded 0/1')
    .option('--constraints <file.json>', 'Model Monitor model-quality constraints, e.g. {"binary_classification_constraints":{"f1":{"threshold":0.7,"comparison_operator":"LessThanThreshold"}}} (the section may be left out)')
    .option('--seed <n>', 'seed of the 80 % subsamples behind the standard deviations', '0')
    .requiredOption('--output <dir>', 'directory for statistics.json and constraint_violations.json')
    .option('--fail-on-violation', 'exit non-zero when a constraint is violated')
    .option('--json', 'print the statistics as JSON')
    .action(async (o: { problem: string; data: string; label: string; predicted: string; probability?: string; positive?: string; constraints?: string; seed: string; output: string; failOnViolation?: boolean; json?: boolean }) => {
      const { checkModelQualityConstraints, modelQualityStatistics, qualityMetricValues } = await import('../../monitoring/index.js');
      if (o.problem !== 'binary' && o.problem !== 'multiclass' && o.problem !== 'regression') throw new AppError('INVALID_INPUT', { message: `--problem must be binary, multiclass or regression, not ${o.problem}` });
      const problem: QualityProblem = o.problem;
      if (problem !== 'binary' && (o.probability !== undefined || o.positive !== undefined)) throw new AppError('INVALID_INPUT', { message: '--probability and --positive apply to --problem binary only' });
      const constraints = o.constraints === undefined ? undefined : readJson(o.constraints, 'Constraints file');
      const frame = await readDataFile(o.data, 'Window data');
      const statistics = modelQualityStatistics(frame, problem, { label: o.label, predicted: o.predicted, ...(o.probability !== undefined ? { probability: o.probability } : {}), ...(o.positive !== undefined ? { positive: o.positive } : {}) }, intOption(o.seed, '--seed'));
      const violations = constraints === undefined ? [] : checkModelQualityConstraints(statistics, problem, constraints);
      const files: Record<string, string> = { 'statistics.json': json(statistics) };
      if (constraints !== undefined) files['constraint_violations.json'] = json({ violations });
      const written = writeFilesInto(o.output, files);
      if (o.json) printJson(ctx.io, { statistics, violations });
      else {
        const metrics = Object.entries(qualityMetricValues(statistics)).map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`);
        ctx.io.out(`${problem} model quality on ${frame.rowCount} rows: ${metrics.join(', ')}`);
        ctx.io.out(`${violations.length} violation(s)`);
        for (const v of violations) ctx.io.out(`  ${v.metric_name}: ${v.description}`);
        ctx.io.out(`results written: ${written.join(', ')}`);
      }
      failOn(o.failOnViolation, violations.length, 'model-quality constraint violation(s)');
    });

  monitor
    .command('prediction-drift')
    .description('drift of the model\'s output column (scores or predicted labels) between a reference and a window: every statistic and the default test')
    .requiredOption('--reference <file>', 'reference predictions, e.g. on the training or validation data (CSV or Parquet)')
    .requiredOption('--data <file>', 'the window\'s predictions')
    .option('--column <name>', 'output column (as `attest model predict` names it)', 'prediction')
    .requiredOption('--output <dir>', 'directory for prediction_drift.json')
    .option('--fail-on-drift', 'exit non-zero when the output drifted')
    .option('--json', 'print the result as JSON')
    .action(async (o: { reference: string; data: string; column: string; output: string; failOnDrift?: boolean; json?: boolean }) => {
      const [{ requireColumn }, { distributionFromColumn, predictionDrift }] = await Promise.all([import('../../data/index.js'), import('../../monitoring/index.js')]);
      const reference = requireColumn(await readDataFile(o.reference, 'Reference data'), o.column, `--column of ${o.reference}`);
      const current = requireColumn(await readDataFile(o.data, 'Window data'), o.column, `--column of ${o.data}`);
      if (reference.kind !== current.kind) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `"${o.column}" is ${reference.kind} in the reference and ${current.kind} in the window` });
      const drift = predictionDrift(distributionFromColumn(reference), distributionFromColumn(current));
      const written = writeFilesInto(o.output, { 'prediction_drift.json': json(drift) });
      if (o.json) printJson(ctx.io, drift);
      else {
        ctx.io.out(`prediction drift of ${o.column}: ${drift.drifted ? 'DRIFTED' : 'no drift'} (${drift.test.name} ${drift.test.kind === 'p_value' ? 'p' : 'distance'} = ${Number(drift.test.value.toPrecision(4))}, effect size ${Number(drift.effectSize.toPrecision(4))})`);
        ctx.io.out(`results written: ${written.join(', ')}`);
      }
      failOn(o.failOnDrift, drift.drifted ? 1 : 0, 'drifted output column');
    });

  monitor
    .command('bias-drift')
    .description('bias drift: every metric of a baseline bias report (attest bias --output) compared with a current one; bias_drift_check violations')
    .requiredOption('--baseline <file.json>', 'bias report of the baseline data')
    .requiredOption('--current <file.json>', 'bias report of the window')
    .option('--tolerance <t>', 'allowed change of a metric', '0.1')
    .option('--mode <mode>', 'absolute or relative (change divided by |baseline|)', 'absolute')
    .option('--metric-tolerance <NAME=t>', 'per-metric tolerance, repeatable (e.g. DI=0.2)', collect, [])
    .requiredOption('--output <dir>', 'directory for constraint_violations.json and bias_drift.json')
    .option('--fail-on-violation', 'exit non-zero when a metric drifted')
    .option('--json', 'print the result as JSON')
    .action(async (o: { baseline: string; current: string; tolerance: string; mode: string; metricTolerance: string[]; output: string; failOnViolation?: boolean; json?: boolean }) => {
      const { biasDrift } = await import('../../monitoring/index.js');
      if (o.mode !== 'absolute' && o.mode !== 'relative') throw new AppError('INVALID_INPUT', { message: `--mode must be absolute or relative, not ${o.mode}` });
      const tolerance = numberOption(o.tolerance, '--tolerance')!;
      if (tolerance < 0) throw new AppError('INVALID_INPUT', { message: '--tolerance must not be negative' });
      const perMetric = parsePairs(o.metricTolerance, '--metric-tolerance');
      const baseline = readJson(o.baseline, 'Baseline report');
      const current = readJson(o.current, 'Current report');
      const metricTolerances = Object.fromEntries(Object.entries(perMetric).map(([name, t]) => [name, numberOption(t, `--metric-tolerance ${name}`)!]));
      const result = biasDrift(baseline, current, { tolerance, mode: o.mode, metricTolerances });
      const written = writeFilesInto(o.output, { 'constraint_violations.json': json({ violations: result.violations }), 'bias_drift.json': json(result) });
      if (o.json) printJson(ctx.io, result);
      else {
        ctx.io.out(`${result.comparisons.length} bias metric(s) compared; ${result.violations.length} drifted beyond the tolerance`);
        for (const v of result.violations) ctx.io.out(`  ${v.facet}=${v.facet_value} ${v.metric_name}: ${v.description}`);
        ctx.io.out(`results written: ${written.join(', ')}`);
      }
      failOn(o.failOnViolation, result.violations.length, 'bias drift violation(s)');
    });

  monitor
    .command('attribution-drift')
    .description('feature-attribution drift: nDCG of the window\'s global SHAP ranking against the baseline\'s (Model Monitor\'s rule, violation below 0.9)')
    .requiredOption('--baseline <file>', 'contributions of the baseline data (attest explain shap --output) or a Clarify analysis.json')
    .requiredOption('--current <file>', 'contributions of the window, same kind')
    .option('--threshold <t>', 'nDCG below this is a violation', '0.9')
    .requiredOption('--output <dir>', 'directory for constraint_violations.json and attribution_drift.json')
    .option('--fail-on-violation', 'exit non-zero when the ranking drifted')
    .option('--json', 'print the result as JSON')
    .action(async (o: { baseline: string; current: string; threshold: string; output: string; failOnViolation?: boolean; json?: boolean }) => {
      const { attributionDriftCheck } = await import('../../monitoring/index.js');
      const threshold = numberOption(o.threshold, '--threshold')!;
      if (!(threshold > 0 && threshold <= 1)) throw new AppError('INVALID_INPUT', { message: `--threshold must be in (0, 1], not ${o.threshold}` });
      const result = attributionDriftCheck(await readAttributions(o.baseline, 'Baseline attributions'), await readAttributions(o.current, 'Current attributions'), threshold);
      const written = writeFilesInto(o.output, { 'constraint_violations.json': json({ violations: result.violations }), 'attribution_drift.json': json(result) });
      if (o.json) printJson(ctx.io, result);
      else {
        for (const l of result.labels) ctx.io.out(`${l.label}: nDCG ${Number(l.ndcg.toPrecision(6))}${l.ndcg < threshold ? ` below ${threshold}: attribution drift` : ''}`);
        ctx.io.out(`results written: ${written.join(', ')}`);
      }
      failOn(o.failOnViolation, result.violations.length, 'feature attribution drift violation(s)');
    });
}
