import type { Command } from 'commander';
import type { ColumnFrame } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import type { EvaluationReport } from '../../ml/metrics/index.js';
import type { CliContext } from '../context.js';
import { collect, intOption, parsePairList, parsePairs, readDataFile, writeFileAtomic } from '../files.js';
import { readScoringModelFile } from '../model-files.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';

function featureColumns(frame: ColumnFrame, label: string): string[] {
  if (!frame.columns.some((c) => c.name === label)) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `The data has no label column "${label}"` });
  return frame.columns.filter((c) => c.name !== label).map((c) => c.name);
}

export function registerModelCommands(program: Command, ctx: CliContext): void {
  const model = program.command('model').description('train, predict with and evaluate gradient-boosted tree models (XGBoost JSON) and logistic regressions');

  model
    .command('train')
    .description('train a model; unspecified parameters take XGBoost\'s defaults (tree_method hist)')
    .option('--algorithm <name>', 'gbtree (boosted trees) or logistic (coefficients with standard errors, z and p-values; --param penalty=l2|l1|none, C, max_iter, tol)', 'gbtree')
    .requiredOption('--data <file>', 'training data (CSV with header, or Parquet)')
    .requiredOption('--label <column>', 'label column')
    .option('--param <name=value>', 'booster parameter, repeatable (e.g. max_depth=5); repeated eval_metric values all apply', collect, [])
    .option('--rounds <n>', 'boosting rounds (num_round)')
    .option('--seed <n>', 'random seed')
    .option('--validation <csv>', 'validation data evaluated each round (and used for early stopping)')
    .option('--drop <columns>', 'comma-separated columns that are not features (e.g. ID)')
    .requiredOption('--output <model.json>', 'where to write the model (XGBoost JSON)')
    .option('--json', 'print the evaluation log as JSON')
    .action(async (o: { algorithm: string; data: string; label: string; param: string[]; rounds?: string; seed?: string; validation?: string; drop?: string; output: string; json?: boolean }) => {
      if (o.algorithm !== 'gbtree' && o.algorithm !== 'logistic') throw new AppError('INVALID_INPUT', { message: `--algorithm must be gbtree or logistic, not ${o.algorithm}` });
      if (o.algorithm === 'logistic') {
        if (o.rounds !== undefined || o.validation !== undefined) throw new AppError('INVALID_INPUT', { message: '--rounds and --validation apply to --algorithm gbtree only' });
        const frame = await readDataFile(o.data, 'Training data');
        const dropped = new Set((o.drop ?? '').split(',').map((s) => s.trim()).filter(Boolean));
        const features = featureColumns(frame, o.label).filter((n) => !dropped.has(n));
        const { trainLogisticCommand } = await import('./logistic-train.js');
        trainLogisticCommand(ctx, frame, { label: o.label, features, params: parsePairs(o.param, '--param'), output: o.output, ...(o.json ? { json: true } : {}) });
        return;
      }
      const [{ labelVector, toFeatureMatrix }, { boosterParamsFromPairs, parseBoosterParams, serializeXgboostModel, train }] = await Promise.all([import('../../data/index.js'), import('../../ml/gbdt/index.js')]);
      const raw: Record<string, unknown> = boosterParamsFromPairs(parsePairList(o.param, '--param'));
      const rounds = intOption(o.rounds, '--rounds');
      const seed = intOption(o.seed, '--seed');
      if (rounds !== undefined) raw.num_round = rounds;
      if (seed !== undefined) raw.seed = seed;
      const params = parseBoosterParams(raw);
      const frame = await readDataFile(o.data, 'Training data');
      const dropped = new Set((o.drop ?? '').split(',').map((s) => s.trim()).filter(Boolean));
      const features = featureColumns(frame, o.label).filter((n) => !dropped.has(n));
      const y = Float32Array.from(labelVector(frame, o.label));
      const validation = o.validation
        ? await readDataFile(o.validation, 'Validation data').then((v) => ({ x: toFeatureMatrix(v, features), y: Float32Array.from(labelVector(v, o.label)) }))
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
      const [{ toFeatureMatrix }, { predict, predictMargin }, { frameDesignMatrix, logisticMargin, predictLogistic }] = await Promise.all([
        import('../../data/index.js'),
        import('../../ml/gbdt/index.js'),
        import('../../ml/linear/index.js'),
      ]);
      const scoring = await readScoringModelFile(o.model);
      const frame = await readDataFile(o.input, 'Input');
      let out: ArrayLike<number>;
      let x: { rows: number };
      if (scoring.kind === 'logistic') {
        const design = frameDesignMatrix(frame, scoring.model.featureNames);
        x = design;
        out = o.margin ? logisticMargin(scoring.model, design) : predictLogistic(scoring.model, design);
      } else {
        const trees = toFeatureMatrix(frame, scoring.model.featureNames);
        x = trees;
        out = o.margin ? predictMargin(scoring.model, trees) : predict(scoring.model, trees);
      }
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
      const [{ labelVector, toFeatureMatrix }, { predict }, { evaluateModel, evaluationSummaryLines, taskForObjective }, { frameDesignMatrix, predictLogistic }] = await Promise.all([
        import('../../data/index.js'),
        import('../../ml/gbdt/index.js'),
        import('../../ml/metrics/index.js'),
        import('../../ml/linear/index.js'),
      ]);
      const scoring = await readScoringModelFile(o.model);
      const frame = await readDataFile(o.data, 'Evaluation data');
      const labels = labelVector(frame, o.label);
      const threshold = Number(o.threshold);
      if (!(threshold >= 0 && threshold <= 1)) throw new AppError('INVALID_INPUT', { message: `--threshold must be a probability, not ${o.threshold}` });
      let report: EvaluationReport;
      if (scoring.kind === 'logistic') {
        report = evaluateModel({ task: 'binary', labels, predictions: predictLogistic(scoring.model, frameDesignMatrix(frame, scoring.model.featureNames)), threshold });
      } else {
        const m = scoring.model;
        const predictions = predict(m, toFeatureMatrix(frame, m.featureNames));
        const task = taskForObjective(m.objective);
        report =
          task === 'binary'
            ? evaluateModel({ task, labels, predictions, threshold })
            : task === 'multiclass'
              ? evaluateModel({ task, labels, predictions, classCount: m.numGroups })
              : evaluateModel({ task, labels, predictions });
      }
      if (report.task === 'binary') for (const warning of report.metrics.warnings) ctx.io.err(`attest: warning: ${warning}`);
      if (o.json) printJson(ctx.io, report);
      else for (const line of evaluationSummaryLines(report)) ctx.io.out(line);
    });
}
