/**
 * @module cli/commands/data-files
 * File-to-file data tools beside the governed `attest data` commands: `data convert` (CSV ⇄
 * Parquet) and `data resample` (seeded random over- or under-sampling of an imbalanced label).
 * Inputs are CSV or Parquet, told apart by Parquet's magic bytes; outputs take their format from
 * --format or the output name. Nothing here touches an installation home.
 */
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { CliContext } from '../context.js';
import { intOption, outputFormat, readDataFile, writeDataFile } from '../files.js';
import { printJson } from '../output.js';

const RESAMPLE_METHODS: Readonly<Record<string, 'oversample' | 'undersample'>> = { over: 'oversample', under: 'undersample' };

function dataCommand(program: Command): Command {
  const data = program.commands.find((c) => c.name() === 'data');
  if (data === undefined) throw new AppError('INTERNAL', { message: 'The data command group must be registered before its file tools' });
  return data;
}

export function registerDataFileCommands(program: Command, ctx: CliContext): void {
  const data = dataCommand(program);

  data
    .command('convert <input> <output>')
    .description('convert a data file between CSV and Parquet (input format from its first bytes, output from --format or the name)')
    .option('--format <format>', 'csv or parquet (default: parquet for .parquet/.pq names, else csv)')
    .option('--json', 'print JSON')
    .action(async (input: string, output: string, o: { format?: string; json?: boolean }) => {
      const { schemaOfFrame } = await import('../../data/index.js');
      const format = outputFormat(output, o.format);
      const frame = await readDataFile(input, 'Input');
      await writeDataFile(output, frame, format);
      if (o.json) printJson(ctx.io, { input, output, format, rows: frame.rowCount, schema: schemaOfFrame(frame) });
      else ctx.io.out(`${frame.rowCount} rows × ${frame.columns.length} columns written to ${output} (${format})`);
    });

  data
    .command('resample <input> <output>')
    .description('seeded random over-sampling (minority classes drawn with replacement) or under-sampling (larger classes thinned) of a label')
    .requiredOption('--method <method>', 'over or under')
    .requiredOption('--label <column>', 'the label to balance')
    .requiredOption('--seed <n>', 'random seed')
    .option('--ratio <r>', 'target class size relative to the largest (over) or smallest (under) class, in (0, 1]', '1')
    .option('--format <format>', 'csv or parquet (default from the output name)')
    .option('--json', 'print the resampling record as JSON')
    .action(async (input: string, output: string, o: { method: string; label: string; seed: string; ratio: string; format?: string; json?: boolean }) => {
      const { ResampleSpecSchema, resampleFrame } = await import('../../data/index.js');
      const strategy = RESAMPLE_METHODS[o.method];
      if (strategy === undefined) throw new AppError('INVALID_INPUT', { message: `--method must be over or under, not ${o.method}` });
      const ratio = Number(o.ratio);
      const spec = ResampleSpecSchema.safeParse({ label: o.label, strategy, seed: intOption(o.seed, '--seed'), ratio });
      if (!spec.success) throw new AppError('INVALID_INPUT', { message: `--ratio must be a number in (0, 1], not ${o.ratio}` });
      const format = outputFormat(output, o.format);
      const frame = await readDataFile(input, 'Input');
      const result = resampleFrame(frame, spec.data);
      await writeDataFile(output, result.frame, format);
      if (o.json) {
        printJson(ctx.io, { output, format, ...result.record });
        return;
      }
      const line = (c: { total: number; byClass: Record<string, number> }) => `${c.total} (${Object.entries(c.byClass).map(([k, v]) => `${k}: ${v}`).join(', ')})`;
      ctx.io.out(`${o.method}-sampled ${o.label}: ${line(result.record.before)} → ${line(result.record.after)} rows`);
      ctx.io.out(`written to ${output} (${format})`);
    });
}
