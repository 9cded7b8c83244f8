import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { readCsvFile, writeFileAtomic } from '../files.js';

export function registerBiasCommands(program: Command, ctx: CliContext): void {
  program
    .command('bias')
    .description('pre- and post-training bias metrics, SageMaker Clarify-compatible, with bootstrap intervals')
    .requiredOption('--data <csv>', 'rows with facet, label and (optionally) predicted label')
    .requiredOption('--label <column>', 'label column')
    .requiredOption('--positive <values>', 'label values that count as the positive outcome (comma-separated), or a threshold')
    .requiredOption('--facet <column>', 'facet column (several joined by "," for an intersectional facet)')
    .option('--sensitive <values>', 'facet values of the sensitive group d (comma-separated)')
    .option('--threshold <t>', 'for a continuous facet: d = value > t (an integer facet with under 5% distinct values selects value == t, as Clarify does; a warning says so)')
    .option('--group <column>', 'group variable for CDDL / CDDPL')
    .option('--predicted <column>', 'predicted label (or score) column for post-training metrics')
    .option('--predicted-positive <values>', 'predicted values that count as a positive prediction (default: the --positive values)')
    .option('--predicted-threshold <p>', 'read --predicted as scores: above this is a positive prediction (default: 0.5 only for a column of scores in [0, 1])')
    .option('--probability-threshold <p>', 'older name of --predicted-threshold')
    .option('--features <columns>', 'columns the flip test uses (default: all but facet, label and prediction)')
    .option('--bootstrap <n>', 'bootstrap replicates for confidence intervals')
    .option('--seed <n>', 'bootstrap seed')
    .option('--min-group-size <n>', 'below this many rows a facet\'s metrics are flagged unreliable')
    .requiredOption('--output <file.json>', 'report (Clarify analysis.json shape plus intervals)')
    .option('--report <file.html>', 'also an HTML report: each metric per facet value with its interval')
    .action(async (o: Record<string, string | undefined> & { data: string; output: string }) => {
      const { biasReportJson, renderBiasReportHtml, runBiasCommand } = await import('../../ml/fairness/index.js');
      const frame = await readCsvFile(o.data, 'Data');
      const report = runBiasCommand(frame, {
        label: o.label!,
        positive: o.positive!,
        facet: o.facet!,
        ...(o.sensitive !== undefined ? { sensitive: o.sensitive } : {}),
        ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
        ...(o.group !== undefined ? { group: o.group } : {}),
        ...(o.predicted !== undefined ? { predicted: o.predicted } : {}),
        ...(o.predictedPositive !== undefined ? { predictedPositive: o.predictedPositive } : {}),
        ...(o.predictedThreshold !== undefined ? { predictedThreshold: o.predictedThreshold } : {}),
        ...(o.probabilityThreshold !== undefined ? { probabilityThreshold: o.probabilityThreshold } : {}),
        ...(o.features !== undefined ? { features: o.features } : {}),
        ...(o.bootstrap !== undefined ? { bootstrap: o.bootstrap } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.minGroupSize !== undefined ? { minGroupSize: o.minGroupSize } : {}),
      });
      for (const warning of report.attest.warnings) ctx.io.err(`attest: warning: ${warning}`);
      writeFileAtomic(o.output, biasReportJson(report));
      if (o.report !== undefined) writeFileAtomic(o.report, renderBiasReportHtml(report, `Bias report: ${o.facet} in ${o.data}`));
      ctx.io.out(`bias report written to ${o.output}${o.report !== undefined ? ` and ${o.report}` : ''}`);
    });
}
