import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import type { QualityOptions } from '../../capture/index.js';
import { AppError } from '../../kernel/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { readCsvFile, requireFile, writeFilesInto } from '../files.js';
import { printJson } from '../output.js';

interface SourceOptions extends CommonOptions {
  project?: string;
  source: string;
}

export function registerCaptureCommands(program: Command, ctx: CliContext): void {
  const capture = program.command('capture').description('captured inference traffic and ground truth (Model Monitor\'s JSON-lines formats), stored encrypted by hour');
  const project = (c: Command) => common(c).option('--project <name>', 'project', DEFAULT_PROJECT).requiredOption('--source <name>', 'endpoint or batch job the records come from');

  project(capture.command('ingest <file.jsonl>').description('store captured request/response records')).action(async (file: string, o: SourceOptions) => {
    requireFile(file, 'Capture file');
    const r = await ctx.withApp(o, async (app, actor) => app.capture.ingestCaptures(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), o.source, readFileSync(file, 'utf8')));
    if (o.json) printJson(ctx.io, r);
    else ctx.io.out(`stored ${r.records} capture record(s) in ${r.partitions.length} hourly partition(s): ${r.partitions.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  });

  project(capture.command('ground-truth <file.jsonl>').description('store ground-truth labels that arrived (keyed by inference id or event id)')).action(async (file: string, o: SourceOptions) => {
    requireFile(file, 'Ground-truth file');
    const r = await ctx.withApp(o, async (app, actor) => app.capture.ingestGroundTruth(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), o.source, readFileSync(file, 'utf8')));
    if (o.json) printJson(ctx.io, r);
    else ctx.io.out(`stored ${r.records} ground-truth record(s) in ${r.partitions[0]?.name}@${r.partitions[0]?.version}`);
  });

  const monitor = program.commands.find((c) => c.name() === 'monitor') ?? program.command('monitor');
  project(monitor.command('estimate').description('label-free performance estimate (CBPE) of a window of captured scores, calibrated on a labelled reference'))
    .requiredOption('--reference <csv>', 'reference predictions with columns label and score (e.g. the validation split)')
    .option('--from <time>', 'window start (inference time, ISO-8601)')
    .option('--to <time>', 'window end (exclusive)')
    .option('--threshold <p>', 'decision threshold', '0.5')
    .action(async (o: SourceOptions & { reference: string; from?: string; to?: string; threshold: string }) => {
      const { labelVector } = await import('../../data/index.js');
      const frame = await readCsvFile(o.reference, 'Reference');
      const reference = { scores: labelVector(frame, 'score'), labels: labelVector(frame, 'label') };
      const threshold = Number(o.threshold);
      if (!(threshold >= 0 && threshold <= 1)) throw new AppError('INVALID_INPUT', { message: `--threshold must be a probability, not ${o.threshold}` });
      const r = await ctx.withApp(o, async (app, actor) =>
        app.capture.estimatePerformance(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), { source: o.source, reference, threshold, ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) }),
      );
      if (o.json) {
        printJson(ctx.io, r);
        return;
      }
      ctx.io.out(`${r.rows} captured predictions (${r.labelled} labelled so far)`);
      for (const metric of Object.keys(r.estimated) as (keyof typeof r.estimated)[]) {
        const realised = r.realised ? `  realised ${r.realised[metric].toFixed(4)}` : '';
        ctx.io.out(`  ${metric.padEnd(9)} estimated ${r.estimated[metric].toFixed(4)}${realised}${r.alerts.includes(metric) ? '  ALERT (outside the reference band)' : ''}`);
      }
      for (const w of r.warnings) ctx.io.out(`  warning: ${w}`);
    });

  project(monitor.command('quality').description('model quality of a binary classifier over a window of captured traffic with the labels that have arrived'))
    .option('--from <time>', 'window start (inference time, ISO-8601)')
    .option('--to <time>', 'window end (exclusive)')
    .option('--threshold <p>', 'scores above this are predicted positive', '0.5')
    .option('--constraints <file.json>', 'Model Monitor model-quality constraints, e.g. {"auc":{"threshold":0.75,"comparison_operator":"LessThanThreshold"}}')
    .option('--output <dir>', 'write model_quality.json and constraint_violations.json here')
    .option('--fail-on-violation', 'exit non-zero when a constraint is violated')
    .action(async (o: SourceOptions & { from?: string; to?: string; threshold: string; constraints?: string; output?: string; failOnViolation?: boolean }) => {
      const threshold = Number(o.threshold);
      if (!(threshold >= 0 && threshold <= 1)) throw new AppError('INVALID_INPUT', { message: `--threshold must be a probability, not ${o.threshold}` });
      let constraints: QualityOptions['constraints'];
      if (o.constraints) {
        requireFile(o.constraints, 'Constraints file');
        try {
          constraints = JSON.parse(readFileSync(o.constraints, 'utf8')) as QualityOptions['constraints'];
        } catch (error) {
          throw new AppError('INVALID_INPUT', { message: `${o.constraints} is not valid JSON: ${(error as Error).message}` });
        }
      }
      const report = await ctx.withApp(o, async (app, actor) =>
        app.capture.binaryQuality(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), {
          source: o.source,
          threshold,
          ...(o.from ? { from: o.from } : {}),
          ...(o.to ? { to: o.to } : {}),
          ...(constraints ? { constraints } : {}),
        }),
      );
      if (o.output) {
        writeFilesInto(o.output, {
          'model_quality.json': `${JSON.stringify({ binary_classification_metrics: report.binary_classification_metrics }, null, 2)}\n`,
          'constraint_violations.json': `${JSON.stringify({ violations: report.violations }, null, 2)}\n`,
        });
      }
      if (o.json) printJson(ctx.io, report);
      else {
        const m = report.binary_classification_metrics;
        ctx.io.out(`${report.merged} of ${report.captured} captured predictions have labels; AUC ${m.auc?.value.toFixed(4)} ± ${m.auc?.standard_deviation}, recall ${m.recall.value.toFixed(4)}, precision ${m.precision.value.toFixed(4)}, accuracy ${m.accuracy.value.toFixed(4)}`);
        for (const v of report.violations) ctx.io.out(`  ${v.constraint_check_type}  ${v.metric_name}: ${v.description}`);
      }
      if (o.failOnViolation && report.violations.length > 0) throw new AppError('MONITORING_VIOLATIONS', { message: `${report.violations.length} model-quality violation(s)` });
    });
}
