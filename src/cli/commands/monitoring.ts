import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import { buildReport, monitorCheck, parseConstraints, parseStatistics, renderReportHtml, suggestBaseline } from '../../monitoring/index.js';
import type { Baseline } from '../../monitoring/index.js';
import type { CliContext } from '../context.js';
import { readCsvFile, writeFilesInto } from '../files.js';

function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new AppError('INVALID_INPUT', { message: `${path} does not exist` });
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AppError('INVALID_INPUT', { message: `${path} is not valid JSON: ${(error as Error).message}` });
  }
}

/** Reads a baseline directory (statistics.json + constraints.json, Model Monitor's formats). */
export function readBaselineDir(dir: string): Baseline {
  return {
    statistics: parseStatistics(readJsonFile(join(dir, 'statistics.json'))),
    constraints: parseConstraints(readJsonFile(join(dir, 'constraints.json'))),
  };
}

export function registerMonitoringCommands(program: Command, ctx: CliContext): void {
  const baseline = program.command('baseline').description('monitoring baselines in SageMaker Model Monitor\'s format');
  baseline
    .command('suggest')
    .description('profile data and suggest constraints (Deequ\'s rules): writes statistics.json and constraints.json')
    .requiredOption('--data <csv>', 'baseline data, e.g. the training split')
    .requiredOption('--output <dir>', 'directory for statistics.json and constraints.json')
    .action(async (o: { data: string; output: string }) => {
      const frame = await readCsvFile(o.data, 'Baseline data');
      const result = suggestBaseline(frame);
      const written = writeFilesInto(o.output, {
        'statistics.json': `${JSON.stringify(result.statistics, null, 2)}\n`,
        'constraints.json': `${JSON.stringify(result.constraints, null, 2)}\n`,
      });
      ctx.io.out(`baseline of ${frame.rowCount} rows × ${frame.columns.length} columns written: ${written.join(', ')}`);
    });

  const monitor = program.command('monitor').description('data-quality and drift monitoring');
  monitor
    .command('check')
    .description('check a window of data against a baseline: constraint_violations.json, drift report (JSON + HTML)')
    .requiredOption('--baseline <dir>', 'directory with statistics.json and constraints.json')
    .requiredOption('--data <csv>', 'the window to check')
    .requiredOption('--output <dir>', 'directory for the results')
    .option('--fail-on-violation', 'exit non-zero when any violation is found')
    .action(async (o: { baseline: string; data: string; output: string; failOnViolation?: boolean }) => {
      const base = readBaselineDir(o.baseline);
      const frame = await readCsvFile(o.data, 'Window data');
      const result = monitorCheck(base, frame);
      const input = { title: `Monitoring check of ${o.data}`, runAt: new Date().toISOString(), baseline: base.statistics, current: result.statistics, violations: result.violations, drift: result.driftReport };
      const report = buildReport(input);
      const written = writeFilesInto(o.output, {
        'constraint_violations.json': `${JSON.stringify(result.violations, null, 2)}\n`,
        'statistics.json': `${JSON.stringify(result.statistics, null, 2)}\n`,
        'drift_report.json': `${JSON.stringify(result.driftReport, null, 2)}\n`,
        'report.json': `${JSON.stringify(report, null, 2)}\n`,
        'report.html': renderReportHtml(input),
      });
      const v = result.violations.violations;
      ctx.io.out(`${v.length} violation(s); drifted features: ${result.driftReport.driftedFeatures.join(', ') || 'none'}`);
      for (const violation of v) ctx.io.out(`  ${violation.constraint_check_type}  ${violation.feature_name}: ${violation.description}`);
      ctx.io.out(`results written: ${written.join(', ')}`);
      if (o.failOnViolation && v.length > 0) throw new AppError('MONITORING_VIOLATIONS', { message: `${v.length} monitoring violation(s) against the baseline` });
    });
}
