/**
 * `attest reproduce MODEL_REF`: re-run a model's recorded training and report byte-identical or
 * the first difference (exit 6 when not identical). Embedded or through a server (`--server`).
 */
import type { Command } from 'commander';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import { AppError } from '../../kernel/index.js';
import type { ReproductionReport } from '../../reproduce/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { projectIdByName } from '../context.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';
import { commonRemote, embeddedOrRemote, seg } from '../remote.js';

interface ReproduceOptions extends CommonOptions {
  project?: string;
  keep?: boolean;
}

function printReport(ctx: CliContext, r: ReproductionReport): void {
  const model = r.model.name ? `${r.model.name}@${r.model.version}` : r.model.artifactId;
  ctx.io.out(`model ${model} (${r.model.artifactId}, sha256 ${r.model.sha256.slice(0, 16)}…) was trained by component ${r.componentName} (${r.componentId})`);
  ctx.io.out(`  inputs: ${r.inputs.map((i) => `${i.role}=${i.name ?? i.artifactId}`).join(', ')}; seed ${String(r.parameters.seed ?? '(default)')}`);
  for (const e of r.environment) ctx.io.out(`  ${e.field.padEnd(12)} ${e.same ? 'same' : 'DIFFERENT'}: recorded ${e.recorded ?? '(none)'}${e.same ? '' : `, now ${e.current ?? '(none)'}`}`);
  if (r.identical) ctx.io.out(`byte-identical: the re-run gave sha256 ${r.reproducedSha256}`);
  else {
    const d = r.firstDifference!;
    ctx.io.out(`NOT identical: first difference at byte ${d.byteOffset} (recorded ${d.recordedBytes} bytes, re-run ${d.reproducedBytes} bytes)`);
    if (d.jsonPath) ctx.io.out(`  at ${d.jsonPath}: recorded ${JSON.stringify(d.recordedValue)}, re-run ${JSON.stringify(d.reproducedValue)}`);
  }
  if (r.keptArtifactId) ctx.io.out(`re-trained model kept as ${r.keptArtifactId}`);
}

export function registerReproduceCommands(program: Command, ctx: CliContext): void {
  commonRemote(program.command('reproduce <model>').description("re-run a model's recorded training (same data, parameters, seed) and prove it byte-identical; exit 6 if not"))
    .option('--project <name>', 'project', DEFAULT_PROJECT)
    .option('--keep', 'store the re-trained model as <name>-reproduced (otherwise nothing is stored)')
    .action(async (model: string, o: ReproduceOptions) => {
      const project = o.project ?? DEFAULT_PROJECT;
      const progress = startProgress(ctx.io, 'reproducing', 'rounds', { json: o.json === true });
      const report = await embeddedOrRemote(
        ctx,
        o,
        async (app, actor) => {
          const { reproduceModel } = await import('../../reproduce/index.js');
          return reproduceModel(app, actor, await projectIdByName(app, project), model, { ...(o.keep ? { keep: true } : {}), onRound: (round, rounds) => progress.update(round, rounds) });
        },
        (c) => c.json<ReproductionReport>('POST', `/v1/projects/${seg(project)}/reproductions`, { json: { model, keep: o.keep === true } }),
      ).finally(() => progress.finish());
      if (o.json) printJson(ctx.io, report);
      else printReport(ctx, report);
      if (!report.identical) throw new AppError('NOT_REPRODUCIBLE', { message: `${model}: the re-run differs from the stored model at byte ${report.firstDifference?.byteOffset}${report.firstDifference?.jsonPath ? ` (${report.firstDifference.jsonPath})` : ''}` });
    });
}
