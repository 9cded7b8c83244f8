import type { Command } from 'commander';
import type { ColumnFrame } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import type { CliContext } from '../context.js';
import { collect, intOption, parsePairs, readCsvFile, readModelFile, writeFileAtomic } from '../files.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';

function featureColumns(frame: ColumnFrame, label: string): string[] {
  if (!frame.columns.some((c) => c.name === label)) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `The data has no label column "${label}"` });
  return frame.columns.filter((c) => c.name !== label).map((c) => c.name);
}

export function registerModelCommands(program: Command, ctx: CliContext): void {
  const model = program.command('model').description('train, predict with and evaluate gradient-boosted tree models (XGBoost JSON)');

  model
    .command('train')
    .description('train a model; unspecified parameters take XGBoost\'s defaults (tree_method hist)')
    .requiredOption('--data <csv>', 'training data (CSV with header)')
    .requiredOption('--label <column>', 'label column')
    .option('--param <name=value>', 'booster parameter, repeatable (e.g. max_depth=5)', collect, [])
    .option('--rounds <n>', 'boosting rounds (num_round)')
    .option('--seed <n>', 'random seed')
    .option('--validation <csv>', 'validation data evaluated each round (and used for early stopping)')
    .option('--drop <columns>', 'comma-separated columns that are not features (e.g. ID)')
    .requiredOption('--output <model.json>', 'where to write the model (XGBoost JSON)')
    .option('--json', 'print the evaluation log as JSON')
    .action(async (o: { data: string; label: string; param: string[]; rounds?: string; seed?: string; validation?: string; drop?: string; output: string; json?: boolean }) => {
      const [{ labelVector, toFeatureMatrix }, { parseBoosterParams, serializeXgboostModel, train }] = await Promise.all([import('../../data/index.js'), import('../../ml/gbdt/index.js')]);
      const raw: Record<string, unknown> = { ...parsePairs(o.param, '--param') };
      const rounds = intOption(o.rounds, '--rounds');
      const seed = intOption(o.seed, '--seed');
      if (rounds !== undefined) raw.num_round = rounds;
      if (seed !== undefined) raw.seed = seed;
      const params = parseBoosterParams(raw);
      const frame = await readCsvFile(o.data, 'Training data');
      const dropped = new Set((o.drop ?? '').split(',').map((s) => s.trim()).filter(Boolean));
      const features = featureColumns(frame, o.label).filter((n) => !dropped.has(n));
      const y = Float32Array.from(labelVector(frame, o.label));
      const validation = o.validation
        ? await readCsvFile(o.validation, 'Validation data').then((v) => ({ x: toFeatureMatrix(v, features), y: Float32Array.from(labelVector(v, o.label)) }))
        : undefined;
      const progress = startProgress(ctx.io, 'training', 'rounds', { json: o.json === true });
      let result: ReturnType<typeof train>;
      try {
        result = train({ x: toFeatureMatrix(frame, features), y, featureNames: features }, params, {
          ...(validation ? { validation } : {}),
          onRound: (round, metrics) => progress.update(round + 1, params.num_round, Object.entries(metrics).map(([k, v]) => `${k}:${v.toFixed(6)}`).join('  ')),
        });
      } finally {
        progress.finish();
      }
      writeFileAtomic(o.output, serializeXgboostModel(result.model));
      if (o.json) printJson(ctx.io, { output: o.output, bestIteration: result.bestIteration, evalLog: result.evalLog });
      else ctx.io.out(`model written to ${o.output} (${result.model.trees.length} trees, best iteration ${result.bestIteration})`);
    });

  model
    .command('predict')
    .description('predict with any XGBoost JSON model; the input\'s columns are matched to the model\'s feature names')
    .requiredOption('--model <model.json>', 'model file')
    .requiredOption('--input <csv>', 'rows to score')
    .requiredOption('--output <csv>', 'predictions, one column per output')
    .option('--margin', 'raw margins instead of transformed predictions')
    .action(async (o: { model: string; input: string; output: string; margin?: boolean }) => {
      const [{ toFeatureMatrix }, { predict, predictMargin }] = await Promise.all([import('../../data/index.js'), import('../../ml/gbdt/index.js')]);
      const m = await readModelFile(o.model);
      const x = toFeatureMatrix(await readCsvFile(o.input, 'Input'), m.featureNames);
      const out = o.margin ? predictMargin(m, x) : predict(m, x);
      const groups = out.length / Math.max(1, x.rows);
      const header = groups === 1 ? (o.margin ? 'margin' : 'prediction') : Array.from({ length: groups }, (_, g) => `${o.margin ? 'margin' : 'prediction'}:${g}`).join(',');
      const lines = [header];
      for (let r = 0; r < x.rows; r++) {
        const row: string[] = [];
        for (let g = 0; g < groups; g++) row.push(String(out[r * groups + g]));
        lines.push(row.join(','));
      }
      writeFileAtomic(o.output, `${lines.join('\n')}\n`);
      ctx.io.out(`${x.rows} predictions written to ${o.output}`);
    });

  model
    .command('evaluate')
    .description('evaluate a model on labelled data (binary, regression or multiclass metric set)')
    .requiredOption('--model <model.json>', 'model file')
    .requiredOption('--data <csv>', 'labelled data')
    .requiredOption('--label <column>', 'label column')
    .option('--threshold <p>', 'probability threshold for binary metrics', '0.5')
    .option('--json', 'print JSON')
    .action(async (o: { model: string; data: string; label: string; threshold: string; json?: boolean }) => {
      const [{ labelVector, toFeatureMatrix }, { predict }, { evaluateModel, evaluationSummaryLines, taskForObjective }] = await Promise.all([
        import('../../data/index.js'),
        import('../../ml/gbdt/index.js'),
        import('../../ml/metrics/index.js'),
      ]);
      const m = await readModelFile(o.model);
      const frame = await readCsvFile(o.data, 'Evaluation data');
      const x = toFeatureMatrix(frame, m.featureNames);
      const labels = labelVector(frame, o.label);
      const predictions = predict(m, x);
      const threshold = Number(o.threshold);
      if (!(threshold >= 0 && threshold <= 1)) throw new AppError('INVALID_INPUT', { message: `--threshold must be a probability, not ${o.threshold}` });
      const task = taskForObjective(m.objective);
      const report =
        task === 'binary'
          ? evaluateModel({ task, labels, predictions, threshold })
          : task === 'multiclass'
            ? evaluateModel({ task, labels, predictions, classCount: m.numGroups })
            : evaluateModel({ task, labels, predictions });
      if (o.json) printJson(ctx.io, report);
      else for (const line of evaluationSummaryLines(report)) ctx.io.out(line);
    });
}
