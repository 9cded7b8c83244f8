import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { Baseline, MonitoringConfigOverrides } from '../../monitoring/index.js';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { collect, readCsvFile, writeFilesInto } from '../files.js';
import { printJson } from '../output.js';

function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new AppError('INVALID_INPUT', { message: `${path} does not exist` });
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AppError('INVALID_INPUT', { message: `${path} is not valid JSON: ${(error as Error).message}` });
  }
}

/** Reads a baseline directory (statistics.json + constraints.json, Model Monitor's formats). */
export async function readBaselineDir(dir: string): Promise<Baseline> {
  const { parseConstraints, parseStatistics } = await import('../../monitoring/index.js');
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
      const { suggestBaseline } = await import('../../monitoring/index.js');
      const frame = await readCsvFile(o.data, 'Baseline data');
      const result = suggestBaseline(frame);
      const written = writeFilesInto(o.output, {
        'statistics.json': `${JSON.stringify(result.statistics, null, 2)}\n`,
        'constraints.json': `${JSON.stringify(result.constraints, null, 2)}\n`,
      });
      ctx.io.out(`baseline of ${frame.rowCount} rows × ${frame.columns.length} columns written: ${written.join(', ')}`);
    });

  const project = (c: Command) => common(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  project(baseline.command('create').description('governed baseline from a dataset version: stored encrypted, signed, versioned, attached to a model'))
    .requiredOption('--name <name>', 'baseline name')
    .requiredOption('--dataset <ref>', 'dataset version (NAME, NAME@VERSION or id), e.g. the training split')
    .option('--model <ref>', 'model artifact the baseline belongs to (id or name)')
    .option('--exclude <columns>', 'columns that are not model inputs (e.g. ID,default)')
    .action(async (o: CommonOptions & { project?: string; name: string; dataset: string; model?: string; exclude?: string }) => {
      const stored = await ctx.withApp(o, async (app, actor) =>
        app.baselines.create(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), {
          name: o.name,
          dataset: o.dataset,
          ...(o.model ? { model: o.model } : {}),
          ...(o.exclude ? { exclude: o.exclude.split(',').map((c) => c.trim()) } : {}),
        }),
      );
      if (o.json) printJson(ctx.io, stored.manifest);
      else ctx.io.out(`baseline ${stored.manifest.name}@${stored.manifest.version}: ${stored.statistics.features.length} features, signed by ${stored.manifest.signature?.keyId}#${stored.manifest.signature?.keyVersion}`);
    });

  project(baseline.command('show <ref>').description('verify a governed baseline\'s signature and show it (NAME or NAME@VERSION)'))
    .option('--output <dir>', 'also write statistics.json and constraints.json here')
    .action(async (ref: string, o: CommonOptions & { project?: string; output?: string }) => {
      const stored = await ctx.withApp(o, async (app, actor) => app.baselines.get(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), ref));
      if (o.output) {
        writeFilesInto(o.output, { 'statistics.json': `${JSON.stringify(stored.statistics, null, 2)}\n`, 'constraints.json': `${JSON.stringify(stored.constraints, null, 2)}\n` });
      }
      if (o.json) printJson(ctx.io, stored.manifest);
      else ctx.io.out(`baseline ${stored.manifest.name}@${stored.manifest.version} verified (signature ${stored.manifest.signature?.algorithm} by ${stored.manifest.signature?.keyId}); ${stored.statistics.features.length} features, from ${stored.manifest.dataset?.datasetVersionId ?? 'files'}${stored.manifest.model ? `, attached to ${stored.manifest.model.artifactId}` : ''}`);
    });

  project(baseline.command('override <ref>').description('new baseline version with per-feature threshold overrides, e.g. --set LIMIT_BAL:comparison_threshold=0.2'))
    .requiredOption('--set <feature:key=value>', 'override, repeatable', collect, [])
    .action(async (ref: string, o: CommonOptions & { project?: string; set: string[] }) => {
      const overrides: Record<string, Record<string, string | number>> = {};
      for (const item of o.set) {
        const m = /^([^:]+):([a-z_]+)=(.+)$/.exec(item);
        if (!m) throw new AppError('INVALID_INPUT', { message: `--set takes feature:key=value, not "${item}"` });
        const value = Number(m[3]);
        const feature = overrides[m[1]!] ?? {};
        feature[m[2]!] = Number.isFinite(value) ? value : m[3]!;
        overrides[m[1]!] = feature;
      }
      // The keys and value types are validated against the overrides schema by the service.
      const stored = await ctx.withApp(o, async (app, actor) => app.baselines.override(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), ref, overrides as Record<string, MonitoringConfigOverrides>));
      if (o.json) printJson(ctx.io, stored.manifest);
      else ctx.io.out(`baseline ${stored.manifest.name}@${stored.manifest.version} with overrides for ${Object.keys(overrides).join(', ')}`);
    });

  const monitor = program.command('monitor').description('data-quality and drift monitoring');
  monitor
    .command('check')
    .description('check a window of data against a baseline: constraint_violations.json, drift report (JSON + HTML)')
    .option('--baseline <dir>', 'directory with statistics.json and constraints.json')
    .option('--data <csv>', 'the window to check')
    .option('--baseline-name <ref>', 'a governed baseline in the home (signature verified) instead of --baseline')
    .option('--dataset <ref>', 'a dataset version in the home instead of --data')
    .option('--home <dir>', 'installation home, for --baseline-name / --dataset')
    .option('--project <name>', 'project, for --baseline-name / --dataset', DEFAULT_PROJECT)
    .requiredOption('--output <dir>', 'directory for the results')
    .option('--fail-on-violation', 'exit non-zero when any violation is found')
    .option('--exact-drift', "drift against the baseline's reference dataset version (--baseline-name) or --reference-data, not its sketches: SciPy's figures at any size")
    .option('--reference-data <csv>', 'with --baseline DIR and --exact-drift: the rows the baseline was computed from')
    .action(
      async (o: {
        baseline?: string;
        data?: string;
        baselineName?: string;
        dataset?: string;
        home?: string;
        project: string;
        output: string;
        failOnViolation?: boolean;
        exactDrift?: boolean;
        referenceData?: string;
      }) => {
      if ((o.baseline === undefined) === (o.baselineName === undefined)) throw new AppError('INVALID_INPUT', { message: 'Give exactly one of --baseline DIR or --baseline-name NAME' });
      if ((o.data === undefined) === (o.dataset === undefined)) throw new AppError('INVALID_INPUT', { message: 'Give exactly one of --data CSV or --dataset NAME' });
      if (o.referenceData !== undefined && (o.exactDrift !== true || o.baseline === undefined)) {
        throw new AppError('INVALID_INPUT', { message: '--reference-data goes with --exact-drift and --baseline DIR (a governed baseline knows its reference dataset)' });
      }
      if (o.exactDrift === true && o.baseline !== undefined && o.referenceData === undefined) {
        throw new AppError('INVALID_INPUT', { message: '--exact-drift with --baseline DIR needs --reference-data CSV (the rows the baseline was computed from)' });
      }
      const governed =
        o.baselineName !== undefined || o.dataset !== undefined
          ? await ctx.withApp(o, async (app, actor) => {
              const projectId = await projectIdByName(app, o.project);
              const base = o.baselineName !== undefined ? await app.baselines.get(actor, projectId, o.baselineName) : undefined;
              const reference = base !== undefined && o.exactDrift === true ? await app.baselines.reference(actor, projectId, base) : undefined;
              return { base, frame: o.dataset !== undefined ? await app.baselines.window(actor, projectId, o.dataset) : undefined, reference };
            })
          : { base: undefined, frame: undefined, reference: undefined };
      const { buildReport, monitorCheck, renderReportHtml } = await import('../../monitoring/index.js');
      const base = governed.base ?? (await readBaselineDir(o.baseline!));
      const frame = governed.frame ?? (await readCsvFile(o.data!, 'Window data'));
      const referenceFrame = governed.reference ?? (o.referenceData !== undefined ? await readCsvFile(o.referenceData, 'Reference data') : undefined);
      const result = monitorCheck(base, frame, referenceFrame !== undefined ? { referenceFrame } : {});
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
      if (!result.driftReport.basis.exact) ctx.io.out(`drift basis: ${result.driftReport.basis.note}`);
      if (o.failOnViolation && v.length > 0) throw new AppError('MONITORING_VIOLATIONS', { message: `${v.length} monitoring violation(s) against the baseline` });
      },
    );
}
