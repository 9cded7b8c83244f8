import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { CliContext } from '../context.js';
import { intOption, readCsvFile, readModelFile, writeFileAtomic, writeFilesInto } from '../files.js';

const PARALLEL_MIN_ROWS = 5000;

export function registerExplainCommands(program: Command, ctx: CliContext): void {
  const explain = program.command('explain').description('SHAP explanations, reason codes and explanation reports');

  explain
    .command('shap')
    .description('exact TreeSHAP contributions (features then BIAS; class:feature blocks for multiclass)')
    .requiredOption('--model <model.json>', 'model file')
    .requiredOption('--input <csv>', 'rows to explain')
    .requiredOption('--output <csv>', 'contributions CSV')
    .option('--interactions', 'SHAP interaction values instead')
    .action(async (o: { model: string; input: string; output: string; interactions?: boolean }) => {
      const { contributionsCsv, formatContributionsCsv, treeShapParallel } = await import('../../ml/explain/index.js');
      const { toFeatureMatrix } = await import('../../data/index.js');
      const model = await readModelFile(o.model);
      const x = toFeatureMatrix(await readCsvFile(o.input, 'Input'), model.featureNames);
      // Large batches use both cores (bit-identical to the single-threaded result).
      const csv = !o.interactions && x.rows >= PARALLEL_MIN_ROWS ? formatContributionsCsv(await treeShapParallel(model, x)) : contributionsCsv(model, x, { interactions: o.interactions === true });
      writeFileAtomic(o.output, csv);
      ctx.io.out(`${x.rows} rows explained into ${o.output}`);
    });

  explain
    .command('reasons')
    .description('adverse-action reason codes: the features that pushed each score toward the adverse outcome')
    .requiredOption('--model <model.json>', 'model file')
    .requiredOption('--input <csv>', 'rows to explain')
    .option('--top <k>', 'reasons per row', '4')
    .option('--adverse <direction>', 'higher (risk score) or lower (approval score)', 'higher')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; input: string; top: string; adverse: string; json?: boolean }) => {
      const { formatReasonsJson, formatReasonsText, reasonsForFrame } = await import('../../ml/explain/index.js');
      const model = await readModelFile(o.model);
      if (o.adverse !== 'higher' && o.adverse !== 'lower') throw new AppError('INVALID_INPUT', { message: '--adverse must be higher or lower' });
      const topK = intOption(o.top, '--top')!;
      if (topK < 1) throw new AppError('INVALID_INPUT', { message: '--top must be at least 1' });
      const rows = reasonsForFrame(model, await readCsvFile(o.input, 'Input'), { topK, adverse: o.adverse });
      ctx.io.out((o.json ? formatReasonsJson(rows) : formatReasonsText(rows)).replace(/\n$/, ''));
    });

  explain
    .command('report')
    .description('explanation report: SHAP importance and summary, dependence, partial dependence, permutation importance, surrogate tree (JSON + HTML)')
    .requiredOption('--model <model.json>', 'model file')
    .requiredOption('--data <csv>', 'data to explain')
    .option('--label <column>', 'label column (enables permutation importance)')
    .requiredOption('--output <dir>', 'directory for explanation.json and explanation.html')
    .action(async (o: { model: string; data: string; label?: string; output: string }) => {
      const { explanationReportFiles } = await import('../../ml/explain/index.js');
      const model = await readModelFile(o.model);
      const files = explanationReportFiles(model, await readCsvFile(o.data, 'Data'), o.label);
      const written = writeFilesInto(o.output, { 'explanation.json': files.json, 'explanation.html': files.html });
      ctx.io.out(`explanation report written: ${written.join(', ')}`);
    });
}
