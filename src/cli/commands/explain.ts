import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { CliContext } from '../context.js';
import { intOption, readDataFile, readModelFile, writeFileAtomic, writeFilesInto } from '../files.js';
import { readScoringModelFile } from '../model-files.js';
import type { ShapMethod } from './explain-methods.js';

const PARALLEL_MIN_ROWS = 5000;

export function registerExplainCommands(program: Command, ctx: CliContext): void {
  const explain = program.command('explain').description('SHAP explanations, reason codes and explanation reports');

  explain
    .command('shap')
    .description('SHAP contributions (features then BIAS; class:feature blocks for multiclass): exact TreeSHAP, interventional TreeSHAP or KernelSHAP')
    .requiredOption('--model <model.json>', 'model file (tree model, or a logistic regression with --method kernel)')
    .requiredOption('--input <file>', 'rows to explain (CSV or Parquet)')
    .requiredOption('--output <csv>', 'contributions CSV')
    .option('--interactions', 'SHAP interaction values instead (--method tree)')
    .option('--method <name>', 'tree (path-dependent, default for tree models), interventional (against --background) or kernel (model-agnostic, default for a logistic regression)')
    .option('--background <file>', 'background rows for interventional and kernel (shap suggests about 100)')
    .option('--nsamples <n>', 'kernel: coalitions per row (default 2·features + 2048)')
    .option('--background-clusters <k>', 'kernel: summarise the background by k weighted k-means centres')
    .option('--link <name>', 'kernel: identity (probability) or logit', 'identity')
    .option('--seed <n>', 'kernel: sampler seed', '0')
    .action(async (o: { model: string; input: string; output: string; interactions?: boolean; method?: string; background?: string; nsamples?: string; backgroundClusters?: string; link: string; seed: string }) => {
      const scoring = await readScoringModelFile(o.model);
      const method = o.method ?? (scoring.kind === 'logistic' ? 'kernel' : 'tree');
      if (method !== 'tree' && method !== 'interventional' && method !== 'kernel') throw new AppError('INVALID_INPUT', { message: `--method must be tree, interventional or kernel, not ${method}` });
      if (o.link !== 'identity' && o.link !== 'logit') throw new AppError('INVALID_INPUT', { message: `--link must be identity or logit, not ${o.link}` });
      if (method !== 'tree') {
        if (o.interactions) throw new AppError('INVALID_INPUT', { message: '--interactions needs --method tree' });
        const nsamples = intOption(o.nsamples, '--nsamples');
        if (nsamples !== undefined && nsamples < 1) throw new AppError('INVALID_INPUT', { message: '--nsamples must be at least 1' });
        const clusters = intOption(o.backgroundClusters, '--background-clusters');
        const { explainWithBackground } = await import('./explain-methods.js');
        const result = explainWithBackground(scoring, await readDataFile(o.input, 'Input'), {
          method: method as ShapMethod,
          ...(o.background !== undefined ? { background: await readDataFile(o.background, 'Background') } : {}),
          ...(nsamples !== undefined ? { nsamples } : {}),
          ...(clusters !== undefined ? { backgroundClusters: clusters } : {}),
          seed: intOption(o.seed, '--seed')!,
          link: o.link,
        });
        writeFileAtomic(o.output, result.csv);
        ctx.io.out(`${result.rows} rows explained (${method} SHAP) into ${o.output}`);
        return;
      }
      if (scoring.kind !== 'trees') throw new AppError('MODEL_UNSUPPORTED', { message: 'TreeSHAP explains tree models; use --method kernel --background FILE for a logistic regression' });
      const { contributionsCsv, formatContributionsCsv, treeShapParallel } = await import('../../ml/explain/index.js');
      const { toFeatureMatrix } = await import('../../data/index.js');
      const model = scoring.model;
      const x = toFeatureMatrix(await readDataFile(o.input, 'Input'), model.featureNames);
      // Large batches use both cores (bit-identical to the single-threaded result).
      const csv = !o.interactions && x.rows >= PARALLEL_MIN_ROWS ? formatContributionsCsv(await treeShapParallel(model, x)) : contributionsCsv(model, x, { interactions: o.interactions === true });
      writeFileAtomic(o.output, csv);
      ctx.io.out(`${x.rows} rows explained into ${o.output}`);
    });

  explain
    .command('reasons')
    .description('adverse-action reason codes: the features that pushed each score toward the adverse outcome (rows numbered from 1, text and JSON alike)')
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
      const rows = reasonsForFrame(model, await readDataFile(o.input, 'Input'), { topK, adverse: o.adverse });
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
      const files = explanationReportFiles(model, await readDataFile(o.data, 'Data'), o.label);
      const written = writeFilesInto(o.output, { 'explanation.json': files.json, 'explanation.html': files.html });
      ctx.io.out(`explanation report written: ${written.join(', ')}`);
    });
}
